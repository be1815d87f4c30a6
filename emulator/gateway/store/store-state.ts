/**
 * What the object store knows, in memory: buckets, every version of every key (newest first, delete
 * markers included), multipart uploads and their parts, and the object-created events the platform has
 * not yet taken. It changes only by `apply`, one journal line at a time (object-store.ts), so it is
 * rebuilt exactly by replaying the snapshot and the log. Each change carries a sequence number; one the
 * state already holds is skipped, so replaying the log over a snapshot that already has it (a crash
 * between the two) changes nothing.
 */
import { insertKey, lowerBound, removeKey } from './key-order.ts';
import type { ChecksumAlgorithm } from '../checksums.ts';
import type { ObjectEvent } from './object-events.ts';
import type { ObjectAttributes, StoredVersion } from './object-record.ts';

export interface PartRecord {
  partNumber: number;
  /** Quoted MD5 of the part's bytes. */
  etag: string;
  size: number;
  blob: string;
  lastModified: number;
  /** The part's checksum the client sent and the gateway verified. */
  checksum?: readonly [ChecksumAlgorithm, string];
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  attributes: ObjectAttributes;
  /** CreateMultipartUpload's `x-amz-checksum-algorithm`: the completed object's checksum is of its parts'. */
  checksumAlgorithm?: ChecksumAlgorithm;
  /** FULL_OBJECT: the checksum of the whole object's bytes; COMPOSITE: of the parts' checksums. */
  checksumType?: 'COMPOSITE' | 'FULL_OBJECT';
  /** By part number, ascending. */
  parts: PartRecord[];
}

export interface PendingEvent {
  sequence: number;
  event: ObjectEvent;
}

/** What one journal line changes. */
export type ChangeBody =
  | { op: 'createBucket'; bucket: string; createdAt: number }
  | { op: 'deleteBucket'; bucket: string }
  /** A key's versions change: `remove` goes, then `add` becomes the newest; an upload may end with it. */
  | {
      op: 'write';
      bucket: string;
      key: string;
      add?: StoredVersion;
      remove: string[];
      endUpload?: string;
      event?: ObjectEvent;
    }
  | { op: 'retag'; bucket: string; key: string; versionId: string; tags: ObjectAttributes['tags'] }
  | { op: 'createUpload'; upload: UploadRecord }
  | { op: 'putPart'; uploadId: string; part: PartRecord }
  | { op: 'endUpload'; uploadId: string }
  | { op: 'acknowledge'; through: number }
  | { op: 'importEvents'; events: ObjectEvent[] };

/** One journal line: a change and its sequence number. */
export type StoreChange = { seq: number } & ChangeBody;

export interface BucketIndex {
  createdAt: number;
  /** Every key with at least one version or delete marker, in S3's order. */
  keys: string[];
  /** Newest first. */
  histories: Map<string, StoredVersion[]>;
}

interface SerializedState {
  seq: number;
  buckets: { name: string; createdAt: number; keys: [string, StoredVersion[]][] }[];
  uploads: UploadRecord[];
  events: PendingEvent[];
}

export class StoreState {
  seq = 0;
  readonly buckets = new Map<string, BucketIndex>();
  readonly uploads = new Map<string, UploadRecord>();
  /** Object-created events the platform has not taken, by request id, oldest first. */
  readonly events = new Map<string, PendingEvent>();

  apply(change: StoreChange): void {
    if (change.seq <= this.seq) return;
    this.seq = change.seq;
    switch (change.op) {
      case 'createBucket':
        if (!this.buckets.has(change.bucket))
          this.buckets.set(change.bucket, { createdAt: change.createdAt, keys: [], histories: new Map() });
        return;
      case 'deleteBucket':
        this.buckets.delete(change.bucket);
        for (const [id, upload] of this.uploads) if (upload.bucket === change.bucket) this.uploads.delete(id);
        return;
      case 'write':
        return this.#write(change);
      case 'retag': {
        const history = this.buckets.get(change.bucket)?.histories.get(change.key) ?? [];
        const at = history.findIndex((v) => v.versionId === change.versionId);
        const version = history[at];
        if (version?.kind === 'object') history[at] = { ...version, tags: change.tags };
        return;
      }
      case 'createUpload':
        this.uploads.set(change.upload.uploadId, { ...change.upload, parts: [...change.upload.parts] });
        return;
      case 'putPart': {
        const upload = this.uploads.get(change.uploadId);
        if (!upload) return;
        const parts = upload.parts.filter((p) => p.partNumber !== change.part.partNumber);
        parts.push(change.part);
        upload.parts = parts.sort((a, b) => a.partNumber - b.partNumber);
        return;
      }
      case 'endUpload':
        this.uploads.delete(change.uploadId);
        return;
      case 'acknowledge':
        for (const [id, pending] of this.events) if (pending.sequence <= change.through) this.events.delete(id);
        return;
      case 'importEvents':
        for (const event of change.events) this.events.set(event.requestId, { sequence: change.seq, event });
        return;
    }
  }

  #write(change: Extract<StoreChange, { op: 'write' }>): void {
    const bucket = this.buckets.get(change.bucket);
    if (bucket) {
      const removed = new Set(change.remove);
      const history = (bucket.histories.get(change.key) ?? []).filter((v) => !removed.has(v.versionId));
      if (change.add) history.unshift(change.add);
      if (history.length > 0) {
        if (!bucket.histories.has(change.key)) insertKey(bucket.keys, change.key);
        bucket.histories.set(change.key, history);
      } else if (bucket.histories.delete(change.key)) {
        removeKey(bucket.keys, change.key);
      }
    }
    if (change.endUpload !== undefined) this.uploads.delete(change.endUpload);
    if (change.event) this.events.set(change.event.requestId, { sequence: change.seq, event: change.event });
  }

  /** Keys of a bucket from `start` on (inclusive), in S3's order. */
  *keysFrom(bucket: string, start: string): Generator<string> {
    const keys = this.buckets.get(bucket)?.keys ?? [];
    for (let i = lowerBound(keys, start); i < keys.length; i++) yield keys[i]!;
  }

  /** Every blob a version or a part names: the rest of the blob folder is left over from a crash. */
  namedBlobs(): Set<string> {
    const named = new Set<string>();
    for (const bucket of this.buckets.values())
      for (const history of bucket.histories.values())
        for (const version of history) if (version.kind === 'object') named.add(version.blob);
    for (const upload of this.uploads.values()) for (const part of upload.parts) named.add(part.blob);
    return named;
  }

  toJSON(): SerializedState {
    return {
      seq: this.seq,
      buckets: [...this.buckets].map(([name, bucket]) => ({
        name,
        createdAt: bucket.createdAt,
        keys: bucket.keys.map((key) => [key, bucket.histories.get(key)!]),
      })),
      uploads: [...this.uploads.values()],
      events: [...this.events.values()],
    };
  }

  static revive(raw: Record<string, unknown>): StoreState {
    const serialized = raw as unknown as SerializedState;
    const state = new StoreState();
    state.seq = serialized.seq ?? 0;
    for (const bucket of serialized.buckets ?? [])
      state.buckets.set(bucket.name, {
        createdAt: bucket.createdAt,
        keys: bucket.keys.map(([key]) => key), // written in order
        histories: new Map(bucket.keys),
      });
    for (const upload of serialized.uploads ?? []) state.uploads.set(upload.uploadId, upload);
    for (const pending of serialized.events ?? []) state.events.set(pending.event.requestId, pending);
    return state;
  }
}
