/**
 * Data folders of earlier releases (s3rver's layout: `DATA/objects/<bucket>/<key>._S3rver_object` with
 * its `._S3rver_metadata.json`, older versions under `DATA/versions/`, events in `DATA/events.ndjson`)
 * are moved into the store once, at its first start: each version's bytes are hard-linked as a blob
 * (no copy, no extra space), its metadata becomes a record, and the old folders are renamed aside
 * (`objects.before-store`, `versions.before-store`) for the user to delete. Multipart uploads in
 * progress are not carried over (their clients see NoSuchUpload and start again, as after an abort).
 */
import { existsSync } from 'node:fs';
import { opendir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tagsFromStored } from '../object-tags.ts';
import type { BlobFiles } from './blob-files.ts';
import type { StoreLayout } from './layout.ts';
import type { ObjectEvent } from './object-events.ts';
import {
  CONTENT_HEADERS,
  DEFAULT_STORAGE_CLASS,
  NULL_VERSION,
  type ContentHeader,
  type ObjectVersion,
  type StoredVersion,
} from './object-record.ts';
import { StoreState } from './store-state.ts';
import { insertKey } from './key-order.ts';

const OBJECT_SUFFIX = '._S3rver_object';
const METADATA_SUFFIX = '._S3rver_metadata.json';
/** A folder that is a piece of a segment too long for one file name (`<piece>._S3rver_+`). */
const CONTINUES = '._S3rver_+';
const RESERVED = 'x-amz-meta-s3harness-';

interface LegacyVersionEntry {
  versionId: string;
  deleteMarker: boolean;
  lastModified: string;
  etag?: string;
  size?: number;
}

export interface MovedLayout {
  state: StoreState;
  /** Renames the old folders aside (once the store's snapshot is written) and says what was moved. */
  retire(): Promise<string>;
}

export async function moveLegacyLayoutIn(layout: StoreLayout, blobs: BlobFiles): Promise<MovedLayout | undefined> {
  const { objects, versions } = layout.legacy;
  if (existsSync(layout.snapshot) || !existsSync(objects) || (await readdir(objects)).length === 0) return undefined;
  const state = new StoreState();
  let moved = 0;
  for await (const entry of await opendir(objects)) {
    if (!entry.isDirectory()) continue;
    const bucket = entry.name;
    const folder = join(objects, bucket);
    const index = {
      createdAt: (await stat(folder)).mtimeMs,
      keys: [] as string[],
      histories: new Map<string, StoredVersion[]>(),
    };
    state.buckets.set(bucket, index);
    for (const [key, files] of await objectFiles(folder)) {
      const version = await legacyVersion(files.object, files.metadata, blobs);
      if (!version) continue;
      index.histories.set(key, [version]);
      moved++;
    }
    for (const [key, older] of await olderVersions(join(versions, bucket), blobs)) {
      index.histories.set(key, [...(index.histories.get(key) ?? []), ...older]);
      moved += older.length;
    }
    for (const key of index.histories.keys()) insertKey(index.keys, key);
  }
  return {
    state,
    async retire() {
      const summary = `moved ${moved} object version(s) and delete marker(s) of an earlier release's data folder into ${layout.root}`;
      try {
        await rename(objects, `${objects}.before-store`);
        if (existsSync(versions)) await rename(versions, `${versions}.before-store`);
      } catch (error) {
        // A mount point, say: the old folders stay where they are, and are not read again.
        return `${summary} (the old folders could not be renamed, ${(error as NodeJS.ErrnoException).code}: delete ${objects} and ${versions} once you are satisfied)`;
      }
      return `${summary} (the old folders are kept beside it as objects.before-store and versions.before-store: delete them once you are satisfied)`;
    },
  };
}

