/**
 * Object operations. Reads, writes and deletes are decided here and then handed to s3rver's own
 * handler; copies and multipart bookkeeping that s3rver lacks or gets wrong are answered here.
 */
import { rm } from 'node:fs/promises';
import { assertBucketExists } from './access.ts';
import { readBody, ownerOf } from './bucket-handlers.ts';
import {
  headerOf,
  objectEvent,
  recordCreated,
  sendEmpty,
  sendXml,
  type GatewayRequest,
  type GatewayServices,
} from './context.ts';
import {
  forwardToStorage,
  RESERVED_META_PREFIX,
  SSE_META,
  TAGGING_META,
  UPLOADER_META,
  type ForwardOptions,
} from './forward.ts';
import { storedTags } from './object-tags.ts';
import { assertOwnerOnlyAcl } from './acl.ts';
import { answerForError } from './error-answer.ts';
import { assertSafeKey } from './key-safety.ts';
import { parseCopySource, requestedTags } from './operations.ts';
import type { SpooledBody } from './request-body.ts';
import { renderS3Error, S3Error } from './s3-errors.ts';
import { join } from 'node:path';
import { listUploadParts, readUpload, uploadDirectory, waitForFileSize, type UploadInfo } from './storage.ts';
import { parseXml, xmlDocument } from './xml.ts';
import { sendStoredObject } from './send-object.ts';
import { VERSION_META } from './versions.ts';
import {
  answerVersionedRead,
  copyAnswerHeaders,
  deleteAnswerHeaders,
  deleteKey,
  prepareVersionedWrite,
  readCopySource,
  type VersionedWrite,
} from './versioning.ts';

/** Every part but the last must be at least 5 MiB. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
/** Metadata a copy keeps (COPY) or takes from the request (REPLACE), as s3rver stores it. */
const COPIED_METADATA = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
];

/** The SSE a write asks for, checked: SSE-S3 only, as the product offers. */
export function requestedSse(s: GatewayServices, g: GatewayRequest, bucket: string): string | undefined {
  const value = headerOf(g.req, 'x-amz-server-side-encryption');
  if (headerOf(g.req, 'x-amz-server-side-encryption-customer-algorithm') !== undefined) {
    throw new S3Error('NotImplemented', 'SSE-C (customer-provided keys) is not emulated by s3-harness.');
  }
  if (value === undefined) {
    return s.workspace.buckets.find((b) => b.name === bucket)?.defaultEncryption === 'AES256' ? 'AES256' : undefined;
  }
  if (value === 'AES256') return value;
  if (value.startsWith('aws:kms'))
    throw new S3Error(
      'NotImplemented',
      'SSE-KMS is not emulated by s3-harness (the product offers SSE-S3, AES256, only).',
    );
  throw new S3Error('InvalidArgument', 'The encryption method specified is not supported', {
    ArgumentName: 'x-amz-server-side-encryption',
    ArgumentValue: value,
  });
}

function writeMetadata(g: GatewayRequest, sse: string | undefined, tagging?: string): Record<string, string> {
  const tags = tagging ?? storedTags(requestedTags(g.operation, g.req.headers) ?? []);
  return {
    ...(sse ? { [SSE_META]: sse } : {}),
    ...(g.caller.user ? { [UPLOADER_META]: g.caller.user.name } : {}),
    ...(tags ? { [TAGGING_META]: tags } : {}),
  };
}

function forwardOptions(g: GatewayRequest, extra: Partial<ForwardOptions> = {}): ForwardOptions {
  return {
    path: g.path,
    rawQuery: g.rawQuery,
    requestId: g.requestId,
    hostId: g.hostId,
    errorAnswer: failedWrite(g),
    ...extra,
  };
}

/** The answer to a write that failed after s3rver took it (the event journal, an upload part's flush): 503 for a data-folder fault. */
function failedWrite(
  g: GatewayRequest,
): (error: unknown) => { status: number; headers: Record<string, string>; body: string } {
  return (error) => {
    const { s3Error, logLine } = answerForError(error);
    console.error(
      `[s3-harness] ${g.req.method} ${g.req.url} (request ${g.requestId}): ${logLine ?? `the write could not be completed: ${(error as Error).message}`}`,
    );
    const body = renderS3Error(s3Error, g.requestId, g.hostId);
    return {
      status: s3Error.status,
      headers: { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) },
      body,
    };
  };
}

