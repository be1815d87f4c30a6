/**
 * Every S3 operation, once: for each operation of AWS's model (s3-api.generated.ts) either the entry
 * that answers it (the IAM permissions it needs, its handler) or why it is not emulated. Routing,
 * authorization, the request's condition keys and docs/gateway.md's operation table all come from here.
 * Adding an operation: its entry here, its handler, its test (docs/gateway.md, "Adding an operation").
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import * as acl from '../acl.ts';
import * as bucketHandlers from '../bucket-handlers.ts';
import type { GatewayRequest, GatewayServices } from '../context.ts';
import * as multipartHandlers from '../multipart-handlers.ts';
import * as objectHandlers from '../object-handlers.ts';
import * as objectAttributes from '../object-attributes.ts';
import * as publicAccess from '../public-access-block.ts';
import * as tagging from '../tagging-handlers.ts';
import { uploadPartCopy } from '../upload-part-copy.ts';
import type { PermissionRule } from './permissions.ts';
import type { OperationName } from './recognise.ts';

export type Handler = (s: GatewayServices, g: GatewayRequest, bucket: string, key: string) => Promise<void>;

export interface OperationEntry {
  /** What the request needs, all allowed. */
  readonly permissions: readonly PermissionRule[];
  /**
   * `handler`: the handler authorizes the rules itself, once it has read what they depend on (the tags
   * in PutObjectTagging's body; each key of DeleteObjects).
   */
  readonly authorizedBy?: 'handler';
  readonly handle: Handler;
  /** What docs/gateway.md says beside the permissions. */
  readonly note?: string;
}

const onService = (action: string): PermissionRule => ({ action, on: 'service' });
const onBucket = (action: string): PermissionRule => ({ action, on: 'bucket' });
const onObject = (action: string, versionAction?: string): PermissionRule => ({
  action,
  ...(versionAction !== undefined ? { versionAction } : {}),
  on: 'object',
});
const readsCopySource: PermissionRule = {
  action: 's3:GetObject',
  versionAction: 's3:GetObjectVersion',
  on: 'copy-source',
};
const writesObject = onObject('s3:PutObject');
/** A write that sets tags (`x-amz-tagging`) is also s3:PutObjectTagging. */
const tagsObject: PermissionRule = { action: 's3:PutObjectTagging', on: 'object', whenSettingTags: true };
const listsBucket = onBucket('s3:ListBucket');

