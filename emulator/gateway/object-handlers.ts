/**
 * Object operations: GET/HEAD, PUT, CopyObject and DeleteObject, answered from the object store.
 * Multipart uploads: multipart-handlers.ts.
 */
import { assertBucketExists } from './access.ts';
import { assertOwnerOnlyAcl } from './acl.ts';
import { readBody } from './handler-body.ts';
import {
  createdEvent,
  headerOf,
  objectEvent,
  sendEmpty,
  sendXml,
  type GatewayRequest,
  type GatewayServices,
} from './context.ts';
import { assertDeleteCondition } from './delete-conditions.ts';
import { assertSafeKey } from './key-safety.ts';
import { parseCopySource } from './operations/copy-source.ts';
import { headerLookup } from './operations/request-permissions.ts';
import { tagsSetBy } from './operations/request-tags.ts';
import { S3Error } from './s3-errors.ts';
import { sendObjectVersion } from './send-object.ts';
import type { ObjectAttributes, ObjectVersion } from './store/object-record.ts';
import { copySourceVersion, copySourceVersionHeader, deleteAnswerHeaders, versionToRead } from './versioning.ts';
import {
  requestedAttributes,
  requestedMetadata,
  requestedSse,
  writeAnswerHeaders,
  writeConditions,
} from './write-helpers.ts';
import { xmlDocument } from './xml.ts';

export async function getObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertBucketExists(s, bucket);
  // The lookup and the opening of its bytes happen in one turn (send-object.ts).
  await sendObjectVersion(s, g, bucket, key, versionToRead(s, g, bucket, key));
}

/** PutObject: the body is read and checked in full, then committed whole (store/object-store.ts). */
export async function putObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertOwnerOnlyAcl(g);
  const sse = requestedSse(s, g, bucket);
  const attributes = requestedAttributes(g, sse);
  assertBucketExists(s, bucket);
  const body = await readBody(s, g);
  try {
    const version = await s.store.put({
      bucket,
      key,
      body,
      attributes,
      conditions: writeConditions(g),
      event: createdEvent(s, g, 'ObjectCreated:Put', bucket, key),
    });
    sendEmpty(g.res, 200, writeAnswerHeaders(version));
  } finally {
    await body.dispose();
  }
}

/** Deletes the object, or the version `?versionId=` names; in a versioned bucket, a delete marker is added. */
export async function deleteObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertBucketExists(s, bucket);
  const versionId = g.operation.query.get('versionId');
  // Checked and deleted in one turn: no write can come between.
  assertDeleteCondition(s, g, bucket, key, versionId, headerOf(g.req, 'if-match'));
  const outcome = s.store.delete(bucket, key, versionId, g.caller.user?.name);
  if (outcome.removedLatest) s.events.emit('objectRemoved', objectEvent(g, 'ObjectRemoved:Delete', bucket, key));
  sendEmpty(g.res, 204, deleteAnswerHeaders(outcome));
}

/**
 * `x-amz-copy-source-if-match`, `-if-none-match`, `-if-unmodified-since` and `-if-modified-since`: a
 * copy of a source that fails them is 412 PreconditionFailed. A matching If-Match overrides a failed
 * If-Unmodified-Since, a failing If-None-Match wins over If-Modified-Since, as AWS documents.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
function assertCopySourceConditions(g: GatewayRequest, source: ObjectVersion): void {
  const header = (name: string) => headerOf(g.req, `x-amz-copy-source-${name}`);
  const [ifMatch, ifNoneMatch] = [header('if-match'), header('if-none-match')];
  const modified = (since: string | undefined) => since !== undefined && Date.parse(since) < source.lastModified - 999;
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

function directive(g: GatewayRequest, header: string, what: string): 'COPY' | 'REPLACE' {
  const value = headerOf(g.req, header) ?? 'COPY';
  if (value !== 'COPY' && value !== 'REPLACE')
    throw new S3Error('InvalidArgument', `Unknown ${what} directive.`, { ArgumentName: header, ArgumentValue: value });
  return value;
}

/** @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html */
export async function copyObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertOwnerOnlyAcl(g);
  const spec = parseCopySource(String(headerOf(g.req, 'x-amz-copy-source')));
  assertSafeKey(spec.key);
  const sse = requestedSse(s, g, bucket);
  const metadataDirective = directive(g, 'x-amz-metadata-directive', 'metadata');
  const taggingDirective = directive(g, 'x-amz-tagging-directive', 'tagging');
  assertBucketExists(s, bucket);
  assertBucketExists(s, spec.bucket);
  const sameKey = spec.bucket === bucket && spec.key === key && spec.versionId === undefined;
  if (sameKey && metadataDirective === 'COPY' && headerOf(g.req, 'x-amz-server-side-encryption') === undefined) {
    throw new S3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  // The request's body (none) is read before the lookup: from the lookup to the store's copy, nothing awaits.
  await (await readBody(s, g)).dispose();
  const source = copySourceVersion(s, g, spec);
  assertCopySourceConditions(g, source);
  const attributes: ObjectAttributes = requestedAttributes(g, sse, {
    metadata:
      metadataDirective === 'COPY'
        ? { contentHeaders: source.contentHeaders, userMetadata: source.userMetadata }
        : requestedMetadata(g),
    // Tags are copied unless x-amz-tagging-directive is REPLACE.
    tags:
      taggingDirective === 'REPLACE' ? (tagsSetBy(g.operation.name, headerLookup(g.req.headers)) ?? []) : source.tags,
  });
  const copied = await s.store.copy({
    bucket,
    key,
    source,
    attributes,
    event: createdEvent(s, g, 'ObjectCreated:Copy', bucket, key),
  });
  sendXml(
    g.res,
    200,
    xmlDocument('CopyObjectResult', { LastModified: new Date(copied.lastModified).toISOString(), ETag: copied.etag }),
    {
      ...(sse ? { 'x-amz-server-side-encryption': sse } : {}),
      ...copySourceVersionHeader(s, spec, source),
      ...(copied.versionId !== 'null' ? { 'x-amz-version-id': copied.versionId } : {}),
    },
  );
}
