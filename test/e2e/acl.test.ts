/**
 * Buckets with ACLs disabled, as AWS creates them since April 2023 (docs/gateway.md): the owner's ACL
 * is read back, owner-only canned ACLs are accepted (and may be required by a policy), any other ACL
 * is refused with AccessControlListNotSupported. Through the gateway with the real SDK.
 */
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const BUCKET = 'acme-claravine';

describe('ACLs (bucket owner enforced)', () => {
  it('accepts the owner-only canned ACLs on writes and refuses any other ACL or grant', async () => {
    const admin = stack.client('admin');
    for (const ACL of ['bucket-owner-full-control', 'private'] as const)
      await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: `acl/${ACL}.txt`, Body: 'x', ACL }));
    const refused = await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'acl/public.txt', Body: 'x', ACL: 'public-read' })),
      'AccessControlListNotSupported',
      400,
    );
    expect(refused.message).toBe('The bucket does not allow ACLs');
    await expectS3Error(
      admin.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'acl/grant.txt',
          Body: 'x',
          GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
        }),
      ),
      'AccessControlListNotSupported',
      400,
    );
    await expectS3Error(
      admin.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'acl/copy.txt',
          CopySource: `${BUCKET}/acl/private.txt`,
          ACL: 'public-read-write',
        }),
      ),
      'AccessControlListNotSupported',
      400,
    );
    await expectS3Error(
      admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'acl/big.bin', ACL: 'authenticated-read' })),
      'AccessControlListNotSupported',
      400,
    );
    await expectS3Error(
      admin.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'acl/public.txt' })),
      'NoSuchKey',
      404,
    );
  });

  it('reads back the owner with FULL_CONTROL for the bucket and its objects; sets only owner-only ACLs', async () => {
    const admin = stack.client('admin');
    const objectAcl = await admin.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'acl/private.txt' }));
    const bucketAcl = await admin.send(new GetBucketAclCommand({ Bucket: BUCKET }));
    for (const acl of [objectAcl, bucketAcl]) {
      expect(acl.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
      expect(acl.Grants).toEqual([
        {
          Grantee: { Type: 'CanonicalUser', ID: acl.Owner!.ID, DisplayName: acl.Owner!.DisplayName },
          Permission: 'FULL_CONTROL',
        },
      ]);
    }
    await admin.send(
      new PutObjectAclCommand({ Bucket: BUCKET, Key: 'acl/private.txt', ACL: 'bucket-owner-full-control' }),
    );
    await expectS3Error(
      admin.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: 'acl/private.txt', ACL: 'public-read' })),
      'AccessControlListNotSupported',
      400,
    );
    // Reading an ACL is its own action: the intern's policy does not grant s3:GetObjectAcl.
    await expectS3Error(
      stack.client('intern').send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'acl/private.txt' })),
      'AccessDenied',
      403,
    );
  });

  it('sets s3:x-amz-acl from the header, so a policy can require bucket-owner-full-control', async () => {
    const admin = stack.client('admin');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RequireOwnerFullControl',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::${BUCKET}/owned/*`,
          Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
    const denied = await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'owned/a.txt', Body: 'x' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toMatch(/explicit deny in a resource-based policy/);
    await admin.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'owned/a.txt', Body: 'x', ACL: 'bucket-owner-full-control' }),
    );
  });
});
