/**
 * What modern clients send, answered through the gateway with the real SDK (docs/gateway.md,
 * "Storage"): GetObjectAttributes, checksums kept per part and per object (COMPOSITE for a multipart
 * upload, returned with `x-amz-checksum-mode: ENABLED`), GET and HEAD of one part, conditional deletes
 * (`If-Match`), `If-None-Match` with an ETag on a write, and AWS's 4xx for a checksum algorithm S3 does
 * not have, a `partNumber` that is not a number, and a non-numeric `x-amz-decoded-content-length`.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeletePublicAccessBlockCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  GetBucketPolicyStatusCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendRaw } from '../helpers/raw-s3.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'acme-claravine';
const MiB = 1024 * 1024;

let stack: TestStack;
let admin: S3Client;
beforeAll(async () => {
  stack = await startStack();
  admin = stack.client('admin');
});
afterAll(() => stack.stop());

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('base64');

/** A multipart upload of two parts (5 MiB and 1 MiB) with SHA-256 checksums. */
async function uploadInParts(key: string) {
  const parts = [Buffer.alloc(5 * MiB, 'a'), Buffer.alloc(MiB, 'b')];
  const { UploadId } = await admin.send(
    new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ChecksumAlgorithm: 'SHA256' }),
  );
  const uploaded = [];
  for (const [i, body] of parts.entries()) {
    const answer = await admin.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        PartNumber: i + 1,
        Body: body,
        ChecksumAlgorithm: 'SHA256',
        ChecksumSHA256: sha256(body),
      }),
    );
    expect(answer.ChecksumSHA256).toBe(sha256(body));
    uploaded.push({ PartNumber: i + 1, ETag: answer.ETag!, ChecksumSHA256: answer.ChecksumSHA256! });
  }
  const listed = await admin.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));
  expect(listed.Parts?.map((p) => p.ChecksumSHA256)).toEqual(parts.map(sha256));
  const composite = `${sha256(Buffer.concat(parts.map((p) => Buffer.from(sha256(p), 'base64'))))}-2`;
  return { parts, UploadId: UploadId!, uploaded, composite };
}

describe('checksums of a multipart upload, its parts, and GetObjectAttributes', () => {
  it('keeps each part checksum and the COMPOSITE checksum, refuses a wrong one at completion', async () => {
    const key = 'modern/parts.bin';
    const { parts, UploadId, uploaded, composite } = await uploadInParts(key);
    await expectS3Error(
      admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          ChecksumSHA256: `${sha256(Buffer.from('wrong'))}-2`,
          MultipartUpload: { Parts: uploaded },
        }),
      ),
      'BadDigest',
      400,
    );
    const done = await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        UploadId,
        ChecksumSHA256: composite,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    expect(done.ChecksumSHA256).toBe(composite);
    expect((await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ChecksumSHA256).toBeUndefined();
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect(head.ChecksumSHA256).toBe(composite);

    const attributes = await admin.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: key,
        ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'],
      }),
    );
    expect(attributes.ETag).toBe(done.ETag!.replace(/"/g, ''));
    expect(attributes.ObjectSize).toBe(6 * MiB);
    expect(attributes.StorageClass).toBe('STANDARD');
    expect(attributes.Checksum).toEqual({ ChecksumSHA256: composite, ChecksumType: 'COMPOSITE' });
    expect(attributes.ObjectParts?.TotalPartsCount).toBe(2);
    expect(attributes.ObjectParts?.Parts?.map((p) => [p.PartNumber, p.Size, p.ChecksumSHA256])).toEqual([
      [1, 5 * MiB, sha256(parts[0]!)],
      [2, MiB, sha256(parts[1]!)],
    ]);
    const page = await admin.send(
      new GetObjectAttributesCommand({ Bucket: BUCKET, Key: key, ObjectAttributes: ['ObjectParts'], MaxParts: 1 }),
    );
    expect(page.ObjectParts).toMatchObject({ IsTruncated: true, NextPartNumberMarker: '1', MaxParts: 1 });
    expect(page.ETag).toBeUndefined();
  });

  it('computes a FULL_OBJECT CRC32 of the whole object when the upload asks for one', async () => {
    const key = 'modern/full-object.bin';
    const bodies = [Buffer.alloc(5 * MiB, 'c'), Buffer.from('tail')];
    const { UploadId } = await admin.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: key,
        ChecksumAlgorithm: 'CRC32',
        ChecksumType: 'FULL_OBJECT',
      }),
    );
    const parts = [];
    for (const [i, Body] of bodies.entries()) {
      const { ETag } = await admin.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: i + 1,
          Body,
          ChecksumAlgorithm: 'CRC32',
        }),
      );
      parts.push({ PartNumber: i + 1, ETag: ETag! });
    }
    const done = await admin.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    const whole = Buffer.alloc(4);
    whole.writeUInt32BE(crc32(Buffer.concat(bodies)));
    expect([done.ChecksumCRC32, done.ChecksumType]).toEqual([whole.toString('base64'), 'FULL_OBJECT']);
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
    expect([head.ChecksumCRC32, head.ChecksumType]).toEqual([whole.toString('base64'), 'FULL_OBJECT']);
    await expectS3Error(
      admin.send(
        new CreateMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          ChecksumAlgorithm: 'SHA256',
          ChecksumType: 'FULL_OBJECT',
        }),
      ),
      'InvalidRequest',
      400,
    );
  });

  it('answers GET and HEAD of one part with its bytes and the parts count; a part past the last is 400 InvalidPart', async () => {
    const key = 'modern/by-part.bin';
    const { parts, UploadId, uploaded } = await uploadInParts(key);
    await expectS3Error(
      admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 1 })),
      'NoSuchKey',
      404,
    );
    await admin.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: uploaded } }),
    );
    for (const [i, bytes] of parts.entries()) {
      const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: i + 1 }));
      expect([head.PartsCount, head.ContentLength]).toEqual([2, bytes.length]);
      const part = await admin.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: i + 1, ChecksumMode: 'ENABLED' }),
      );
      expect(Buffer.from(await part.Body!.transformToByteArray()).equals(bytes)).toBe(true);
      expect([part.ChecksumSHA256, part.ChecksumType]).toEqual([sha256(bytes), 'COMPOSITE']);
    }
    await expectS3Error(
      admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 3 })),
      'InvalidPart',
      400,
    );
    await expectS3Error(
      admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, PartNumber: 1, Range: 'bytes=0-1' })),
      'InvalidRequest',
      400,
    );
  });

  it('asks for the attributes it answers, naming one it does not know', async () => {
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'modern/small.txt', Body: 'small' }));
    const path = `/${BUCKET}/modern/small.txt`;
    const answer = await sendRaw(stack, 'admin', {
      method: 'GET',
      path,
      query: { attributes: '' },
      headers: { 'x-amz-object-attributes': 'ETag,Colour' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('Invalid attribute name');
    const missing = await sendRaw(stack, 'admin', { method: 'GET', path, query: { attributes: '' } });
    expect(missing.status).toBe(400);
  });
});

