/**
 * Where the object store keeps what it keeps, in one place (docs/durability.md, "The object store"):
 *
 *   DATA/store/objects.json          the snapshot: buckets, every version of every key, uploads, pending events
 *   DATA/store/objects.log.ndjson    every change since the snapshot, one line each (the commit point)
 *   DATA/store/blobs/<ab>/<id>       the bytes of one version or one upload part, written once, never changed
 *   DATA/store/tmp/                  request bodies being read, before anything is committed
 *
 * and the folders of the layout before it (s3rver's), which the store moves in once (legacy-layout.ts).
 */
import { join } from 'node:path';

export interface StoreLayout {
  root: string;
  /** The journaled state's file (its log is beside it). */
  snapshot: string;
  blobs: string;
  tmp: string;
  blob(id: string): string;
  /** s3rver's object folders, older versions and event journal of earlier releases. */
  legacy: { objects: string; versions: string; events: string; spool: string };
}

export function storeLayout(dataDirectory: string): StoreLayout {
  const root = join(dataDirectory, 'store');
  const blobs = join(root, 'blobs');
  return {
    root,
    snapshot: join(root, 'objects.json'),
    blobs,
    tmp: join(root, 'tmp'),
    // 256 folders: a few hundred files each for 100,000 versions.
    blob: (id) => join(blobs, id.slice(0, 2), id),
    legacy: {
      objects: join(dataDirectory, 'objects'),
      versions: join(dataDirectory, 'versions'),
      events: join(dataDirectory, 'events.ndjson'),
      spool: join(dataDirectory, 'tmp'),
    },
  };
}
