/**
 * Maps a request to its S3 operation, and each operation to the IAM action(s) and resource ARN(s)
 * it needs, with its condition keys.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 * @see docs/gateway.md (the table of operations)
 */
import type { ContextValue, Permission } from '../../core/iam/index.ts';
import { parseTaggingHeader, requestTagContext, type TagSet } from './object-tags.ts';
import { S3Error } from './s3-errors.ts';

export type OperationName =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListObjectVersions'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'GetBucketEncryption'
  | 'GetBucketPolicy'
  | 'PutBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'CopyObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'GetBucketAcl'
  | 'PutBucketAcl'
  | 'GetObjectAcl'
  | 'PutObjectAcl'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging';

export interface S3Operation {
  name: OperationName;
  bucket?: string;
  key?: string;
  query: ReadonlyMap<string, string>;
}

/** Subresources S3 has and this harness does not emulate: answered NotImplemented, never ignored. */
const UNSUPPORTED_SUBRESOURCES = [
  'analytics',
  'accelerate',
  'cors',
  'intelligent-tiering',
  'inventory',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'website',
  'retention',
  'legal-hold',
  'torrent',
  'restore',
  'select',
  'attributes',
  'renameObject',
  'session',
];

function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', `${what} is not emulated by s3-harness.`);
}

