/**
 * What every object write shares: the SSE it asks for, the attributes it gives its object (standard
 * headers, user metadata, tags, storage class, who wrote it), and its conditions.
 */
import { checksumHeader, type ChecksumAlgorithm } from './checksums.ts';
import { headerOf, type GatewayRequest, type GatewayServices } from './context.ts';
import type { TagSet } from './object-tags.ts';
import { headerLookup } from './operations/request-permissions.ts';
import { tagsSetBy } from './operations/request-tags.ts';
import { S3Error } from './s3-errors.ts';
import {
  CONTENT_HEADERS,
  DEFAULT_STORAGE_CLASS,
  STORAGE_CLASSES,
  type ContentHeader,
  type ObjectAttributes,
} from './store/object-record.ts';
import type { WriteConditions } from './store/object-store.ts';

/** The SSE a write asks for, checked: SSE-S3 only, as the product offers. */
export function requestedSse(s: GatewayServices, g: GatewayRequest, bucket: string): 'AES256' | undefined {
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

/** `x-amz-storage-class`, one of S3's. @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html */
export function requestedStorageClass(g: GatewayRequest): string {
  const value = headerOf(g.req, 'x-amz-storage-class');
  if (value === undefined) return DEFAULT_STORAGE_CLASS;
  if (!(STORAGE_CLASSES as readonly string[]).includes(value))
    throw new S3Error('InvalidStorageClass', undefined, { StorageClassRequested: value });
  return value;
}

/** The standard headers and `x-amz-meta-*` entries of a request, as an object keeps them. */
export function requestedMetadata(g: GatewayRequest): Pick<ObjectAttributes, 'contentHeaders' | 'userMetadata'> {
  const contentHeaders: [ContentHeader, string][] = [];
  const userMetadata: [string, string][] = [];
  for (const [name, raw] of Object.entries(g.req.headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (name.startsWith('x-amz-meta-')) userMetadata.push([name, value]);
    else if ((CONTENT_HEADERS as readonly string[]).includes(name)) {
      // aws-chunked is the request's framing, not the object's encoding.
      const kept = name === 'content-encoding' ? withoutAwsChunked(value) : value;
      if (kept) contentHeaders.push([name as ContentHeader, kept]);
    }
  }
  return { contentHeaders, userMetadata };
}

function withoutAwsChunked(encoding: string): string {
  return encoding
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part && part !== 'aws-chunked')
    .join(',');
}

/** What a write (PUT, CreateMultipartUpload) says about its object: its metadata, tags, SSE, storage class, writer. */
export function requestedAttributes(
  g: GatewayRequest,
  sse: 'AES256' | undefined,
  options: { metadata?: Pick<ObjectAttributes, 'contentHeaders' | 'userMetadata'>; tags?: TagSet } = {},
): ObjectAttributes {
  return {
    ...(options.metadata ?? requestedMetadata(g)),
    tags: options.tags ?? tagsSetBy(g.operation.name, headerLookup(g.req.headers)) ?? [],
    ...(sse ? { sse } : {}),
    storageClass: requestedStorageClass(g),
    ...(g.caller.user ? { uploadedBy: g.caller.user.name } : {}),
  };
}

/**
 * Conditional writes: `If-None-Match: *` refuses to overwrite; `If-Match: ETAG` writes only over that
 * ETag. Checked by the store at the commit.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
 */
export function writeConditions(g: GatewayRequest): WriteConditions {
  const ifMatch = headerOf(g.req, 'if-match');
  const ifNoneMatch = headerOf(g.req, 'if-none-match');
  return { ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) };
}

/** The headers a successful write answers with: its ETag, version id (Enabled buckets), SSE and checksum. */
export function writeAnswerHeaders(version: {
  etag: string;
  versionId: string;
  sse?: string;
  checksum?: readonly [ChecksumAlgorithm, string];
}): Record<string, string> {
  return {
    etag: version.etag,
    ...(version.versionId !== 'null' ? { 'x-amz-version-id': version.versionId } : {}),
    ...(version.sse ? { 'x-amz-server-side-encryption': version.sse } : {}),
    ...checksumHeader(version.checksum),
  };
}
