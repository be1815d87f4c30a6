/**
 * The object store: the one owner of the gateway's data folder (layout.ts) and of what an S3 write
 * means for it (docs/durability.md, "The object store"; docs/decisions.md, "No lock is held across I/O").
 *
 * Every write follows one protocol. Its bytes are written first, to a blob file of their own that
 * nothing names yet, while the request is the only one to know of it. Then, in one synchronous step
 * that never waits on a disk or a socket, its conditions are checked against the current versions and
 * one line is appended to the journal: that append is the commit (with the object-created event in
 * it). The in-memory index changes in the same step, so a GET, a HEAD or a listing that starts after
 * it sees the write, and none sees a part of it. Nothing is locked: JavaScript runs one step at a
 * time, so two commits cannot interleave, and a reader opens a blob that is never written again.
 * Blobs that no version names any more are removed after the commit (or after the last reader opened
 * them); a crash before that leaves files the next start removes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { mkdir, rm, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { openJournaledState, type JournaledState } from '../../journaled-state.ts';
import type { TagSet } from '../object-tags.ts';
import type { SpooledBody } from '../request-body.ts';
import { createChecksum, type ChecksumAlgorithm, type IncrementalChecksum } from '../checksums.ts';
import { S3Error } from '../s3-errors.ts';
import { BlobFiles } from './blob-files.ts';
import { crashHookFromEnvironment, type CrashPoint, type ReachPoint } from './crash-points.ts';
import { storeLayout, type StoreLayout } from './layout.ts';
import { moveLegacyLayoutIn, readLegacyEvents } from './legacy-layout.ts';
import type { ObjectEvent, PendingEvents } from './object-events.ts';
import {
  NULL_VERSION,
  sameEtag,
  type ObjectAttributes,
  type ObjectVersion,
  type StoredVersion,
} from './object-record.ts';
import { StoreState, type ChangeBody, type PartRecord, type StoreChange, type UploadRecord } from './store-state.ts';

export type VersioningStatus = 'Enabled' | 'Suspended';

export interface ObjectStoreOptions {
  dataDirectory: string;
  /** A bucket's versioning now (undefined: never versioned); read at each commit. */
  versioningOf(bucket: string): VersioningStatus | undefined;
  /** Where the store's one-line reports go. @default console.error, prefixed `[s3-harness]` */
  log?(line: string): void;
  /** Called before each asynchronous step of a write or a read: tests reorder them (fc.scheduler). */
  pause?(step: string): Promise<void>;
  /** Called at each named crash point. @default the S3_HARNESS_CRASH_AT hook, if set (crash-points.ts) */
  reach?: ReachPoint;
  /** The journal may grow to the snapshot's size, and at least this much, before a new snapshot. @default 1 MiB */
  minLogBytes?: number;
}

/** `If-Match` / `If-None-Match` of a write, checked at its commit. */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

interface WriteRequest {
  bucket: string;
  key: string;
  attributes: ObjectAttributes;
  conditions?: WriteConditions;
  /** The object-created event of the commit, made from the version written and its sequencer. */
  event?(version: ObjectVersion, sequencer: string): ObjectEvent;
}

export interface PutRequest extends WriteRequest {
  body: SpooledBody;
}

export interface CopyRequest extends WriteRequest {
  /** Looked up in the same turn as this call (the store pins its bytes before anything else). */
  source: ObjectVersion;
}

/** The attributes are the upload's, given when it was created. */
export interface CompleteRequest extends Omit<WriteRequest, 'attributes'> {
  uploadId: string;
  parts: readonly { partNumber: number; etag: string; checksum?: readonly [ChecksumAlgorithm, string] }[];
  /** The whole object's checksum the client sent (`x-amz-checksum-*`): BadDigest unless it is the computed one. */
  expectedChecksum?: readonly [ChecksumAlgorithm, string];
}