function onClose(g: GatewayRequest, ...cleanups: (() => unknown)[]): void {
  g.res.once('close', () => {
    for (const cleanup of cleanups) void cleanup();
  });
}

/**
 * A read holds the key's lock until its body's file is open and the first bytes leave, not until the
 * client has read them all: a write then puts new files in place while the reader keeps the old file
 * it opened (atomic-writes.ts). A client that stalls mid-body never blocks the key's writers.
 */
function releaseOnFirstByte(g: GatewayRequest, release: () => void): void {
  let released = false;
  const releaseOnce = () => {
    if (released) return;
    released = true;
    release();
  };
  const write = g.res.write.bind(g.res) as (...args: unknown[]) => boolean;
  (g.res as { write: unknown }).write = (...args: unknown[]) => {
    releaseOnce();
    return write(...args);
  };
  onClose(g, releaseOnce);
}

interface LockedVersionedWrite {
  metadata: Record<string, string>;
  responseHeaders: Record<string, string>;
  /** The new version's id for the object-created event (the ledger keys on it). */
  eventFields: { versionId?: string };
  /** The write is in place: called before its 200. */
  succeeded(): Promise<void>;
}

/**
 * A write under the key's write lock (`release`), in a bucket that may be versioned: the latest
 * version is kept first; when the answer closes without success, that is undone before the lock goes.
 */
async function versionedWriteUnderLock(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
  release: () => void,
  ...cleanups: (() => unknown)[]
): Promise<LockedVersionedWrite> {
  let done = false;
  let version: VersionedWrite | undefined;
  onClose(
    g,
    async () => {
      try {
        if (!done) await version?.finish(false);
      } finally {
        release();
      }
    },
    ...cleanups,
  );
  version = await prepareVersionedWrite(s, bucket, key);
  const prepared = version;
  return {
    metadata: prepared.metadata,
    responseHeaders: prepared.responseHeaders,
    eventFields: prepared.versionId && prepared.versionId !== 'null' ? { versionId: prepared.versionId } : {},
    async succeeded() {
      done = true;
      await prepared.finish(true);
    },
  };
}

function rejectReservedMetadata(g: GatewayRequest): void {
  const reserved = Object.keys(g.req.headers).find((name) => name.startsWith(RESERVED_META_PREFIX));
  if (reserved)
    throw new S3Error(
      'InvalidArgument',
      `Metadata names starting with "${RESERVED_META_PREFIX}" are reserved by s3-harness.`,
      { ArgumentName: reserved },
    );
}

export async function getObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertBucketExists(s, bucket);
  releaseOnFirstByte(g, await s.locks.read(`${bucket}/${key}`));
  // The latest version, in place, is s3rver's to answer; an older one or a delete marker is answered here.
  const named = g.operation.query.has('versionId');
  if (!named && g.req.headers.range === undefined && (await s.storage.objectExists(bucket, key))) {
    forwardToStorage(s.storage.handle, g.req, g.res, forwardOptions(g));
    return;
  }
  if (!named) {
    // A ranged GET: s3rver gets `bytes=0-0` and `bytes=-N` wrong, so the gateway answers it.
    const current = await s.storage.headObject(bucket, key);
    if (current) {
      const versionId = current.metadata[VERSION_META];
      await sendStoredObject(g, { ...current, ...(versionId ? { versionId } : {}) }, s.storage.objectPath(bucket, key));
      return;
    }
  }
  const current = named ? await s.storage.headObject(bucket, key) : undefined;
  if (await answerVersionedRead(s, g, bucket, key, current)) return;
  // The version named is the latest: s3rver answers it (without the query it does not know).
  const rawQuery = g.rawQuery
    .split('&')
    .filter((pair) => !pair.startsWith('versionId='))
    .join('&');
  forwardToStorage(s.storage.handle, g.req, g.res, forwardOptions(g, { rawQuery }));
}

