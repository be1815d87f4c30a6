/**
 * Object writes that are whole or absent (docs/durability.md, "Atomic object writes"). s3rver writes
 * an object into its final file and answers before the file is flushed, so a full disk, a read-only
 * folder or a kill mid-write leaves a short object that is then served. Here every write (PUT, the
 * end of a multipart upload, a copy) goes to temporary files beside the object's, written in full,
 * then put in place: the body, then the metadata (which carries the body's MD5, so an object is two
 * files, not s3rver's three). The metadata's temporary file marks the write as complete: at start, a
 * write interrupted while being put in place is finished, and one interrupted before is discarded.
 *
 * A file is put in place by unlinking the old one and renaming, not by renaming over it: ext4 forces
 * the data of a file renamed over another out to disk (auto_da_alloc), which made every overwrite
 * several times slower (measured: 3 files renamed over 655-700 writes/s, unlinked then renamed
 * 1,100-1,500, s3rver's direct writes 1,700). Between the unlink and the rename the object is absent:
 * readers hold the key's lock (key-locks.ts), and the bucket listing counts a key whose write is
 * being put in place (listing-visible names below), so no request sees the gap.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, opendir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dataFolderFault } from './data-folder-fault.ts';
import { heldBytes } from './request-body.ts';

/** What s3rver's FilesystemStore (3.7.1, lib/stores/filesystem.js) hands its putObject and needs back. */
interface StoredObject {
  bucket: string;
  key: string;
  content: Buffer | Readable;
  metadata: Record<string, string>;
}

export interface WritableStore {
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    metadata?: Record<string, string>,
  ): Promise<Record<string, string>>;
}

const require = createRequire(import.meta.url);
/** The metadata s3rver keeps (its putMetadata's choice): the standard headers and x-amz-meta-*. */
const { ALLOWED_METADATA } = require('s3rver/lib/models/object.js') as { ALLOWED_METADATA: string[] };
/** s3rver's error, which its handlers answer with the code's status. */
const S3rverError = require('s3rver/lib/models/error.js') as new (code: string, message: string) => Error;

/** An object's files, in the order they are put in place: the metadata last. */
const RESOURCES = ['object', 'metadata.json'] as const;
const TEMPORARY = '.tmp-';
const TEMPORARY_NAME = /^(.*\._S3rver_(?:object|metadata\.json))\.tmp-([0-9a-f]+)$/;
/** The metadata file of a write being put in place: its key is in the bucket, old or new. */
export const COMMITTING_METADATA = /^(.*)\._S3rver_metadata\.json\.tmp-[0-9a-f]+$/;
/** The body's MD5 (the ETag), kept in the metadata file; objects written before keep s3rver's `.md5` file. */
export const MD5_FIELD = 's3-harness-md5';

function keptMetadata(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(metadata).filter(([name]) => ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-')),
  );
}

/** Writes the body to `path`, resolving once every byte has been written, with its length and MD5. */
async function writeBody(content: Buffer | Readable, path: string): Promise<{ size: number; md5: string }> {
  const md5 = createHash('md5');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  if (Buffer.isBuffer(content)) {
    await writeFile(path, content);
    return { size: content.length, md5: md5.update(content).digest('hex') };
  }
  await pipeline(content, measure, createWriteStream(path));
  return { size, md5: md5.digest('hex') };
}

/**
 * A body the gateway holds in memory (up to its memory limit, 8 MiB by default) is written with
 * synchronous calls: a few tens of microseconds each on this thread, where each asynchronous call
 * waits its turn in libuv's pool of four (measured under the gateway bench: 2-3 ms a step, 9.5 ms a
 * PUT, 1.32-1.45x bare s3rver against 1.06-1.14x without atomic writes). Larger bodies stream.
 */
async function putObjectAtomically(store: WritableStore, object: StoredObject): Promise<{ size: number; md5: string }> {
  const files = objectFiles(store, object);
  const held = Buffer.isBuffer(object.content) ? object.content : heldBytes(object.content);
  if (held) {
    if (!Buffer.isBuffer(object.content)) object.content.destroy(); // its bytes are the ones held
    return writeHeld(files, held, object.metadata);
  }
  await mkdir(dirname(files.body), { recursive: true });
  let written;
  try {
    written = await writeBody(object.content, files.temporary(files.body));
    await writeFile(files.temporary(files.metadata), metadataText(object.metadata, written.md5));
  } catch (error) {
    await Promise.all([files.body, files.metadata].map((path) => rm(files.temporary(path), { force: true })));
    throw error;
  }
  // Complete: from here a restart finishes the job (a rename fails only when the folder itself does).
  for (const path of [files.body, files.metadata]) putInPlace(files.temporary(path), path);
  return written;
}

interface ObjectFiles {
  body: string;
  metadata: string;
  temporary(path: string): string;
}

function objectFiles(store: WritableStore, object: Pick<StoredObject, 'bucket' | 'key'>): ObjectFiles {
  const id = randomBytes(6).toString('hex');
  return {
    body: store.getResourcePath(object.bucket, object.key, 'object'),
    metadata: store.getResourcePath(object.bucket, object.key, 'metadata.json'),
    temporary: (path) => `${path}${TEMPORARY}${id}`,
  };
}

function metadataText(metadata: Record<string, string>, md5: string): string {
  return JSON.stringify({ ...keptMetadata(metadata), [MD5_FIELD]: md5 }, null, 2);
}

