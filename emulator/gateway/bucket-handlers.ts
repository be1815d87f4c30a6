/**
 * Bucket operations, answered from the object store and the bucket state.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import { validatePolicy, type PolicyDocument } from '../../core/iam/index.ts';
import { bucketNameProblem } from '../../core/workspace/index.ts';
import { authorize, assertBucketExists } from './access.ts';
import { objectEvent, sendEmpty, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { assertDeleteCondition } from './delete-conditions.ts';
import { assertPolicyAllowedByBlock } from './public-policy-block.ts';
import { assertSafeKey } from './key-safety.ts';
import { ownerOf } from './account-owner.ts';
import { withBodyText } from './handler-body.ts';
import { listObjectsV1, listObjectsV2, listObjectVersions } from './listing.ts';
import { requestPermissions } from './operations/request-permissions.ts';
import { S3Error } from './s3-errors.ts';
import { parseXml, toXml, xmlDocument, type XmlElement } from './xml.ts';

/** S3 accepts bucket policies up to 20 KB. */
const MAX_POLICY_BYTES = 20 * 1024;
/** DeleteObjects takes at most 1,000 keys. */
const MAX_DELETE_KEYS = 1000;

export async function listBuckets(s: GatewayServices, g: GatewayRequest): Promise<void> {
  const buckets = s.store
    .bucketNames()
    .map((name) => ({ Name: name, CreationDate: s.store.bucketCreatedAt(name)?.toISOString() }));
  sendXml(
    g.res,
    200,
    xmlDocument('ListAllMyBucketsResult', { Owner: { ...ownerOf(s) }, Buckets: { Bucket: buckets } }),
  );
}

export async function createBucket(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  const problem = bucketNameProblem(bucket);
  if (problem)
    throw new S3Error('InvalidBucketName', `The specified bucket is not valid: its name ${problem}.`, {
      BucketName: bucket,
    });
  await withBodyText(s, g, async (text) => {
    if (!text.trim()) return;
    const constraint = parseXml(text)?.CreateBucketConfiguration;
    if (constraint === undefined) throw new S3Error('MalformedXML');
    const region = (constraint as Record<string, unknown>).LocationConstraint;
    if (typeof region === 'string' && region !== '' && region !== s.workspace.region) {
      throw new S3Error(
        'InvalidArgument',
        `The location constraint "${region}" is not this workspace's region "${s.workspace.region}".`,
        { ArgumentName: 'LocationConstraint', ArgumentValue: region },
      );
    }
  });
  // us-east-1 answers 200 to an owner re-creating its bucket; every other region 409.
  if (!s.store.createBucket(bucket) && s.workspace.region !== 'us-east-1')
    throw new S3Error('BucketAlreadyOwnedByYou', undefined, { BucketName: bucket });
  sendEmpty(g.res, 200, { location: `/${bucket}` });
}

export async function deleteBucket(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  // Older versions and delete markers count: a versioned bucket is empty only without them (as on AWS).
  s.store.deleteBucket(bucket);
  await s.state.forgetBucket(bucket);
  sendEmpty(g.res, 204);
}

export async function headBucket(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  sendEmpty(g.res, 200, { 'x-amz-bucket-region': s.workspace.region });
}

export async function listObjects(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const query = g.operation.query;
  const owner = ownerOf(s);
  const xml =
    g.operation.name === 'ListObjectsV2'
      ? listObjectsV2(s.store, bucket, query, owner)
      : g.operation.name === 'ListObjectVersions'
        ? listObjectVersions(s.store, bucket, query, owner)
        : listObjectsV1(s.store, bucket, query, owner);
  sendXml(g.res, 200, xml);
}