export function classifyOperation(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: ReadonlyMap<string, string>,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): S3Operation {
  const op = (name: OperationName): S3Operation => ({
    name,
    ...(bucket !== undefined ? { bucket } : {}),
    ...(key !== undefined ? { key } : {}),
    query,
  });
  const has = (name: string) => query.has(name);
  const unsupported = UNSUPPORTED_SUBRESOURCES.find(has);
  if (!bucket) {
    if (method === 'GET') return op('ListBuckets');
    throw new S3Error('MethodNotAllowed', `${method} is not allowed on the service endpoint.`);
  }
  if (key === undefined) {
    if (unsupported) throw notImplemented(`The bucket subresource "?${unsupported}"`);
    if (has('tagging')) throw notImplemented('Bucket tagging ("?tagging" on a bucket)');
    switch (method) {
      case 'GET':
        if (has('acl')) return op('GetBucketAcl');
        if (has('location')) return op('GetBucketLocation');
        if (has('versioning')) return op('GetBucketVersioning');
        if (has('encryption')) return op('GetBucketEncryption');
        if (has('policy')) return op('GetBucketPolicy');
        if (has('versions')) return op('ListObjectVersions');
        if (has('uploads')) return op('ListMultipartUploads');
        return op(query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects');
      case 'HEAD':
        return op('HeadBucket');
      case 'PUT':
        if (has('acl')) return op('PutBucketAcl');
        if (has('policy')) return op('PutBucketPolicy');
        if (has('versioning')) return op('PutBucketVersioning');
        if (has('encryption')) throw notImplemented('Changing default encryption');
        return op('CreateBucket');
      case 'DELETE':
        if (has('policy')) return op('DeleteBucketPolicy');
        if (has('encryption')) throw notImplemented('Deleting default encryption');
        return op('DeleteBucket');
      case 'POST':
        if (has('delete')) return op('DeleteObjects');
        // Browser form uploads (POST Object): the product uploads with PUT (docs/gateway.md).
        throw notImplemented('POST Object (browser form upload)');
    }
    throw new S3Error('MethodNotAllowed');
  }
  if (unsupported) throw notImplemented(`The object subresource "?${unsupported}"`);
  switch (method) {
    case 'GET':
      if (has('acl')) return op('GetObjectAcl');
      if (has('tagging')) return op('GetObjectTagging');
      if (has('partNumber') && !has('uploadId')) throw notImplemented('GET of one part (partNumber)');
      return op(has('uploadId') ? 'ListParts' : 'GetObject');
    case 'HEAD':
      if (has('partNumber')) throw notImplemented('HEAD of one part (partNumber)');
      return op('HeadObject');
    case 'PUT':
      if (has('acl')) return op('PutObjectAcl');
      if (has('tagging')) return op('PutObjectTagging');
      if (has('uploadId') || has('partNumber')) {
        return op(headers['x-amz-copy-source'] !== undefined ? 'UploadPartCopy' : 'UploadPart');
      }
      return op(headers['x-amz-copy-source'] !== undefined ? 'CopyObject' : 'PutObject');
    case 'DELETE':
      if (has('tagging')) return op('DeleteObjectTagging');
      if (headers['if-match'] !== undefined || headers['x-amz-if-match-last-modified-time'] !== undefined)
        throw notImplemented('Conditional deletes (If-Match)');
      return op(has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject');
    case 'POST':
      if (has('uploads')) return op('CreateMultipartUpload');
      if (has('uploadId')) return op('CompleteMultipartUpload');
      throw new S3Error('MethodNotAllowed');
  }
  throw new S3Error('MethodNotAllowed');
}

export type RequiredPermission = Permission;

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

const ACTIONS: Record<
  Exclude<OperationName, 'CopyObject' | 'UploadPartCopy' | 'DeleteObjects' | 'PutObjectTagging'>,
  { action: string; on: 'service' | 'bucket' | 'object' }
> = {
  ListBuckets: { action: 's3:ListAllMyBuckets', on: 'service' },
  CreateBucket: { action: 's3:CreateBucket', on: 'bucket' },
  DeleteBucket: { action: 's3:DeleteBucket', on: 'bucket' },
  HeadBucket: { action: 's3:ListBucket', on: 'bucket' },
  ListObjects: { action: 's3:ListBucket', on: 'bucket' },
  ListObjectsV2: { action: 's3:ListBucket', on: 'bucket' },
  ListObjectVersions: { action: 's3:ListBucketVersions', on: 'bucket' },
  GetBucketLocation: { action: 's3:GetBucketLocation', on: 'bucket' },
  GetBucketVersioning: { action: 's3:GetBucketVersioning', on: 'bucket' },
  PutBucketVersioning: { action: 's3:PutBucketVersioning', on: 'bucket' },
  GetBucketEncryption: { action: 's3:GetEncryptionConfiguration', on: 'bucket' },
  GetBucketPolicy: { action: 's3:GetBucketPolicy', on: 'bucket' },
  PutBucketPolicy: { action: 's3:PutBucketPolicy', on: 'bucket' },
  DeleteBucketPolicy: { action: 's3:DeleteBucketPolicy', on: 'bucket' },
  ListMultipartUploads: { action: 's3:ListBucketMultipartUploads', on: 'bucket' },
  GetObject: { action: 's3:GetObject', on: 'object' },
  HeadObject: { action: 's3:GetObject', on: 'object' },
  PutObject: { action: 's3:PutObject', on: 'object' },
  DeleteObject: { action: 's3:DeleteObject', on: 'object' },
  CreateMultipartUpload: { action: 's3:PutObject', on: 'object' },
  UploadPart: { action: 's3:PutObject', on: 'object' },
  CompleteMultipartUpload: { action: 's3:PutObject', on: 'object' },
  AbortMultipartUpload: { action: 's3:AbortMultipartUpload', on: 'object' },
  ListParts: { action: 's3:ListMultipartUploadParts', on: 'object' },
  GetBucketAcl: { action: 's3:GetBucketAcl', on: 'bucket' },
  PutBucketAcl: { action: 's3:PutBucketAcl', on: 'bucket' },
  GetObjectAcl: { action: 's3:GetObjectAcl', on: 'object' },
  PutObjectAcl: { action: 's3:PutObjectAcl', on: 'object' },
  GetObjectTagging: { action: 's3:GetObjectTagging', on: 'object' },
  DeleteObjectTagging: { action: 's3:DeleteObjectTagging', on: 'object' },
};

/** The actions of requests that name a version (`?versionId=`). */
const VERSION_ACTIONS: Record<string, string> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectTagging': 's3:GetObjectVersionTagging',
  's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
  's3:GetObjectAcl': 's3:GetObjectVersionAcl',
  's3:PutObjectAcl': 's3:PutObjectVersionAcl',
};

/** Request headers that S3 exposes as condition keys of the same name. */
const HEADER_KEYS = [
  'x-amz-server-side-encryption',
  'x-amz-acl',
  'x-amz-storage-class',
  'x-amz-metadata-directive',
  'x-amz-copy-source',
  'x-amz-content-sha256',
];

function headerContext(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const name of HEADER_KEYS) {
    const value = headers[name];
    if (value !== undefined) context[`s3:${name}`] = Array.isArray(value) ? value.join(',') : value;
  }
  return context;
}