export const OPERATIONS = {
  ListBuckets: { permissions: [onService('s3:ListAllMyBuckets')], handle: (s, g) => bucketHandlers.listBuckets(s, g) },
  CreateBucket: { permissions: [onBucket('s3:CreateBucket')], handle: bucketHandlers.createBucket },
  DeleteBucket: { permissions: [onBucket('s3:DeleteBucket')], handle: bucketHandlers.deleteBucket },
  HeadBucket: { permissions: [listsBucket], handle: bucketHandlers.headBucket },
  ListObjects: { permissions: [listsBucket], handle: bucketHandlers.listObjects },
  ListObjectsV2: { permissions: [listsBucket], handle: bucketHandlers.listObjects },
  ListObjectVersions: {
    permissions: [onBucket('s3:ListBucketVersions')],
    handle: bucketHandlers.listObjects,
    note: 'versions and delete markers',
  },
  GetBucketLocation: { permissions: [onBucket('s3:GetBucketLocation')], handle: bucketHandlers.getBucketLocation },
  GetBucketVersioning: {
    permissions: [onBucket('s3:GetBucketVersioning')],
    handle: bucketHandlers.getBucketVersioning,
  },
  PutBucketVersioning: {
    permissions: [onBucket('s3:PutBucketVersioning')],
    handle: bucketHandlers.putBucketVersioning,
  },
  GetBucketEncryption: {
    permissions: [onBucket('s3:GetEncryptionConfiguration')],
    handle: bucketHandlers.getBucketEncryption,
  },
  GetBucketPolicy: { permissions: [onBucket('s3:GetBucketPolicy')], handle: bucketHandlers.getBucketPolicy },
  PutBucketPolicy: { permissions: [onBucket('s3:PutBucketPolicy')], handle: bucketHandlers.putBucketPolicy },
  DeleteBucketPolicy: { permissions: [onBucket('s3:DeleteBucketPolicy')], handle: bucketHandlers.deleteBucketPolicy },
  GetPublicAccessBlock: {
    permissions: [onBucket('s3:GetBucketPublicAccessBlock')],
    handle: publicAccess.getPublicAccessBlock,
  },
  PutPublicAccessBlock: {
    permissions: [onBucket('s3:PutBucketPublicAccessBlock')],
    handle: publicAccess.putPublicAccessBlock,
  },
  DeletePublicAccessBlock: {
    permissions: [onBucket('s3:PutBucketPublicAccessBlock')],
    handle: publicAccess.deletePublicAccessBlock,
  },
  GetBucketPolicyStatus: {
    permissions: [onBucket('s3:GetBucketPolicyStatus')],
    handle: publicAccess.getBucketPolicyStatus,
    note: "a policy is public when an Allow names `*` and no condition fixes who (AWS's rule)",
  },
  ListMultipartUploads: {
    permissions: [onBucket('s3:ListBucketMultipartUploads')],
    handle: bucketHandlers.listMultipartUploads,
  },
  GetBucketAcl: { permissions: [onBucket('s3:GetBucketAcl')], handle: acl.getBucketAcl, note: 'ACLs disabled' },
  PutBucketAcl: { permissions: [onBucket('s3:PutBucketAcl')], handle: (s, g, b) => acl.putAcl(s, g, b) },
  DeleteObjects: {
    permissions: [onObject('s3:DeleteObject', 's3:DeleteObjectVersion')],
    authorizedBy: 'handler',
    handle: bucketHandlers.deleteObjects,
    note: 'each key authorized on its own; each denial reported in the result',
  },
  GetObject: { permissions: [onObject('s3:GetObject', 's3:GetObjectVersion')], handle: objectHandlers.getObject },
  HeadObject: { permissions: [onObject('s3:GetObject', 's3:GetObjectVersion')], handle: objectHandlers.getObject },
  GetObjectAttributes: {
    permissions: [onObject('s3:GetObjectAttributes', 's3:GetObjectVersionAttributes')],
    handle: objectAttributes.getObjectAttributes,
  },
  PutObject: { permissions: [writesObject, tagsObject], handle: objectHandlers.putObject },
  CopyObject: {
    permissions: [readsCopySource, writesObject, tagsObject],
    handle: objectHandlers.copyObject,
    note: 'the source (a version named in `x-amz-copy-source`: its version action) and the destination',
  },
  DeleteObject: {
    permissions: [onObject('s3:DeleteObject', 's3:DeleteObjectVersion')],
    handle: objectHandlers.deleteObject,
  },
  CreateMultipartUpload: { permissions: [writesObject, tagsObject], handle: multipartHandlers.createMultipartUpload },
  UploadPart: { permissions: [writesObject], handle: multipartHandlers.uploadPart },
  UploadPartCopy: {
    permissions: [readsCopySource, writesObject],
    handle: uploadPartCopy,
    note: 'a part copied from an object, whole or `x-amz-copy-source-range`',
  },
  CompleteMultipartUpload: { permissions: [writesObject], handle: multipartHandlers.completeMultipartUpload },
  AbortMultipartUpload: {
    permissions: [onObject('s3:AbortMultipartUpload')],
    handle: multipartHandlers.abortMultipartUpload,
  },
  ListParts: { permissions: [onObject('s3:ListMultipartUploadParts')], handle: multipartHandlers.listParts },
  GetObjectAcl: {
    permissions: [onObject('s3:GetObjectAcl', 's3:GetObjectVersionAcl')],
    handle: acl.getObjectAcl,
    note: 'ACLs disabled',
  },
  PutObjectAcl: { permissions: [onObject('s3:PutObjectAcl', 's3:PutObjectVersionAcl')], handle: acl.putAcl },
  GetObjectTagging: {
    permissions: [onObject('s3:GetObjectTagging', 's3:GetObjectVersionTagging')],
    handle: tagging.getObjectTagging,
  },
  PutObjectTagging: {
    permissions: [onObject('s3:PutObjectTagging', 's3:PutObjectVersionTagging')],
    authorizedBy: 'handler',
    handle: tagging.putObjectTagging,
    note: 'authorized once its body is read: the new tags are its `s3:RequestObjectTag/*`',
  },
  DeleteObjectTagging: {
    permissions: [onObject('s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging')],
    handle: tagging.deleteObjectTagging,
  },
} satisfies Partial<Record<OperationName, OperationEntry>>;

export type EmulatedOperation = keyof typeof OPERATIONS;