/**
 * Conditional writes: `If-None-Match: *` refuses to overwrite; `If-Match: ETAG` writes only over that
 * ETag (a missing object: 404 NoSuchKey). Checked under the key's write lock.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
async function failedWriteCondition(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<S3Error | undefined> {
  const ifNoneMatch = headerOf(g.req, 'if-none-match');
  const ifMatch = headerOf(g.req, 'if-match');
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  const current = await s.storage.headObject(bucket, key);
  const failed = (condition: string) =>
    new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition,
    });
  if (ifNoneMatch === '*' && current) return failed('If-None-Match');
  if (ifMatch !== undefined) {
    if (!current) return new S3Error('NoSuchKey', undefined, { Key: key });
    if (ifMatch !== '*' && ifMatch !== current.etag) return failed('If-Match');
  }
  return undefined;
}

export async function putObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  rejectReservedMetadata(g);
  assertOwnerOnlyAcl(g);
  const sse = requestedSse(s, g, bucket);
  assertBucketExists(s, bucket);
  const body = await readBody(s, g);
  const release = await s.locks.write(`${bucket}/${key}`);
  const refused = await failedWriteCondition(s, g, bucket, key);
  if (refused) {
    release();
    await body.dispose();
    throw refused;
  }
  const version = await versionedWriteUnderLock(s, g, bucket, key, release, () => body.dispose());
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      body,
      extraHeaders: { ...writeMetadata(g, sse), ...version.metadata },
      responseHeaders: { ...(sse ? { 'x-amz-server-side-encryption': sse } : {}), ...version.responseHeaders },
      // The object's files are in place when s3rver answers (atomic-writes.ts): journal the drop, then the 200.
      beforeSuccessEnd: async () => {
        await version.succeeded();
        recordCreated(
          s,
          g,
          objectEvent(g, 'ObjectCreated:Put', bucket, key, {
            size: body.length,
            etag: String(g.res.getHeader('etag') ?? ''),
            ...version.eventFields,
          }),
        );
      },
    }),
  );
}

/** Deletes the object, or the version `?versionId=` names; in a versioned bucket, a delete marker is added. */
export async function deleteObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertBucketExists(s, bucket);
  const release = await s.locks.write(`${bucket}/${key}`);
  try {
    const outcome = await deleteKey(s, bucket, key, g.operation.query.get('versionId'), new Date(g.now));
    if (outcome.removedCurrent) s.events.emit('objectRemoved', objectEvent(g, 'ObjectRemoved:Delete', bucket, key));
    sendEmpty(g.res, 204, deleteAnswerHeaders(outcome));
  } finally {
    release();
  }
}

/**
 * `x-amz-copy-source-if-match`, `-if-none-match`, `-if-unmodified-since` and `-if-modified-since`: a
 * copy of a source that fails them is 412 PreconditionFailed. A matching If-Match overrides a failed
 * If-Unmodified-Since, a failing If-None-Match wins over If-Modified-Since, as AWS documents.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
function assertCopySourceConditions(g: GatewayRequest, source: { etag: string; lastModified: Date }): void {
  const header = (name: string) => headerOf(g.req, `x-amz-copy-source-${name}`);
  const [ifMatch, ifNoneMatch] = [header('if-match'), header('if-none-match')];
  const modified = (since: string | undefined) =>
    since !== undefined && Date.parse(since) < source.lastModified.getTime() - 999;
  const matches = (etags: string) => etags.split(',').some((e) => e.trim() === '*' || e.trim() === source.etag);
  const failed =
    (ifMatch !== undefined && !matches(ifMatch)) ||
    (ifMatch === undefined && modified(header('if-unmodified-since'))) ||
    (ifNoneMatch !== undefined && matches(ifNoneMatch)) ||
    (ifNoneMatch === undefined && header('if-modified-since') !== undefined && !modified(header('if-modified-since')));
  if (failed)
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'x-amz-copy-source-If-Match',
    });
}

/** @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html */
export async function copyObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  rejectReservedMetadata(g);
  assertOwnerOnlyAcl(g);
  const source = parseCopySource(String(headerOf(g.req, 'x-amz-copy-source')));
  assertSafeKey(source.key);
  const sse = requestedSse(s, g, bucket);
  const directive = headerOf(g.req, 'x-amz-metadata-directive') ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown metadata directive.', {
      ArgumentName: 'x-amz-metadata-directive',
      ArgumentValue: directive,
    });
  }
  const tagDirective = headerOf(g.req, 'x-amz-tagging-directive') ?? 'COPY';
  if (tagDirective !== 'COPY' && tagDirective !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 'Unknown tagging directive.', {
      ArgumentName: 'x-amz-tagging-directive',
      ArgumentValue: tagDirective,
    });
  }
  assertBucketExists(s, bucket);
  assertBucketExists(s, source.bucket);
  const sameKey = source.bucket === bucket && source.key === key && source.versionId === undefined;
  if (sameKey && directive === 'COPY' && headerOf(g.req, 'x-amz-server-side-encryption') === undefined) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const sourceLock = `${source.bucket}/${source.key}`;
  const releaseSource = sourceLock === `${bucket}/${key}` ? () => {} : await s.locks.read(sourceLock);
  const releaseDest = await s.locks.write(`${bucket}/${key}`);
  let version: VersionedWrite | undefined;
  try {
    const copySource = await readCopySource(s, g, source);
    const original = copySource.object;
    assertCopySourceConditions(g, original);
    version = await prepareVersionedWrite(s, bucket, key);
    const from =
      directive === 'COPY'
        ? original.metadata
        : Object.fromEntries(Object.entries(g.req.headers).map(([n, v]) => [n, String(v)]));
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(from)) {
      if (COPIED_METADATA.includes(name) || (name.startsWith('x-amz-meta-') && !name.startsWith(RESERVED_META_PREFIX)))
        metadata[name] = value;
    }
    // Tags are copied unless x-amz-tagging-directive is REPLACE.
    const tagging = tagDirective === 'REPLACE' ? undefined : (original.metadata[TAGGING_META] ?? '');
    const copied = await copySource.copyTo(
      { bucket, key },
      { ...metadata, ...writeMetadata(g, sse, tagging), ...version.metadata },
    );
    await version.finish(true);
    version = undefined;
    const versionId = copied.metadata[VERSION_META];
    recordCreated(
      s,
      g,
      objectEvent(g, 'ObjectCreated:Copy', bucket, key, {
        size: copied.size,
        etag: copied.etag,
        ...(versionId ? { versionId } : {}),
      }),
    );
    sendXml(
      g.res,
      200,
      xmlDocument('CopyObjectResult', { LastModified: copied.lastModified.toISOString(), ETag: copied.etag }),
      {
        ...(sse ? { 'x-amz-server-side-encryption': sse } : {}),
        ...copyAnswerHeaders(copySource.versionId, copied),
      },
    );
  } finally {
    await version?.finish(false);
    releaseSource();
    releaseDest();
  }
}