/** Every object of a bucket folder: its key (long segments joined again) and its two files. */
async function objectFiles(bucketFolder: string): Promise<Map<string, { object: string; metadata: string }>> {
  const found = new Map<string, { object: string; metadata: string }>();
  const walk = async (folder: string, keyPrefix: string): Promise<void> => {
    for await (const entry of await opendir(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (entry.name.includes('._S3rver_') && !entry.name.endsWith(CONTINUES)) continue; // uploads
        const prefix = entry.name.endsWith(CONTINUES) ? entry.name.slice(0, -CONTINUES.length) : `${entry.name}/`;
        await walk(path, keyPrefix + prefix);
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        const name = entry.name.slice(0, -OBJECT_SUFFIX.length);
        found.set(keyPrefix + name, { object: path, metadata: join(folder, `${name}${METADATA_SUFFIX}`) });
      }
    }
  };
  await walk(bucketFolder, '');
  return found;
}

async function legacyVersion(
  objectPath: string,
  metadataPath: string,
  blobs: BlobFiles,
  known?: LegacyVersionEntry,
): Promise<ObjectVersion | undefined> {
  let metadata: Record<string, string>;
  try {
    metadata = JSON.parse(await readFile(metadataPath, 'utf8')) as Record<string, string>;
  } catch {
    return undefined; // damaged or cut short: it was answered InternalError before, and is left behind
  }
  const info = await stat(objectPath);
  const md5 =
    metadata['s3-harness-md5'] ??
    known?.etag?.replace(/"/g, '') ??
    (await readFile(`${objectPath}.md5`, 'utf8').catch(() => '')).trim();
  const id = await blobs.adopt(objectPath);
  const versionId = known?.versionId ?? metadata[`${RESERVED}version-id`] ?? NULL_VERSION;
  return {
    kind: 'object',
    versionId,
    size: info.size,
    etag: `"${md5}"`,
    lastModified: known ? Date.parse(known.lastModified) : info.mtimeMs,
    blob: id,
    contentHeaders: Object.entries(metadata).filter(([name]) =>
      (CONTENT_HEADERS as readonly string[]).includes(name),
    ) as [ContentHeader, string][],
    userMetadata: Object.entries(metadata).filter(
      ([name]) => name.startsWith('x-amz-meta-') && !name.startsWith(RESERVED),
    ),
    tags: tagsFromStored(metadata[`${RESERVED}tagging`]),
    ...(metadata[`${RESERVED}sse`] === 'AES256' ? { sse: 'AES256' as const } : {}),
    storageClass: metadata['x-amz-storage-class'] ?? DEFAULT_STORAGE_CLASS,
    ...(metadata[`${RESERVED}uploaded-by`] ? { uploadedBy: metadata[`${RESERVED}uploaded-by`] } : {}),
  };
}

/** The older versions and delete markers an earlier release kept under `DATA/versions/<bucket>/`. */
async function olderVersions(folder: string, blobs: BlobFiles): Promise<Map<string, StoredVersion[]>> {
  const histories = new Map<string, StoredVersion[]>();
  if (!existsSync(folder)) return histories;
  for await (const entry of await opendir(folder)) {
    const keyFolder = join(folder, entry.name);
    const text = await readFile(join(keyFolder, 'index.json'), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const index = JSON.parse(text) as { key: string; versions: LegacyVersionEntry[] };
    const versions: StoredVersion[] = [];
    for (const v of index.versions) {
      if (v.deleteMarker) {
        versions.push({ kind: 'deleteMarker', versionId: v.versionId, lastModified: Date.parse(v.lastModified) });
        continue;
      }
      const file = (resource: string) => join(keyFolder, `${v.versionId}.${resource}`);
      const version = await legacyVersion(file('object'), file('metadata.json'), blobs, v);
      if (version) versions.push(version);
    }
    histories.set(index.key, versions);
  }
  return histories;
}

/** The events of `DATA/events.ndjson` not yet taken by the platform; undefined when there is no such file. */
export async function readLegacyEvents(layout: StoreLayout): Promise<ObjectEvent[] | undefined> {
  const text = await readFile(layout.legacy.events, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return text.split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as ObjectEvent] : [];
    } catch {
      return []; // the tail of a write a crash interrupted: its 200 never left
    }
  });
}
