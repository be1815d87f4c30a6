/**
 * Object operations: reads, writes and deletes are decided here and then handed to s3rver's own
 * handler; copies, older versions and ranged reads are answered here. Multipart uploads:
 * multipart-handlers.ts.
 */
import { assertBucketExists } from './access.ts';
import { readBody } from './bucket-handlers.ts';
import {
  headerOf,
  objectEvent,
  recordCreated,
  sendEmpty,
  sendXml,
  type GatewayRequest,
  type GatewayServices,
} from './context.ts';
import { forwardToStorage, RESERVED_META_PREFIX, TAGGING_META } from './forward.ts';
import { assertOwnerOnlyAcl } from './acl.ts';
import { assertSafeKey } from './key-safety.ts';
import { parseCopySource } from './operations.ts';
import { S3Error } from './s3-errors.ts';
import { xmlDocument } from './xml.ts';
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
import {
  forwardOptions,
  rejectReservedMetadata,
  releaseOnFirstByte,
  requestedSse,
  lockForWrite,
  writeMetadata,
} from './write-helpers.ts';

/** Metadata a copy keeps (COPY) or takes from the request (REPLACE), as s3rver stores it. */
const COPIED_METADATA = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
];

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
      await sendStoredObject(g, current, s.storage.objectPath(bucket, key));
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

export async function putObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  rejectReservedMetadata(g);
  assertOwnerOnlyAcl(g);
  const sse = requestedSse(s, g, bucket);
  assertBucketExists(s, bucket);
  const body = await readBody(s, g);
  const version = await lockForWrite(s, g, bucket, key, body);
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