export async function createMultipartUpload(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  rejectReservedMetadata(g);
  assertOwnerOnlyAcl(g);
  const sse = requestedSse(s, g, bucket);
  assertBucketExists(s, bucket);
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      extraHeaders: writeMetadata(g, sse),
      responseHeaders: sse ? { 'x-amz-server-side-encryption': sse } : {},
    }),
  );
}

export async function existingUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<UploadInfo> {
  assertBucketExists(s, bucket);
  const uploadId = g.operation.query.get('uploadId') ?? '';
  const upload = await readUpload(s.storage, bucket, uploadId);
  if (!upload || upload.key !== key) throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
  return upload;
}

function uploadSse(upload: UploadInfo): Record<string, string> {
  const sse = upload.metadata[SSE_META];
  return sse ? { 'x-amz-server-side-encryption': sse } : {};
}

/** The `partNumber` query parameter: 1 to 10,000. */
export function partNumberOf(g: GatewayRequest): number {
  const text = g.operation.query.get('partNumber') ?? '';
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
      ArgumentName: 'partNumber',
      ArgumentValue: text,
    });
  }
  return partNumber;
}

export async function uploadPart(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  const partNumber = partNumberOf(g);
  const upload = await existingUpload(s, g, bucket, key);
  const body = await readBody(s, g);
  onClose(g, () => body.dispose());
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      body,
      responseHeaders: uploadSse(upload),
      beforeSuccessEnd: () =>
        waitForFileSize(join(uploadDirectory(s.storage, bucket, upload.uploadId), String(partNumber)), body.length),
    }),
  );
}

interface RequestedPart {
  partNumber: number;
  etag: string;
}