/** Why an operation is answered 501 NotImplemented (docs/gateway.md, "Not emulated"). */
export const NOT_EMULATED_BECAUSE = {
  configuration:
    'a bucket configuration no policy decision or product feature depends on; a call is refused, so a tool that needs one fails loudly',
  compliance: 'a compliance feature the product never uses (object lock, retention, legal hold)',
  encryption: 'the product offers SSE-S3 (AES256) only, which every bucket has by default',
  archive: 'no storage class here is archived or queryable in place',
  express: 'S3 Express One Zone (directory buckets) is another kind of bucket',
  endpoint: "another endpoint answers it (S3 Object Lambda's)",
  newer: 'newer than the API model the gateway is built from',
} as const;

type NotEmulatedReason = keyof typeof NOT_EMULATED_BECAUSE;

/** Every operation of the model this harness does not answer, with why: a new one in the model fails to compile here. */
export const NOT_EMULATED: Record<Exclude<OperationName, EmulatedOperation>, NotEmulatedReason> = {
  DeleteBucketAnalyticsConfiguration: 'configuration',
  DeleteBucketCors: 'configuration',
  DeleteBucketEncryption: 'encryption',
  DeleteBucketIntelligentTieringConfiguration: 'configuration',
  DeleteBucketInventoryConfiguration: 'configuration',
  DeleteBucketLifecycle: 'configuration',
  DeleteBucketMetricsConfiguration: 'configuration',
  DeleteBucketOwnershipControls: 'configuration',
  DeleteBucketReplication: 'configuration',
  DeleteBucketTagging: 'configuration',
  DeleteBucketWebsite: 'configuration',
  GetBucketAccelerateConfiguration: 'configuration',
  GetBucketAnalyticsConfiguration: 'configuration',
  GetBucketCors: 'configuration',
  GetBucketIntelligentTieringConfiguration: 'configuration',
  GetBucketInventoryConfiguration: 'configuration',
  GetBucketLifecycle: 'configuration',
  GetBucketLifecycleConfiguration: 'configuration',
  GetBucketLogging: 'configuration',
  GetBucketMetricsConfiguration: 'configuration',
  GetBucketNotification: 'configuration',
  GetBucketNotificationConfiguration: 'configuration',
  GetBucketOwnershipControls: 'configuration',
  GetBucketReplication: 'configuration',
  GetBucketRequestPayment: 'configuration',
  GetBucketTagging: 'configuration',
  GetBucketWebsite: 'configuration',
  GetObjectLegalHold: 'compliance',
  GetObjectLockConfiguration: 'compliance',
  GetObjectRetention: 'compliance',
  GetObjectTorrent: 'archive',
  ListBucketAnalyticsConfigurations: 'configuration',
  ListBucketIntelligentTieringConfigurations: 'configuration',
  ListBucketInventoryConfigurations: 'configuration',
  ListBucketMetricsConfigurations: 'configuration',
  PutBucketAccelerateConfiguration: 'configuration',
  PutBucketAnalyticsConfiguration: 'configuration',
  PutBucketCors: 'configuration',
  PutBucketEncryption: 'encryption',
  PutBucketIntelligentTieringConfiguration: 'configuration',
  PutBucketInventoryConfiguration: 'configuration',
  PutBucketLifecycle: 'configuration',
  PutBucketLifecycleConfiguration: 'configuration',
  PutBucketLogging: 'configuration',
  PutBucketMetricsConfiguration: 'configuration',
  PutBucketNotification: 'configuration',
  PutBucketNotificationConfiguration: 'configuration',
  PutBucketOwnershipControls: 'configuration',
  PutBucketReplication: 'configuration',
  PutBucketRequestPayment: 'configuration',
  PutBucketTagging: 'configuration',
  PutBucketWebsite: 'configuration',
  PutObjectLegalHold: 'compliance',
  PutObjectLockConfiguration: 'compliance',
  PutObjectRetention: 'compliance',
  RestoreObject: 'archive',
  SelectObjectContent: 'archive',
  CreateSession: 'express',
  ListDirectoryBuckets: 'express',
  WriteGetObjectResponse: 'endpoint',
  RenameObject: 'newer',
  CreateBucketMetadataTableConfiguration: 'newer',
  GetBucketMetadataTableConfiguration: 'newer',
  DeleteBucketMetadataTableConfiguration: 'newer',
};

export function entryOf(name: OperationName): OperationEntry | undefined {
  return Object.hasOwn(OPERATIONS, name) ? (OPERATIONS as Record<string, OperationEntry>)[name] : undefined;
}
