/**
 * s3rver as the storage engine: its request handler serves the operations it gets right, and its
 * file store is read directly for what the gateway answers itself (listings, multipart state).
 */
import { createReadStream } from 'node:fs';
import { mkdir, opendir, readdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import S3rver from 's3rver';
import {
  COMMITTING_METADATA,
  recoverInterruptedWrites,
  rewriteMetadataAtomically,
  writeObjectsAtomically,
  type WritableStore,
} from './atomic-writes.ts';
import type { KeyLocks } from './key-locks.ts';
import { CONTINUES, keyPrefixOfFolder, storedKeyPath } from './long-segments.ts';

/** The parts of s3rver's FilesystemStore the gateway uses (s3rver 3.7.1, lib/stores/filesystem.js). */
interface FilesystemStore extends WritableStore {
  rootDirectory: string;
  getBucket(name: string): Promise<{ name: string; creationDate: Date } | null>;
  putBucket(name: string): Promise<unknown>;
  deleteBucket(name: string): Promise<void>;
  existsObject(bucket: string, key: string): Promise<boolean>;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    metadata: Record<string, string>,
  ): Promise<Record<string, string>>;
  deleteObject(bucket: string, key: string): Promise<void>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}

export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

const OBJECT_SUFFIX = '._S3rver_object';

/**
 * An object whose metadata file cannot be read (cut short by a full disk, edited by hand): the object
 * is left out of listings and answered with InternalError, the rest of its bucket keeps working, and
 * the harness logs one line naming the file and what to do.
 */
export class DamagedObjectError extends Error {
  readonly file: string;
  constructor(bucket: string, key: string, file: string, detail: string) {
    super(
      `the stored metadata of s3://${bucket}/${key} is damaged (${file}: ${detail}); delete the object (through S3, or its files beside that one) or restore the file from a copy`,
    );
    this.file = file;
  }
}

export interface Storage {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Buckets are created and deleted only through the gateway, so their names are kept in memory. */
  bucketExists(bucket: string): boolean;
  listBuckets(): string[];
  bucketCreatedAt(bucket: string): Promise<Date | undefined>;
  ensureBucket(bucket: string): Promise<void>;
  deleteBucket(bucket: string): Promise<void>;
  objectExists(bucket: string, key: string): Promise<boolean>;
  /** Undefined when there is no such object; throws DamagedObjectError when its metadata cannot be read. */
  headObject(bucket: string, key: string): Promise<ObjectSummary | undefined>;
  /** The summaries of these keys, leaving out (and reporting) damaged objects: a listing's view. */
  readableSummaries(bucket: string, keys: readonly string[]): Promise<ObjectSummary[]>;
  copyObject(
    src: { bucket: string; key: string },
    dest: { bucket: string; key: string },
    metadata: Record<string, string>,
  ): Promise<ObjectSummary>;
  deleteObject(bucket: string, key: string): Promise<void>;
  /** Replaces an object's metadata (its x-amz-meta-* entries and the gateway's own), not its body; false when there is no such object. */
  rewriteMetadata(
    bucket: string,
    key: string,
    change: (stored: Record<string, string>) => Record<string, string>,
  ): Promise<boolean>;
  /** Every key under a prefix, in S3's order (UTF-8 bytes). */
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  uploadsDirectory(bucket: string): string;
  objectPath(bucket: string, key: string): string;
  /** Writes an object whose bytes are a file's (an older version being copied), whole or not at all. */
  writeObjectFromFile(
    dest: { bucket: string; key: string },
    path: string,
    metadata: Record<string, string>,
  ): Promise<ObjectSummary>;
  /** The path of one of an object's two files. */
  resourcePath(bucket: string, key: string, resource: 'object' | 'metadata.json'): string;
}

/** Polls a file until it has `size` bytes (s3rver's writes report success before they flush). */
export async function waitForFileSize(path: string, size: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const current = await stat(path).then(
      (s) => s.size,
      () => -1,
    );
    if (current === size) return;
    if (Date.now() > deadline) throw new Error(`${path} has ${current} bytes after ${timeoutMs} ms, expected ${size}`);
    // The pending write usually lands within a turn of the event loop; back off only if it does not.
    await new Promise((resolve) =>
      attempt < 8 ? setImmediate(resolve) : setTimeout(resolve, Math.min(2 ** (attempt - 8), 20)),
    );
  }
}