export interface DeleteOutcome {
  /** The latest version was an object, and is no more (an ObjectRemoved event). */
  removedLatest: boolean;
  versionId?: string;
  deleteMarker: boolean;
}

/** An object whose bytes are missing or cut short (edited by hand): InternalError for it, the rest keeps working. */
export class DamagedObjectError extends Error {
  readonly file: string;
  constructor(bucket: string, key: string, file: string, detail: string) {
    super(
      `the stored bytes of s3://${bucket}/${key} are damaged (${file}: ${detail}); delete the object through S3, or restore the file from a copy`,
    );
    this.file = file;
  }
}

/** Every part but the last must be at least 5 MiB. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** Completions remembered, so that a client retrying one after a lost answer gets it again, as from AWS. */
const REMEMBERED_COMPLETIONS = 1000;

/** S3's event sequencer for the commit with this journal sequence number: hexadecimal, ordered as commits. */
export function sequencerOf(seq: number): string {
  return seq.toString(16).toUpperCase().padStart(16, '0');
}

/** A new version id: 32 URL-safe characters, as AWS's are (opaque, unique). */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

export function assertVersionIdForm(versionId: string): void {
  if (versionId !== NULL_VERSION && !/^[A-Za-z0-9_-]{1,64}$/.test(versionId))
    throw new S3Error('InvalidArgument', 'Invalid version id specified', {
      ArgumentName: 'versionId',
      ArgumentValue: versionId,
    });
}

export class ObjectStore {
  readonly #journal: JournaledState<StoreState, StoreChange>;
  readonly #blobs: BlobFiles;
  readonly #options: ObjectStoreOptions;
  readonly #reach: ReachPoint;
  /** Bodies being read: closed by their streams, or by `close()`. */
  readonly #open = new Set<FileHandle>();
  #closed = false;
  /** Damaged files already named in the log: each is named once, however often it is read. */
  readonly #reported = new Set<string>();
  readonly #completions = new Map<string, { bucket: string; key: string; versionId: string; etag: string }>();
  readonly layout: StoreLayout;

  private constructor(
    options: ObjectStoreOptions,
    layout: StoreLayout,
    journal: JournaledState<StoreState, StoreChange>,
    blobs: BlobFiles,
    reach: ReachPoint,
  ) {
    this.#options = options;
    this.layout = layout;
    this.#journal = journal;
    this.#blobs = blobs;
    this.#reach = reach;
  }

  /**
   * Opens the store on a data folder: moves an earlier release's folders in (once), replays the
   * journal (a torn last line was never acknowledged), and removes blobs a crash left unnamed.
   */
  static async open(options: ObjectStoreOptions): Promise<ObjectStore> {
    const log = options.log ?? ((line: string) => console.error(`[s3-harness] ${line}`));
    const reach = options.reach ?? crashHookFromEnvironment() ?? (() => {});
    const layout = storeLayout(options.dataDirectory);
    await rm(layout.tmp, { recursive: true, force: true }); // bodies a stop cut short: never committed
    await mkdir(layout.tmp, { recursive: true });
    const blobs = new BlobFiles(layout, log, reach);
    await blobs.prepare();
    const legacy = await moveLegacyLayoutIn(layout, blobs);
    const journal = openJournaledState<StoreState, StoreChange>({
      file: layout.snapshot,
      empty: () => legacy?.state ?? new StoreState(),
      revive: (raw) => StoreState.revive(raw),
      apply: (state, change) => state.apply(change),
      remedy:
        'It holds the index of every object the harness stores (their bytes are in store/blobs): restore it from a copy, or move the store folder aside to start with empty buckets.',
      onStep: (step) => reach(step),
      ...(options.minLogBytes !== undefined ? { minLogBytes: options.minLogBytes } : {}),
    });
    if (legacy) log(await legacy.retire());
    const store = new ObjectStore({ ...options, log }, layout, journal, blobs, reach);
    await store.#importLegacyEvents();
    const removed = await blobs.collect(journal.state.namedBlobs());
    if (removed > 0)
      log(`object writes interrupted by the last stop: ${removed} unfinished one(s) removed (never acknowledged)`);
    return store;
  }