function writeHeld(files: ObjectFiles, bytes: Buffer, metadata: Record<string, string>): { size: number; md5: string } {
  const md5 = createHash('md5').update(bytes).digest('hex');
  try {
    try {
      writeFileSync(files.temporary(files.body), bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      mkdirSync(dirname(files.body), { recursive: true }); // the key's first object in this folder
      writeFileSync(files.temporary(files.body), bytes);
    }
    writeFileSync(files.temporary(files.metadata), metadataText(metadata, md5));
  } catch (error) {
    for (const path of [files.body, files.metadata]) unlinkQuietly(files.temporary(path));
    throw error;
  }
  for (const path of [files.body, files.metadata]) putInPlace(files.temporary(path), path);
  return { size: bytes.length, md5 };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Unlink, then rename: never a rename over the old file (see above). Synchronous: two cheap directory changes. */
function putInPlace(temporary: string, path: string): void {
  unlinkQuietly(path);
  renameSync(temporary, path);
}

/**
 * s3rver's getMetadata, reading the MD5 from the metadata file (objects written before atomic writes
 * have it in a `.md5` file: s3rver's own reading serves them).
 */
async function readMetadata(
  store: WritableStore,
  ownReading: WritableStore['getMetadata'],
  bucket: string,
  key: string,
): Promise<Record<string, string>> {
  const text = await readFile(store.getResourcePath(bucket, key, 'metadata.json'), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    },
  );
  const stored = text === undefined ? undefined : (JSON.parse(text) as Record<string, string>); // a SyntaxError names a damaged file
  if (typeof stored?.[MD5_FIELD] !== 'string') return ownReading(bucket, key);
  const { [MD5_FIELD]: md5, ...metadata } = stored;
  const info = await stat(store.getResourcePath(bucket, key, 'object'));
  return {
    ...metadata,
    etag: JSON.stringify(md5),
    'last-modified': info.mtime.toUTCString(),
    'content-length': info.size as unknown as string, // as s3rver gives it: a number
  };
}

/** Makes every object write of the store whole or absent. */
export function writeObjectsAtomically(store: WritableStore): void {
  const ownReading = store.getMetadata.bind(store);
  store.getMetadata = (bucket, key) => readMetadata(store, ownReading, bucket, key);
  // Through s3rver's handlers (PUT, the end of a multipart upload): a data-folder fault is a 503 there too.
  store.putObject = (object) =>
    putObjectAtomically(store, object).catch((error: unknown) => {
      const fault = dataFolderFault(error);
      if (!fault) throw error;
      console.error(`[s3-harness] s3://${object.bucket}/${object.key}: ${dataFolderFault(error, { where: true })}`);
      throw new S3rverError('ServiceUnavailable', fault);
    });
  // A copy is a write of the source's bytes under the destination's key (the same key too: the
  // source is read before the rename replaces it).
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, metadata) => {
    const source = (resource: string) => store.getResourcePath(srcBucket, srcKey, resource);
    const kept = metadata ?? (JSON.parse(await readFile(source('metadata.json'), 'utf8')) as Record<string, string>);
    await putObjectAtomically(store, {
      bucket: destBucket,
      key: destKey,
      content: createReadStream(source('object')),
      metadata: kept,
    });
    return store.getMetadata(destBucket, destKey);
  };
}

/**
 * Replaces an object's metadata, not its body (PutObjectTagging, say): the metadata file is written in
 * full beside the old one and put in place, so a stop leaves the old metadata or the new, never a
 * mix (recovery finishes a complete one). False when there is no such object.
 */
export async function rewriteMetadataAtomically(
  store: WritableStore,
  bucket: string,
  key: string,
  change: (stored: Record<string, string>) => Record<string, string>,
): Promise<boolean> {
  const files = objectFiles(store, { bucket, key });
  const text = await readFile(files.metadata, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return false;
  const changed = change(JSON.parse(text) as Record<string, string>);
  try {
    writeFileSync(files.temporary(files.metadata), JSON.stringify(changed, null, 2));
  } catch (error) {
    unlinkQuietly(files.temporary(files.metadata));
    throw error;
  }
  putInPlace(files.temporary(files.metadata), files.metadata);
  return true;
}

export interface RecoveredWrites {
  /** Writes complete before the stop, renamed into place now. */
  finished: number;
  /** Writes cut short before they were complete (never acknowledged), removed. */
  discarded: number;
}

/** Finishes or discards the writes a stop interrupted, in every bucket folder under `directory`. */
export async function recoverInterruptedWrites(directory: string): Promise<RecoveredWrites> {
  const groups = new Map<string, Map<string, string>>(); // write -> (final path -> its temporary file)
  const walk = async (folder: string): Promise<void> => {
    for await (const entry of await opendir(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      const match = TEMPORARY_NAME.exec(entry.name);
      if (!match) continue;
      const [, finalName, id] = match as unknown as [string, string, string];
      const write = `${folder}\n${id}`;
      if (!groups.has(write)) groups.set(write, new Map());
      groups.get(write)!.set(join(folder, finalName), path);
    }
  };
  await walk(directory).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  const recovered: RecoveredWrites = { finished: 0, discarded: 0 };
  for (const files of groups.values()) {
    const metadata = [...files].find(([path]) => path.endsWith('._S3rver_metadata.json'));
    const complete = metadata && (await readFile(metadata[1], 'utf8').then(isJson, () => false));
    if (complete) {
      const order = (path: string) => RESOURCES.findIndex((r) => path.endsWith(`._S3rver_${r}`));
      const inOrder = [...files].sort(([a], [b]) => order(a) - order(b));
      for (const [path, temporary] of inOrder) putInPlace(temporary, path);
      recovered.finished++;
    } else {
      await Promise.all([...files.values()].map((temporary) => rm(temporary, { force: true })));
      recovered.discarded++;
    }
  }
  return recovered;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