describe('conditional deletes', () => {
  it('deletes only the ETag named (If-Match), 412 otherwise, 404 for no object, 204 for no such version; DeleteObjects per key', async () => {
    const key = 'modern/conditional.txt';
    const { ETag } = await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'one' }));
    await expectS3Error(
      admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, IfMatch: '"0123456789abcdef0123456789abcdef"' })),
      'PreconditionFailed',
      412,
    );
    await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, IfMatch: ETag }));
    await expectS3Error(admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })), 'NotFound', 404);
    await expectS3Error(
      admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, IfMatch: ETag })),
      'NoSuchKey',
      404,
    );
    // A version named that is not there is deleted already: 204, If-Match or not.
    await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key, VersionId: 'null', IfMatch: ETag }));
    const two = await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two' }));
    const batch = await admin.send(
      new DeleteObjectsCommand({
        Bucket: BUCKET,
        Delete: { Objects: [{ Key: key, ETag: '"0123456789abcdef0123456789abcdef"' }] },
      }),
    );
    expect(batch.Errors?.map((e) => e.Code)).toEqual(['PreconditionFailed']);
    const deleted = await admin.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: key, ETag: two.ETag }] } }),
    );
    expect(deleted.Deleted?.map((d) => d.Key)).toEqual([key]);
  });
});

describe('If-None-Match with an ETag on a write', () => {
  it('refuses to overwrite the ETag named (412), and writes over another (it was ignored)', async () => {
    const key = 'modern/inm.txt';
    const first = await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'one' }));
    await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two', IfNoneMatch: first.ETag })),
      'PreconditionFailed',
      412,
    );
    await admin.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: 'two',
        IfNoneMatch: '"0123456789abcdef0123456789abcdef"',
      }),
    );
    const now = await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await now.Body!.transformToString()).toBe('two');
  });
});

describe('Block Public Access', () => {
  it('refuses a public policy under BlockPublicPolicy, accepts one fixed to an account, and says which is public', async () => {
    const Bucket = 'modern-public-block';
    await admin.send(new CreateBucketCommand({ Bucket }));
    await expectS3Error(
      admin.send(new GetPublicAccessBlockCommand({ Bucket })),
      'NoSuchPublicAccessBlockConfiguration',
      404,
    );
    const statement = (Principal: object | string) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal, Action: 's3:GetObject', Resource: `arn:aws:s3:::${Bucket}/*` }],
    });
    await admin.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(statement('*')) }));
    expect((await admin.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic).toBe(true);
    await admin.send(
      new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } }),
    );
    const block = await admin.send(new GetPublicAccessBlockCommand({ Bucket }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: false,
    });
    await expectS3Error(
      admin.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(statement({ AWS: '*' })) })),
      'AccessDenied',
      403,
    );
    await admin.send(
      new PutBucketPolicyCommand({
        Bucket,
        Policy: JSON.stringify(statement({ AWS: 'arn:aws:iam::123456789012:root' })),
      }),
    );
    expect((await admin.send(new GetBucketPolicyStatusCommand({ Bucket }))).PolicyStatus?.IsPublic).toBe(false);
    await admin.send(new DeletePublicAccessBlockCommand({ Bucket }));
    await admin.send(new PutBucketPolicyCommand({ Bucket, Policy: JSON.stringify(statement('*')) }));
  });
});

describe("AWS's 4xx for what it does not accept", () => {
  const cases: [string, string, string, Record<string, string>, Record<string, string>, string][] = [
    [
      'a checksum algorithm S3 does not have',
      'PUT',
      'bogus.txt',
      {},
      { 'x-amz-checksum-algorithm': 'BOGUS' },
      'InvalidRequest',
    ],
    ['a partNumber that is not a number', 'GET', 'small.txt', { partNumber: 'x' }, {}, 'InvalidArgument'],
    [
      'a non-numeric x-amz-decoded-content-length',
      'PUT',
      'dcl.txt',
      {},
      { 'x-amz-decoded-content-length': 'ten' },
      'InvalidArgument',
    ],
  ];
  it.each(cases)('%s', async (_what, method, name, query, headers, code) => {
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'modern/small.txt', Body: 'small' }));
    const answer = await sendRaw(stack, 'admin', {
      method,
      path: `/${BUCKET}/modern/${name}`,
      query,
      headers,
      ...(method === 'PUT' ? { body: 'body' } : {}),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(`<Code>${code}</Code>`);
  });
});