export async function getBucketLocation(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  // us-east-1 is reported as an empty LocationConstraint.
  const region = s.workspace.region === 'us-east-1' ? '' : s.workspace.region;
  sendXml(
    g.res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region}</LocationConstraint>`,
  );
}

export async function getBucketVersioning(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const status = s.state.versioningOf(bucket);
  // A bucket never versioned answers an empty configuration.
  sendXml(g.res, 200, xmlDocument('VersioningConfiguration', status ? { Status: status } : {}));
}

export async function putBucketVersioning(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  const text = await withBodyText(s, g, async (t) => t);
  const root = parseXml(text)?.VersioningConfiguration as Record<string, unknown> | undefined;
  const status = root?.Status;
  if (!root || (status !== 'Enabled' && status !== 'Suspended')) throw new S3Error('MalformedXML');
  if (root.MfaDelete === 'Enabled') throw new S3Error('NotImplemented', 'MFA delete is not emulated by s3-harness.');
  assertBucketExists(s, bucket);
  await s.state.setVersioning(bucket, status);
  sendEmpty(g.res, 200);
}

export async function getBucketEncryption(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const configured = s.workspace.buckets.find((b) => b.name === bucket)?.defaultEncryption ?? 'none';
  if (configured === 'none')
    throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', undefined, { BucketName: bucket });
  sendXml(
    g.res,
    200,
    xmlDocument('ServerSideEncryptionConfiguration', {
      Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
    }),
  );
}

export async function getBucketPolicy(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const policy = s.state.policyOf(bucket);
  if (!policy) throw new S3Error('NoSuchBucketPolicy', undefined, { BucketName: bucket });
  const json = JSON.stringify(policy);
  g.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  g.res.end(json);
}

export async function putBucketPolicy(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const document = await withBodyText(s, g, async (text, length) => {
    if (length > MAX_POLICY_BYTES)
      throw new S3Error(
        'MalformedPolicy',
        `Policy exceeds the maximum allowed document size of ${MAX_POLICY_BYTES} bytes.`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new S3Error('MalformedPolicy', `Policies must be valid JSON: ${(error as Error).message}`);
    }
    const issues = validatePolicy(parsed, 'policy', { kind: 'bucket', bucket });
    if (issues.length) throw new S3Error('MalformedPolicy', issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    return parsed as PolicyDocument;
  });
  assertPolicyAllowedByBlock(s, bucket, document);
  await s.state.setPolicy(bucket, document, new Date(g.now));
  sendEmpty(g.res, 204);
}

export async function deleteBucketPolicy(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  await s.state.setPolicy(bucket, null, new Date(g.now));
  sendEmpty(g.res, 204);
}

export async function listMultipartUploads(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const prefix = g.operation.query.get('prefix') ?? '';
  const uploads = s.store.uploadsOf(bucket, prefix);
  const owner = ownerOf(s);
  sendXml(
    g.res,
    200,
    xmlDocument('ListMultipartUploadsResult', {
      Bucket: bucket,
      KeyMarker: '',
      UploadIdMarker: '',
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiator: { ...owner },
        Owner: { ...owner },
        StorageClass: u.attributes.storageClass,
        Initiated: new Date(u.initiated).toISOString(),
      })),
    }),
  );
}

/**
 * DeleteObjects: each key is authorised on its own (s3:DeleteObject), and each denial is reported
 * in the result, as S3 does.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
export async function deleteObjects(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  const text = await withBodyText(s, g, async (t) => t);
  const root = parseXml(text)?.Delete as Record<string, unknown> | undefined;
  const objects = (root?.Object as unknown[] | undefined) ?? [];
  if (!root || objects.length === 0 || objects.length > MAX_DELETE_KEYS) throw new S3Error('MalformedXML');
  assertBucketExists(s, bucket);
  const quiet = String(root.Quiet ?? 'false').trim() === 'true';
  const deleted: XmlElement[] = [];
  const errors: XmlElement[] = [];
  for (const object of objects) {
    const entry = (object ?? {}) as Record<string, unknown>;
    const key = typeof entry.Key === 'string' ? entry.Key : undefined;
    if (key === undefined) throw new S3Error('MalformedXML');
    const versionId = typeof entry.VersionId === 'string' ? entry.VersionId : undefined;
    const named = versionId !== undefined ? { VersionId: versionId } : {};
    try {
      assertSafeKey(key);
      // A version named is s3:DeleteObjectVersion, as DeleteObject with ?versionId=.
      const target = { key, ...(versionId !== undefined ? { versionId } : {}) };
      for (const permission of requestPermissions(s, g, g.rules, { target })) authorize(s, g, permission);
      const etag = typeof entry.ETag === 'string' ? entry.ETag : undefined;
      assertDeleteCondition(s, g, bucket, key, versionId, etag);
      const outcome = s.store.delete(bucket, key, versionId, g.caller.user?.name);
      if (outcome.removedLatest) s.events.emit('objectRemoved', objectEvent(g, 'ObjectRemoved:Delete', bucket, key));
      const marker =
        outcome.deleteMarker && outcome.versionId !== undefined
          ? { DeleteMarker: true, DeleteMarkerVersionId: outcome.versionId }
          : {};
      deleted.push({ Key: key, ...named, ...marker });
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      errors.push({ Key: key, ...named, Code: error.code, Message: error.message });
    }
  }
  sendXml(
    g.res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${toXml({ Deleted: quiet ? [] : deleted, Error: errors })}</DeleteResult>`,
  );
}