/**
 * Every path s3rver makes goes through getResourcePath: keys with long segments get the stored path
 * long-segments.ts describes. s3rver's deleteObject removes empty folders by the key's own segments;
 * it is replaced by the same removal on the stored path.
 */
function storeLongSegments(store: FilesystemStore, directory: string): void {
  const resourcePath = store.getResourcePath.bind(store);
  store.getResourcePath = (bucket, key, resource) =>
    resourcePath(bucket, key === undefined ? undefined : storedKeyPath(key), resource);
  store.deleteObject = async (bucket, key) => {
    const files = ['object', 'object.md5', 'metadata.json'].map((r) => store.getResourcePath(bucket, key, r));
    await Promise.all(files.map((file) => rm(file, { force: true })));
    const bucketPath = join(directory, bucket);
    for (let folder = dirname(files[0]!); folder.startsWith(`${bucketPath}/`); folder = dirname(folder)) {
      const removed = await rmdir(folder).then(
        () => true,
        () => false, // not empty (or gone): the folders above are not empty either
      );
      if (!removed) return;
    }
  };
}

/** `locks`: the gateway's per-key locks; a listing reads each object's summary under its key's read lock. */
export async function createStorage(directory: string, locks: KeyLocks): Promise<Storage> {
  await mkdir(directory, { recursive: true });
  const server = new S3rver({ directory, silent: true, configureBuckets: [] });
  const store = (server as unknown as { store: FilesystemStore }).store;
  storeLongSegments(store, directory);
  writeObjectsAtomically(store);
  const recovered = await recoverInterruptedWrites(directory);
  if (recovered.finished || recovered.discarded)
    console.error(
      `[s3-harness] object writes interrupted by the last stop: ${recovered.finished} complete one(s) put in place, ${recovered.discarded} unfinished one(s) removed (never acknowledged)`,
    );
  const handler = server.callback();
  const buckets = new Set(
    (await readdir(directory, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
  );

  const headObject = async (bucket: string, key: string): Promise<ObjectSummary | undefined> => {
    try {
      const metadata = await store.getMetadata(bucket, key);
      return {
        key,
        metadata,
        size: Number(metadata['content-length']),
        etag: metadata.etag ?? '""',
        lastModified: new Date(metadata['last-modified'] ?? 0),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (error instanceof SyntaxError)
        throw new DamagedObjectError(bucket, key, store.getResourcePath(bucket, key, 'metadata.json'), error.message);
      throw error;
    }
  };
  // One line per damaged file, however often it is met.
  const reported = new Set<string>();
  const reportDamaged = (error: DamagedObjectError) => {
    if (reported.has(error.file)) return;
    reported.add(error.file);
    console.error(`[s3-harness] ${error.message}`);
  };
  // s3rver's own handlers (GET, HEAD) read the metadata too: it answers InternalError, and the harness names the file.
  // (S3rver is a Koa application: it emits its handlers' errors with their context.)
  (server as unknown as { on(event: 'error', listener: (error: unknown, ctx?: { path?: string }) => void): void }).on(
    'error',
    (error, ctx) => {
      if (!(error instanceof SyntaxError) || !ctx?.path) return;
      const [bucket = '', ...rest] = ctx.path.slice(1).split('/');
      const key = rest.map((segment) => decodeURIComponent(segment)).join('/');
      reportDamaged(
        new DamagedObjectError(bucket, key, store.getResourcePath(bucket, key, 'metadata.json'), error.message),
      );
    },
  );

  return {
    handle: (req, res) => void handler(req, res),
    bucketExists: (bucket) => buckets.has(bucket),
    listBuckets: () => [...buckets].sort(),
    bucketCreatedAt: async (bucket) => (await store.getBucket(bucket))?.creationDate,
    async ensureBucket(bucket) {
      await store.putBucket(bucket);
      buckets.add(bucket);
    },
    async deleteBucket(bucket) {
      buckets.delete(bucket);
      await rm(join(directory, bucket), { recursive: true, force: true });
    },
    objectExists: (bucket, key) => store.existsObject(bucket, key),
    headObject,
    async readableSummaries(bucket, keys) {
      const summaries = await Promise.all(
        keys.map(async (key) => {
          // Under the key's lock: never between the two files of a write being put in place.
          const release = await locks.read(`${bucket}/${key}`);
          return headObject(bucket, key)
            .catch((error: unknown) => {
              if (!(error instanceof DamagedObjectError)) throw error;
              reportDamaged(error);
              return undefined;
            })
            .finally(release);
        }),
      );
      return summaries.filter((s): s is ObjectSummary => s !== undefined);
    },
    async copyObject(src, dest, metadata) {
      await store.copyObject(src.bucket, src.key, dest.bucket, dest.key, metadata);
      return (await headObject(dest.bucket, dest.key))!;
    },
    deleteObject: (bucket, key) => store.deleteObject(bucket, key),
    rewriteMetadata: (bucket, key, change) => rewriteMetadataAtomically(store, bucket, key, change),
    listKeys: (bucket, prefix) => listKeys(join(directory, bucket), prefix),
    uploadsDirectory: (bucket) => store.getResourcePath(bucket, undefined, 'uploads'),
    objectPath: (bucket, key) => store.getResourcePath(bucket, key, 'object'),
    resourcePath: (bucket, key, resource) => store.getResourcePath(bucket, key, resource),
    async writeObjectFromFile(dest, path, metadata) {
      await store.putObject({ bucket: dest.bucket, key: dest.key, content: createReadStream(path), metadata });
      return (await headObject(dest.bucket, dest.key))!;
    },
  };
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Walks the bucket folder, entering only directories that can hold keys under `prefix`. */
async function listKeys(bucketPath: string, prefix: string): Promise<string[]> {
  const keys = new Set<string>();
  const walk = async (dir: string, keyPrefix: string): Promise<void> => {
    let handle;
    try {
      handle = await opendir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for await (const entry of handle) {
      if (entry.isDirectory()) {
        // s3rver's uploads folder is skipped; a piece of a long segment continues the key (long-segments.ts)
        if (entry.name.includes('._S3rver_') && !entry.name.endsWith(CONTINUES)) continue;
        const childPrefix = keyPrefix + keyPrefixOfFolder(entry.name);
        if (childPrefix.startsWith(prefix) || prefix.startsWith(childPrefix))
          await walk(join(dir, entry.name), childPrefix);
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        const key = keyPrefix + entry.name.slice(0, -OBJECT_SUFFIX.length);
        if (key.startsWith(prefix)) keys.add(key);
      } else {
        // A write being put in place: its body may be between unlink and rename (atomic-writes.ts).
        const committing = COMMITTING_METADATA.exec(entry.name);
        if (committing && (keyPrefix + committing[1]).startsWith(prefix)) keys.add(keyPrefix + committing[1]);
      }
    }
  };
  await walk(bucketPath, '');
  return [...keys].sort(compareKeys);
}

export interface UploadPartInfo {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: Date;
}

export interface UploadInfo {
  uploadId: string;
  key: string;
  initiated: Date;
  metadata: Record<string, string>;
}

export async function readUpload(storage: Storage, bucket: string, uploadId: string): Promise<UploadInfo | undefined> {
  if (!/^[0-9a-f]+$/i.test(uploadId)) return undefined;
  const dir = join(storage.uploadsDirectory(bucket), uploadId);
  try {
    const [key, metadata, info] = await Promise.all([
      readFile(join(dir, 'key'), 'utf8'),
      readFile(join(dir, 'metadata'), 'utf8'),
      stat(dir),
    ]);
    return { uploadId, key, initiated: info.birthtime, metadata: JSON.parse(metadata) as Record<string, string> };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function listUploadIds(storage: Storage, bucket: string): Promise<string[]> {
  try {
    return (await readdir(storage.uploadsDirectory(bucket))).filter((name) => /^[0-9a-f]+$/i.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function listUploadParts(storage: Storage, bucket: string, uploadId: string): Promise<UploadPartInfo[]> {
  const dir = uploadDirectory(storage, bucket, uploadId);
  const names = (await readdir(dir)).filter((name) => /^\d+$/.test(name));
  const parts = await Promise.all(
    names.map(async (name) => {
      const [info, md5] = await Promise.all([
        stat(join(dir, name)),
        readFile(join(dir, `${name}.md5`), 'utf8').catch(() => ''),
      ]);
      return { partNumber: Number(name), size: info.size, etag: `"${md5.trim()}"`, lastModified: info.mtime };
    }),
  );
  return parts.sort((a, b) => a.partNumber - b.partNumber);
}

export function uploadDirectory(storage: Storage, bucket: string, uploadId: string): string {
  return join(storage.uploadsDirectory(bucket), uploadId);
}