  get #state(): StoreState {
    return this.#journal.state;
  }

  async #pause(step: string): Promise<void> {
    if (this.#options.pause) await this.#options.pause(step);
  }

  /** Appends one change (the commit), applies it, and reaches the crash point after it. */
  #commit(change: ChangeBody, point?: CrashPoint): void {
    if (this.#closed) throw new S3Error('ServiceUnavailable', 'The harness is stopping: it takes no more writes.');
    this.#journal.record({ ...change, seq: this.#state.seq + 1 });
    if (point) this.#reach(point);
  }

  /** Where request bodies are spooled (the same file system as the blobs, so they are renamed in). */
  get spoolDirectory(): string {
    return this.layout.tmp;
  }

  // Buckets

  bucketNames(): string[] {
    return [...this.#state.buckets.keys()].sort();
  }

  hasBucket(bucket: string): boolean {
    return this.#state.buckets.has(bucket);
  }

  bucketCreatedAt(bucket: string): Date | undefined {
    const created = this.#state.buckets.get(bucket)?.createdAt;
    return created === undefined ? undefined : new Date(created);
  }

  /** False when the bucket exists already. */
  createBucket(bucket: string): boolean {
    if (this.hasBucket(bucket)) return false;
    this.#commit({ op: 'createBucket', bucket, createdAt: Date.now() });
    return true;
  }

  /** Refused (BucketNotEmpty) while any version or delete marker remains; its uploads in progress go with it. */
  deleteBucket(bucket: string): void {
    const index = this.#bucket(bucket);
    if (index.keys.length > 0) throw new S3Error('BucketNotEmpty', undefined, { BucketName: bucket });
    const parts = [...this.#state.uploads.values()].filter((u) => u.bucket === bucket).flatMap((u) => u.parts);
    this.#commit({ op: 'deleteBucket', bucket });
    for (const part of parts) this.#blobs.discard(part.blob);
  }

  #bucket(bucket: string) {
    const index = this.#state.buckets.get(bucket);
    if (!index) throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
    return index;
  }

  // Reads: synchronous lookups of the index; bytes through openBody.

  /** Newest first, delete markers included; empty for a key never written (or a bucket that does not exist). */
  history(bucket: string, key: string): readonly StoredVersion[] {
    return this.#state.buckets.get(bucket)?.histories.get(key) ?? [];
  }

  latest(bucket: string, key: string): StoredVersion | undefined {
    return this.history(bucket, key)[0];
  }

  version(bucket: string, key: string, versionId: string): StoredVersion | undefined {
    return this.history(bucket, key).find((v) => v.versionId === versionId);
  }

  /** Keys of the bucket from `start` on, in S3's order (each with at least one version or delete marker). */
  keysFrom(bucket: string, start: string): Iterable<string> {
    return this.#state.keysFrom(bucket, start);
  }

  /**
   * Opens a version's bytes. Call it in the same turn as the lookup that found the version: its blob
   * is pinned at once, so a delete committed meanwhile removes the file only once it is open (and the
   * reader keeps the bytes it looked up). A file missing or shorter than recorded is a DamagedObjectError.
   */
  async openBody(bucket: string, key: string, version: ObjectVersion): Promise<FileHandle> {
    const unpin = this.#blobs.pin(version.blob);
    const path = this.#blobs.path(version.blob);
    const damaged = (detail: string) => {
      const error = new DamagedObjectError(bucket, key, path, detail);
      if (!this.#reported.has(path)) this.#options.log?.(error.message);
      this.#reported.add(path);
      return error;
    };
    try {
      await this.#pause('read:open');
      const handle = await this.#blobs.open(version.blob).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') throw damaged('the file is missing');
        throw error;
      });
      const { size } = await handle.stat();
      if (size !== version.size) {
        await handle.close();
        throw damaged(`${size} bytes where ${version.size} were written`);
      }
      this.#open.add(handle);
      // A FileHandle is an EventEmitter (Node 15.4+), which @types/node does not declare.
      (handle as unknown as EventEmitter).once('close', () => this.#open.delete(handle));
      return handle;
    } finally {
      unpin();
    }
  }

  // Writes: bytes first, then one synchronous commit.

  /** A request body's bytes as a new blob: held in memory (small), or its spool file moved in. */
  async #blobOf(body: SpooledBody): Promise<string> {
    return body.bytes ? this.#blobs.writeHeld(body.bytes) : this.#blobs.moveIn(body.file!);
  }

  async put(request: PutRequest): Promise<ObjectVersion> {
    const { body } = request;
    await this.#pause('put:write-blob');
    const blob = await this.#blobOf(body);
    this.#reach('put:blob-written');
    await this.#pause('put:commit');
    return this.#commitVersion(
      request,
      { size: body.length, etag: `"${body.md5Hex}"`, blob, ...(body.checksum ? { checksum: body.checksum } : {}) },
      'put:committed',
    );
  }

  /** A copy of a version's bytes under another key (or the same key): a hard link, then a commit. */
  async copy(request: CopyRequest): Promise<ObjectVersion> {
    const { source } = request;
    const unpin = this.#blobs.pin(source.blob);
    let blob: string;
    try {
      await this.#pause('copy:link');
      blob = await this.#blobs.link(source.blob);
    } finally {
      unpin();
    }
    this.#reach('copy:blob-written');
    await this.#pause('copy:commit');
    return this.#commitVersion(
      request,
      {
        size: source.size,
        etag: source.etag,
        blob,
        ...(source.checksum ? { checksum: source.checksum } : {}),
        ...(source.parts ? { parts: source.parts } : {}),
      },
      'copy:committed',
    );
  }

  /**
   * The commit of a write: checks its bucket and conditions against the versions now, and makes it
   * the newest version (in an Enabled bucket, a new one; otherwise the `null` version, replacing the
   * previous one). Synchronous: nothing can come between the check and the change. On a refusal the
   * new blob is removed.
   */
  #commitVersion(
    request: WriteRequest,
    bytes: Pick<ObjectVersion, 'size' | 'etag' | 'blob' | 'checksum' | 'parts'>,
    point: CrashPoint,
    endUpload?: UploadRecord,
  ): ObjectVersion {
    try {
      this.#bucket(request.bucket);
      this.#assertConditions(request);
      const status = this.#options.versioningOf(request.bucket);
      const history = this.history(request.bucket, request.key);
      const replaced = status === 'Enabled' ? [] : history.filter((v) => v.versionId === NULL_VERSION);
      const version: ObjectVersion = {
        ...request.attributes,
        ...bytes,
        kind: 'object',
        versionId: status === 'Enabled' ? newVersionId() : NULL_VERSION,
        lastModified: Date.now(),
      };
      const event = request.event?.(version, sequencerOf(this.#state.seq + 1));
      this.#commit(
        {
          op: 'write',
          bucket: request.bucket,
          key: request.key,
          add: version,
          remove: replaced.map((v) => v.versionId),
          ...(endUpload ? { endUpload: endUpload.uploadId } : {}),
          ...(event ? { event } : {}),
        },
        point,
      );
      for (const old of replaced) if (old.kind === 'object') this.#blobs.discard(old.blob);
      return version;
    } catch (error) {
      this.#blobs.discard(bytes.blob);
      throw error;
    }
  }

  /**
   * Conditional writes: `If-None-Match: *` refuses to overwrite (`If-None-Match: ETAG`, to overwrite that
   * ETag); `If-Match: ETAG` writes only over that
   * ETag (a missing object: 404 NoSuchKey). Of two racing conditional writes, one commits first.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
   */
  #assertConditions(request: WriteRequest): void {
    const { ifMatch, ifNoneMatch } = request.conditions ?? {};
    if (ifMatch === undefined && ifNoneMatch === undefined) return;
    const latest = this.latest(request.bucket, request.key);
    const current = latest?.kind === 'object' ? latest : undefined;
    const failed = (condition: string) =>
      new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
        Condition: condition,
      });
    // `*` matches any object; an ETag (or a list of them) only that one (RFC 9110, as ceph/s3-tests expect).
    const etagsMatch = (header: string) =>
      header.split(',').some((tag) => tag.trim() === '*' || (current !== undefined && sameEtag(tag, current.etag)));
    if (ifNoneMatch !== undefined && current && etagsMatch(ifNoneMatch)) throw failed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!current) throw new S3Error('NoSuchKey', undefined, { Key: request.key });
      if (ifMatch !== '*' && ifMatch !== current.etag) throw failed('If-Match');
    }
  }

  /**
   * DeleteObject, and each key of DeleteObjects. Without a version id: in a versioned bucket, a delete
   * marker becomes the newest version (while Suspended, it is the `null` version, replacing the previous
   * one); in a bucket never versioned, the object goes. With one: that version goes for good, and the
   * next newest is the latest again.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
   */
  delete(bucket: string, key: string, versionId: string | undefined, uploadedBy?: string): DeleteOutcome {
    this.#bucket(bucket);
    const history = this.history(bucket, key);
    const latestIsObject = history[0]?.kind === 'object';
    let change: { add?: StoredVersion; remove: StoredVersion[] };
    let outcome: DeleteOutcome;
    if (versionId !== undefined) {
      assertVersionIdForm(versionId);
      const found = history.find((v) => v.versionId === versionId);
      if (!found) return { removedLatest: false, versionId, deleteMarker: false };
      change = { remove: [found] };
      outcome = {
        removedLatest: found === history[0] && latestIsObject,
        versionId,
        deleteMarker: found.kind === 'deleteMarker',
      };
    } else {
      const status = this.#options.versioningOf(bucket);
      if (!status) {
        if (history.length === 0) return { removedLatest: false, deleteMarker: false };
        change = { remove: [...history] };
        outcome = { removedLatest: latestIsObject, deleteMarker: false };
      } else {
        const marker: StoredVersion = {
          kind: 'deleteMarker',
          versionId: status === 'Enabled' ? newVersionId() : NULL_VERSION,
          lastModified: Date.now(),
          ...(uploadedBy !== undefined ? { uploadedBy } : {}),
        };
        change = {
          add: marker,
          remove: status === 'Enabled' ? [] : history.filter((v) => v.versionId === NULL_VERSION),
        };
        outcome = { removedLatest: latestIsObject, versionId: marker.versionId, deleteMarker: true };
      }
    }
    this.#commit(
      {
        op: 'write',
        bucket,
        key,
        ...(change.add ? { add: change.add } : {}),
        remove: change.remove.map((v) => v.versionId),
      },
      'delete:committed',
    );
    for (const old of change.remove) if (old.kind === 'object') this.#blobs.discard(old.blob);
    return outcome;
  }

  /** Replaces the tags of an object version (its bytes, ETag and Last-Modified stay). */
  retag(bucket: string, key: string, version: ObjectVersion, tags: TagSet): void {
    this.#commit({ op: 'retag', bucket, key, versionId: version.versionId, tags }, 'retag:committed');
  }

  // Multipart uploads

  upload(uploadId: string): UploadRecord | undefined {
    return this.#state.uploads.get(uploadId);
  }

  /** The uploads in progress of a bucket under a prefix, by key then by when they began. */
  uploadsOf(bucket: string, prefix: string): UploadRecord[] {
    return [...this.#state.uploads.values()]
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated));
  }

  createUpload(
    bucket: string,
    key: string,
    attributes: ObjectAttributes,
    checksum?: { algorithm: ChecksumAlgorithm; type: 'COMPOSITE' | 'FULL_OBJECT' },
  ): UploadRecord {
    this.#bucket(bucket);
    const upload: UploadRecord = {
      uploadId: randomBytes(16).toString('hex'),
      bucket,
      key,
      initiated: Date.now(),
      attributes,
      ...(checksum ? { checksumAlgorithm: checksum.algorithm, checksumType: checksum.type } : {}),
      parts: [],
    };
    this.#commit({ op: 'createUpload', upload });
    return upload;
  }

  #existingUpload(uploadId: string, bucket: string, key: string): UploadRecord {
    const upload = this.upload(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key)
      throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
    return upload;
  }

  /** UploadPart: the body becomes part `partNumber` (replacing one uploaded before under that number). */
  async putPart(
    uploadId: string,
    bucket: string,
    key: string,
    partNumber: number,
    body: SpooledBody,
  ): Promise<PartRecord> {
    this.#existingUpload(uploadId, bucket, key);
    await this.#pause('part:write-blob');
    const blob = await this.#blobOf(body);
    return this.#commitPart(uploadId, bucket, key, {
      partNumber,
      etag: `"${body.md5Hex}"`,
      size: body.length,
      blob,
      ...(body.checksum ? { checksum: body.checksum } : {}),
    });
  }

  /** UploadPartCopy: bytes `start`..`end` (inclusive) of a version, looked up in the same turn as this call. */
  async putPartCopy(
    uploadId: string,
    bucket: string,
    key: string,
    partNumber: number,
    source: ObjectVersion,
    range: { start: number; end: number },
  ): Promise<PartRecord> {
    this.#existingUpload(uploadId, bucket, key);
    const unpin = this.#blobs.pin(source.blob);
    let written;
    try {
      await this.#pause('part:copy');
      const handle = await this.#blobs.open(source.blob);
      const bytes: Readable | AsyncIterable<Buffer> =
        range.end < range.start ? emptyStream() : handle.createReadStream({ start: range.start, end: range.end });
      written = await this.#blobs.write(bytes).finally(() => handle.close().catch(() => {}));
    } finally {
      unpin();
    }
    return this.#commitPart(uploadId, bucket, key, {
      partNumber,
      etag: `"${written.md5}"`,
      size: written.size,
      blob: written.id,
    });
  }

  #commitPart(uploadId: string, bucket: string, key: string, part: Omit<PartRecord, 'lastModified'>): PartRecord {
    this.#reach('part:blob-written');
    try {
      const upload = this.#existingUpload(uploadId, bucket, key);
      const replaced = upload.parts.find((p) => p.partNumber === part.partNumber);
      const record: PartRecord = { ...part, lastModified: Date.now() };
      this.#commit({ op: 'putPart', uploadId, part: record }, 'part:committed');
      if (replaced) this.#blobs.discard(replaced.blob);
      return record;
    } catch (error) {
      this.#blobs.discard(part.blob);
      throw error;
    }
  }

  /**
   * CompleteMultipartUpload: the parts named, in order, become one object whose ETag is AWS's (the MD5
   * of the parts' MD5s, then `-<parts>`). The parts are read while the upload goes on; the commit then
   * checks that the upload is still there and each part named is still the one read: a part
   * re-uploaded meanwhile is InvalidPart, an abort that committed first is NoSuchUpload. A client
   * repeating a completion that succeeded gets the same answer while the key still holds its object.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
   */
  async completeUpload(request: CompleteRequest): Promise<{ version: ObjectVersion; repeated: boolean }> {
    const repeated = this.#repeatedCompletion(request);
    if (repeated) return { version: repeated, repeated: true };
    const upload = this.#existingUpload(request.uploadId, request.bucket, request.key);
    const parts = chosenParts(upload, request.parts);
    const unpins = parts.map((part) => this.#blobs.pin(part.blob));
    let written;
    const whole =
      upload.checksumAlgorithm && upload.checksumType === 'FULL_OBJECT'
        ? createChecksum(upload.checksumAlgorithm)
        : undefined;
    try {
      await this.#pause('complete:assemble');
      written = await this.#blobs.write(this.#concatenated(parts, whole));
    } finally {
      for (const unpin of unpins) unpin();
    }
    this.#reach('complete:blob-written');
    await this.#pause('complete:commit');
    let now: UploadRecord;
    try {
      now = this.#existingUpload(request.uploadId, request.bucket, request.key);
      const changed = parts.find((part) => now.parts.find((p) => p.partNumber === part.partNumber)?.blob !== part.blob);
      if (changed) throw invalidPart(request.uploadId, changed);
    } catch (error) {
      const again =
        error instanceof S3Error && error.code === 'NoSuchUpload' ? this.#repeatedCompletion(request) : undefined;
      this.#blobs.discard(written.id);
      if (again) return { version: again, repeated: true };
      throw error;
    }
    const etag = multipartEtag(parts);
    const checksum = multipartChecksum(now.checksumAlgorithm, parts, whole);
    if (request.expectedChecksum && request.expectedChecksum[1] !== checksum?.[1]) {
      this.#blobs.discard(written.id);
      throw new S3Error(
        'BadDigest',
        `The ${request.expectedChecksum[0].toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
    const version = this.#commitVersion(
      { ...request, attributes: now.attributes },
      {
        size: written.size,
        etag,
        blob: written.id,
        parts: parts.map((p) => ({ size: p.size, ...(p.checksum ? { checksum: p.checksum } : {}) })),
        ...(checksum ? { checksum } : {}),
      },
      'complete:committed',
      now,
    );
    for (const part of now.parts) this.#blobs.discard(part.blob);
    this.#completions.set(request.uploadId, {
      bucket: request.bucket,
      key: request.key,
      versionId: version.versionId,
      etag: version.etag,
    });
    if (this.#completions.size > REMEMBERED_COMPLETIONS)
      this.#completions.delete(this.#completions.keys().next().value!);
    return { version, repeated: false };
  }

  #repeatedCompletion(request: CompleteRequest): ObjectVersion | undefined {
    const done = this.#completions.get(request.uploadId);
    if (!done || done.bucket !== request.bucket || done.key !== request.key) return undefined;
    const latest = this.latest(request.bucket, request.key);
    return latest?.kind === 'object' && latest.versionId === done.versionId && latest.etag === done.etag
      ? latest
      : undefined;
  }

  async *#concatenated(parts: readonly PartRecord[], whole?: IncrementalChecksum): AsyncGenerator<Buffer> {
    for (const part of parts) {
      const handle = await this.#blobs.open(part.blob);
      try {
        for await (const chunk of handle.createReadStream({ autoClose: false })) {
          whole?.update(chunk as Buffer);
          yield chunk as Buffer;
        }
      } finally {
        await handle.close();
      }
    }
  }

  /** AbortMultipartUpload: the upload and its parts go; of an abort and a completion racing, the first to commit wins. */
  abortUpload(uploadId: string, bucket: string, key: string): void {
    const upload = this.#existingUpload(uploadId, bucket, key);
    this.#commit({ op: 'endUpload', uploadId }, 'abort:committed');
    for (const part of upload.parts) this.#blobs.discard(part.blob);
  }

  // Events

  pendingEvents(): PendingEvents {
    const events = [...this.#state.events.values()];
    return { events: events.map((e) => e.event), through: events.at(-1)?.sequence ?? 0 };
  }

  /** Forgets the events committed up to `through` (the platform has recorded them), durably. */
  acknowledgeEvents(through: number): void {
    if (![...this.#state.events.values()].some((e) => e.sequence <= through)) return;
    this.#commit({ op: 'acknowledge', through });
  }

  /**
   * The platform has recorded one event: it is left out of the next snapshot, without a journal line
   * of its own. A kill before that snapshot replays it from the journal at the next start, which the
   * platform's ledger makes a no-op (at least once, as S3's notifications): so the events kept stay
   * as few as the platform is behind, however long the harness runs.
   */
  forgetEvent(requestId: string): void {
    this.#state.events.delete(requestId);
  }

  /** Object-created events an earlier release journaled in `DATA/events.ndjson`, taken over once. */
  async #importLegacyEvents(): Promise<void> {
    const events = await readLegacyEvents(this.layout);
    if (events === undefined) return;
    if (events.length > 0) this.#commit({ op: 'importEvents', events });
    await rm(this.layout.legacy.events, { force: true });
  }

  /** Stops taking writes, closes the journal and every body still open (its reader's answer is cut short). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#journal.close();
    await Promise.all([...this.#open].map((handle) => handle.close().catch(() => {})));
    await this.#blobs.settle();
  }
}

function invalidPart(uploadId: string, part: { partNumber: number; etag: string }): S3Error {
  return new S3Error('InvalidPart', undefined, { UploadId: uploadId, PartNumber: part.partNumber, ETag: part.etag });
}

/** The parts a completion names, checked as AWS checks them: ascending, uploaded with that ETag, all but the last 5 MiB or more. */
function chosenParts(upload: UploadRecord, requested: CompleteRequest['parts']): PartRecord[] {
  return requested.map((wanted, i) => {
    if (i > 0 && wanted.partNumber <= requested[i - 1]!.partNumber)
      throw new S3Error('InvalidPartOrder', undefined, { UploadId: upload.uploadId });
    const part = upload.parts.find((p) => p.partNumber === wanted.partNumber);
    if (!part || !sameEtag(part.etag, wanted.etag)) throw invalidPart(upload.uploadId, wanted);
    // A part's checksum named in the completion must be the one it was uploaded with.
    if (wanted.checksum && part.checksum?.[1] !== wanted.checksum[1]) throw invalidPart(upload.uploadId, wanted);
    if (i < requested.length - 1 && part.size < MIN_PART_BYTES)
      throw new S3Error('EntityTooSmall', undefined, {
        ProposedSize: part.size,
        MinSizeAllowed: MIN_PART_BYTES,
        PartNumber: part.partNumber,
        ETag: wanted.etag,
      });
    return part;
  });
}

/** AWS's ETag of a multipart object: the MD5 of the concatenated binary MD5s of its parts, then `-<parts>`. */
export function multipartEtag(parts: readonly { etag: string }[]): string {
  const md5 = createHash('md5');
  for (const part of parts) md5.update(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
  return `"${md5.digest('hex')}-${parts.length}"`;
}

async function* emptyStream(): AsyncGenerator<Buffer> {}

/**
 * The checksum of a multipart object uploaded with `x-amz-checksum-algorithm`: FULL_OBJECT, the whole
 * object's (computed as its parts are assembled); COMPOSITE, the checksum of the parts' binary checksums,
 * then `-<parts>` (none when a part came without one).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
function multipartChecksum(
  algorithm: ChecksumAlgorithm | undefined,
  parts: readonly PartRecord[],
  whole: IncrementalChecksum | undefined,
): readonly [ChecksumAlgorithm, string] | undefined {
  if (!algorithm) return undefined;
  if (whole) return [algorithm, whole.digestBase64()];
  if (!parts.every((part) => part.checksum?.[0] === algorithm)) return undefined;
  const composite = createChecksum(algorithm);
  for (const part of parts) composite.update(Buffer.from(part.checksum![1], 'base64'));
  return [algorithm, `${composite.digestBase64()}-${parts.length}`];
}