/**
 * The tags a write sets (`x-amz-tagging`; on CopyObject only with `x-amz-tagging-directive: REPLACE`),
 * or undefined when it sets none of its own.
 */
export function requestedTags(
  operation: S3Operation,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): TagSet | undefined {
  const header = headers['x-amz-tagging'];
  if (header === undefined) return undefined;
  if (operation.name === 'CopyObject' && String(headers['x-amz-tagging-directive'] ?? 'COPY') !== 'REPLACE')
    return undefined;
  return parseTaggingHeader(Array.isArray(header) ? header.join('&') : header);
}

/**
 * A write that sets tags is also s3:PutObjectTagging, and its tags are the request's tag keys.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html
 */
function withTagging(write: RequiredPermission, tags: TagSet | undefined): RequiredPermission[] {
  if (tags === undefined) return [write];
  const context = { ...write.context, ...requestTagContext(tags) };
  return [
    { ...write, context },
    { action: 's3:PutObjectTagging', resource: write.resource, context },
  ];
}

function listContext(query: ReadonlyMap<string, string>): Record<string, string> {
  const context: Record<string, string> = {};
  for (const name of ['prefix', 'delimiter', 'max-keys']) {
    const value = query.get(name);
    if (value !== undefined) context[`s3:${name}`] = value;
  }
  return context;
}

/** The copy source of CopyObject: `/bucket/key` or `bucket/key`, URL-encoded, maybe `?versionId=`. */
export function parseCopySource(header: string): { bucket: string; key: string; versionId?: string } {
  const invalid = () =>
    new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: header,
    });
  const [path = '', query = ''] = header.split('?');
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalid(); // a broken percent-encoding (`%zz`) is the client's mistake, as S3 answers it
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  return {
    bucket: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}

/**
 * The permissions one operation needs, all of which must be allowed. DeleteObjects is authorised
 * per key by its handler.
 */
export function requiredPermissions(
  operation: S3Operation,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): RequiredPermission[] {
  const { bucket = '', key = '' } = operation;
  if (operation.name === 'DeleteObjects' || operation.name === 'PutObjectTagging') return [];
  if (operation.name === 'CopyObject' || operation.name === 'UploadPartCopy') {
    const source = parseCopySource(String(headers['x-amz-copy-source']));
    const write = { action: 's3:PutObject', resource: objectArn(bucket, key), context: headerContext(headers) };
    const read: RequiredPermission =
      source.versionId === undefined
        ? { action: 's3:GetObject', resource: objectArn(source.bucket, source.key), context: {} }
        : {
            action: 's3:GetObjectVersion',
            resource: objectArn(source.bucket, source.key),
            context: { 's3:VersionId': source.versionId },
          };
    return [
      read,
      ...withTagging(write, operation.name === 'CopyObject' ? requestedTags(operation, headers) : undefined),
    ];
  }
  const { action: unversionedAction, on } = ACTIONS[operation.name];
  // A request naming a version is its own action, with s3:VersionId.
  const versionId = operation.query.get('versionId');
  const versionedAction = versionId !== undefined ? VERSION_ACTIONS[unversionedAction] : undefined;
  const action = versionedAction ?? unversionedAction;
  const resource = on === 'service' ? 'arn:aws:s3:::*' : on === 'bucket' ? bucketArn(bucket) : objectArn(bucket, key);
  const isList =
    operation.name === 'ListObjects' || operation.name === 'ListObjectsV2' || operation.name === 'ListObjectVersions';
  const context = isList ? listContext(operation.query) : on === 'object' ? headerContext(headers) : {};
  if (versionedAction) context['s3:VersionId'] = versionId!;
  const writesTags = operation.name === 'PutObject' || operation.name === 'CreateMultipartUpload';
  return withTagging({ action, resource, context }, writesTags ? requestedTags(operation, headers) : undefined);
}
