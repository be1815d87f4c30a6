/**
 * S3 Block Public Access of a bucket (Get/Put/DeletePublicAccessBlock) and GetBucketPolicyStatus.
 * With BlockPublicPolicy, PutBucketPolicy refuses a public policy (403 AccessDenied), as AWS does; the
 * ACL settings change nothing here, where ACLs are disabled and public ones always refused.
 * RestrictPublicBuckets: with a public policy, anonymous callers get nothing it allows (core/iam/decide-for-user.ts).
 * A workspace bucket may declare its block (`publicAccessBlock`); the S3 API's changes override it.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
import { isPublicPolicy } from '../../core/iam/index.ts';
import { PUBLIC_ACCESS_BLOCK_SETTINGS, type PublicAccessBlock } from '../../core/workspace/index.ts';
import { assertBucketExists } from './access.ts';
import { withBodyText } from './handler-body.ts';
import { sendEmpty, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';
import { parseXml, xmlDocument } from './xml.ts';

function parseBlock(text: string): PublicAccessBlock {
  const root = parseXml(text)?.PublicAccessBlockConfiguration as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw new S3Error('MalformedXML');
  const setting = (name: (typeof PUBLIC_ACCESS_BLOCK_SETTINGS)[number]) => {
    const value = root[name];
    if (value === undefined) return false;
    const text = String(value).trim();
    if (text !== 'true' && text !== 'false') throw new S3Error('MalformedXML');
    return text === 'true';
  };
  return {
    BlockPublicAcls: setting('BlockPublicAcls'),
    IgnorePublicAcls: setting('IgnorePublicAcls'),
    BlockPublicPolicy: setting('BlockPublicPolicy'),
    RestrictPublicBuckets: setting('RestrictPublicBuckets'),
  };
}

export async function getPublicAccessBlock(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  const block = s.state.publicAccessBlockOf(bucket);
  if (!block) throw new S3Error('NoSuchPublicAccessBlockConfiguration', undefined, { BucketName: bucket });
  sendXml(g.res, 200, xmlDocument('PublicAccessBlockConfiguration', { ...block }));
}

export async function putPublicAccessBlock(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  const block = await withBodyText(s, g, async (text) => parseBlock(text));
  assertBucketExists(s, bucket);
  await s.state.setPublicAccessBlock(bucket, block);
  sendEmpty(g.res, 200);
}

export async function deletePublicAccessBlock(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  await s.state.setPublicAccessBlock(bucket, undefined);
  sendEmpty(g.res, 204);
}

export async function getBucketPolicyStatus(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertBucketExists(s, bucket);
  sendXml(g.res, 200, xmlDocument('PolicyStatus', { IsPublic: isPublicPolicy(s.state.policyOf(bucket)) }));
}
