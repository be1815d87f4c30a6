/**
 * Buckets with ACLs disabled ("bucket owner enforced", AWS's default for new buckets since April 2023):
 * every object belongs to the bucket owner, reading an ACL answers the owner with FULL_CONTROL, and a
 * request that would set any other ACL fails with AccessControlListNotSupported. `x-amz-acl:
 * bucket-owner-full-control` (which customers' policies often require) and `private` are accepted.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 */
import { assertBucketExists, missingObject } from './access.ts';
import { ownerOf } from './account-owner.ts';
import { readBody } from './handler-body.ts';
import { headerOf, sendEmpty, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';

/** The canned ACLs that grant nothing beyond the owner's full control. */
const OWNER_ONLY_ACLS = new Set(['private', 'bucket-owner-full-control']);

/** Refuses a write that asks for an ACL other than the owner's (a canned ACL or any x-amz-grant-* header). */
export function assertOwnerOnlyAcl(g: GatewayRequest): void {
  const canned = headerOf(g.req, 'x-amz-acl');
  const grant = Object.keys(g.req.headers).find((name) => name.startsWith('x-amz-grant-'));
  if ((canned !== undefined && !OWNER_ONLY_ACLS.has(canned)) || grant !== undefined)
    throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs', {
      ...(grant !== undefined ? { ArgumentName: grant } : { ArgumentName: 'x-amz-acl', ArgumentValue: canned! }),
    });
}

/** GetBucketAcl and GetObjectAcl: the bucket owner, with FULL_CONTROL, whatever was asked at write time. */
export function sendOwnerAcl(s: GatewayServices, g: GatewayRequest): void {
  const owner = ownerOf(s);
  sendXml(
    g.res,
    200,
    `<?xml version="1.0" encoding="UTF-8"?>\n<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${owner.ID}</ID><DisplayName>${owner.DisplayName}</DisplayName></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${owner.ID}</ID><DisplayName>${owner.DisplayName}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
  );
}

/**
 * PutBucketAcl and PutObjectAcl: with ACLs disabled only an owner-only canned ACL is accepted (and changes
 * nothing); a grant header or an AccessControlPolicy body is refused.
 */
export function acceptOwnerOnlyAcl(g: GatewayRequest, hasBody: boolean): void {
  assertOwnerOnlyAcl(g);
  if (hasBody || headerOf(g.req, 'x-amz-acl') === undefined)
    throw new S3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs');
  sendEmpty(g.res, 200);
}

export async function getBucketAcl(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  sendOwnerAcl(s, g);
}

export async function getObjectAcl(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  assertBucketExists(s, bucket);
  if (s.store.latest(bucket, key)?.kind !== 'object') throw missingObject(s, g, bucket, key);
  sendOwnerAcl(s, g);
}

export async function putAcl(s: GatewayServices, g: GatewayRequest, bucket: string, key?: string): Promise<void> {
  assertBucketExists(s, bucket);
  if (key !== undefined && s.store.latest(bucket, key)?.kind !== 'object') throw missingObject(s, g, bucket, key);
  const body = await readBody(s, g);
  await body.dispose();
  acceptOwnerOnlyAcl(g, body.length > 0);
}