function parseCompletion(text: string): RequestedPart[] {
  const root = parseXml(text)?.CompleteMultipartUpload as Record<string, unknown> | undefined;
  const parts = (root?.Part as Record<string, unknown>[] | undefined) ?? [];
  if (!root || parts.length === 0) throw new S3Error('MalformedXML');
  return parts.map((part) => {
    const partNumber = Number(part?.PartNumber);
    if (!Number.isInteger(partNumber) || typeof part?.ETag !== 'string') throw new S3Error('MalformedXML');
    return { partNumber, etag: part.ETag.replace(/"/g, '').trim() };
  });
}

/** Checks a completion against the stored parts, so s3rver never sees one that would crash it. */
async function validateCompletion(
  s: GatewayServices,
  bucket: string,
  uploadId: string,
  requested: RequestedPart[],
): Promise<void> {
  const stored = new Map((await listUploadParts(s.storage, bucket, uploadId)).map((p) => [p.partNumber, p]));
  requested.forEach((part, i) => {
    if (i > 0 && part.partNumber <= requested[i - 1]!.partNumber)
      throw new S3Error('InvalidPartOrder', undefined, { UploadId: uploadId });
    const found = stored.get(part.partNumber);
    if (!found || found.etag.replace(/"/g, '') !== part.etag) {
      throw new S3Error('InvalidPart', undefined, { UploadId: uploadId, PartNumber: part.partNumber, ETag: part.etag });
    }
    if (i < requested.length - 1 && found.size < MIN_PART_BYTES) {
      throw new S3Error('EntityTooSmall', undefined, {
        ProposedSize: found.size,
        MinSizeAllowed: MIN_PART_BYTES,
        PartNumber: part.partNumber,
        ETag: part.etag,
      });
    }
  });
}

export async function completeMultipartUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  if (await answeredRepeat(s, g, bucket, key)) return;
  const upload = await existingUpload(s, g, bucket, key);
  const body: SpooledBody = await readBody(s, g);
  try {
    await validateCompletion(s, bucket, upload.uploadId, parseCompletion(await body.text()));
  } catch (error) {
    await body.dispose();
    throw error;
  }
  const release = await s.locks.write(`${bucket}/${key}`);
  const refused = await failedWriteCondition(s, g, bucket, key);
  if (refused) {
    release();
    await body.dispose();
    throw refused;
  }
  const version = await versionedWriteUnderLock(s, g, bucket, key, release, () => body.dispose());
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      body,
      responseHeaders: { ...uploadSse(upload), ...version.responseHeaders },
      beforeSuccessEnd: async () => {
        // The upload's metadata was fixed at its creation: the version id is added now.
        if (Object.keys(version.metadata).length)
          await s.storage.rewriteMetadata(bucket, key, (stored) => ({ ...stored, ...version.metadata }));
        await version.succeeded();
        const o = await s.storage.headObject(bucket, key);
        if (o) s.completedUploads.remember(upload.uploadId, { bucket, key, etag: o.etag });
        recordCreated(
          s,
          g,
          objectEvent(g, 'ObjectCreated:CompleteMultipartUpload', bucket, key, {
            ...(o ? { size: o.size, etag: o.etag } : {}),
            ...version.eventFields,
          }),
        );
      },
    }),
  );
}

/**
 * A CompleteMultipartUpload repeated after it succeeded (a client retrying a lost answer) is answered
 * 200 with the same ETag while the key still holds that upload's object, as AWS answers it.
 */
async function answeredRepeat(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<boolean> {
  assertBucketExists(s, bucket);
  const completed = s.completedUploads.find(g.operation.query.get('uploadId') ?? '', bucket, key);
  if (!completed) return false;
  const current = await s.storage.headObject(bucket, key);
  if (current?.etag !== completed.etag) return false;
  await (await readBody(s, g)).dispose();
  sendXml(
    g.res,
    200,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `http://${g.req.headers.host ?? 'localhost'}${g.path}`,
      Bucket: bucket,
      Key: key,
      ETag: completed.etag,
    }),
  );
  return true;
}

export async function abortMultipartUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  const upload = await existingUpload(s, g, bucket, key);
  await rm(uploadDirectory(s.storage, bucket, upload.uploadId), { recursive: true, force: true });
  sendEmpty(g.res, 204);
}

export async function listParts(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  const upload = await existingUpload(s, g, bucket, key);
  const marker = Number(g.operation.query.get('part-number-marker') ?? 0) || 0;
  const maxParts = Math.min(Number(g.operation.query.get('max-parts') ?? 1000) || 1000, 1000);
  const all = (await listUploadParts(s.storage, bucket, upload.uploadId)).filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  const owner = ownerOf(s);
  sendXml(
    g.res,
    200,
    xmlDocument('ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      ...(all.length > page.length ? { NextPartNumberMarker: page[page.length - 1]!.partNumber } : {}),
      MaxParts: maxParts,
      IsTruncated: all.length > page.length,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified.toISOString(),
        ETag: p.etag,
        Size: p.size,
      })),
      Initiator: { ...owner },
      Owner: { ...owner },
      StorageClass: 'STANDARD',
    }),
    uploadSse(upload),
  );
}
