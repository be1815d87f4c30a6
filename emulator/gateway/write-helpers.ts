/**
 * What every object write shares: the SSE it asks for, the gateway's own metadata, conditional-write
 * checks, how a write is handed to s3rver and answered when it fails, and the key lock's lifetime
 * (with the version kept first in a versioned bucket).
 */
import { headerOf, type GatewayRequest, type GatewayServices } from './context.ts';
import { RESERVED_META_PREFIX, SSE_META, TAGGING_META, UPLOADER_META, type ForwardOptions } from './forward.ts';
import { storedTags } from './object-tags.ts';
import { answerForError } from './error-answer.ts';
import { requestedTags } from './operations.ts';
import type { SpooledBody } from './request-body.ts';
import { renderS3Error, S3Error } from './s3-errors.ts';
import { prepareVersionedWrite, type VersionedWrite } from './versioning.ts';

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

export function writeMetadata(g: GatewayRequest, sse: string | undefined, tagging?: string): Record<string, string> {
  const tags = tagging ?? storedTags(requestedTags(g.operation, g.req.headers) ?? []);
  return {
    ...(sse ? { [SSE_META]: sse } : {}),
    ...(g.caller.user ? { [UPLOADER_META]: g.caller.user.name } : {}),
    ...(tags ? { [TAGGING_META]: tags } : {}),
  };
}

export function forwardOptions(g: GatewayRequest, extra: Partial<ForwardOptions> = {}): ForwardOptions {
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
export function failedWrite(
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

export function onClose(g: GatewayRequest, ...cleanups: (() => unknown)[]): void {
  g.res.once('close', () => {
    for (const cleanup of cleanups) void cleanup();
  });
}

/**
 * A read holds the key's lock until its body's file is open and the first bytes leave, not until the
 * client has read them all: a write then puts new files in place while the reader keeps the old file
 * it opened (atomic-writes.ts). A client that stalls mid-body never blocks the key's writers.
 */
export function releaseOnFirstByte(g: GatewayRequest, release: () => void): void {
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

export interface LockedVersionedWrite {
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

export function rejectReservedMetadata(g: GatewayRequest): void {
  const reserved = Object.keys(g.req.headers).find((name) => name.startsWith(RESERVED_META_PREFIX));
  if (reserved)
    throw new S3Error(
      'InvalidArgument',
      `Metadata names starting with "${RESERVED_META_PREFIX}" are reserved by s3-harness.`,
      { ArgumentName: reserved },
    );
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

/**
 * Takes the key's write lock for a write whose body has been read, checks its conditions, and keeps
 * the latest version in a versioned bucket. The lock and the body are let go when the answer closes
 * (or now, when a condition refuses the write or cannot be checked).
 */
export async function lockForWrite(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
  body: SpooledBody,
): Promise<LockedVersionedWrite> {
  const release = await s.locks.write(`${bucket}/${key}`);
  const refused = await failedWriteCondition(s, g, bucket, key).catch((error: unknown) => error as Error);
  if (refused) {
    release();
    await body.dispose();
    throw refused;
  }
  return versionedWriteUnderLock(s, g, bucket, key, release, () => body.dispose());
}
