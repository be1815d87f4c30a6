import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  ListObjectsV2Command,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteBucketCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListObjectsCommand,
  ListPartsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  // A small memory limit: bodies over 100 KB go through the gateway's temporary files.
  stack = await startStack(undefined, undefined, { memoryLimitBytes: 100_000 });
});
afterAll(() => stack.stop());

const bucket = 'acme-claravine';

describe('object bodies', () => {
  it('decodes an aws-chunked streamed upload from the SDK and reads it back byte for byte', async () => {
    const seen: string[] = [];
    const spy = (req: { headers: Record<string, unknown> }) => seen.push(String(req.headers['content-encoding'] ?? ''));
    stack.server.prependListener('request', spy);
    const bytes = randomBytes(300_000);
    const admin = stack.client('admin');
    await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'stream/random.bin',
        Body: Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]),
        ContentLength: bytes.length,
      }),
    );
    stack.server.removeListener('request', spy);
    expect(seen).toContain('aws-chunked');
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'stream/random.bin' }));
    expect(got.ContentLength).toBe(bytes.length);
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    expect(readdirSync(join(stack.dataDirectory, 'store', 'tmp'))).toEqual([]);
  });

  it('keeps the checksum a client sent, answers it on PUT and on GET or HEAD when asked, and keeps metadata and storage class', async () => {
    const admin = stack.client('admin');
    const body = Buffer.from('checked bytes');
    const crc32 = Buffer.alloc(4);
    crc32.writeUInt32BE((await import('node:zlib')).crc32(body));
    const put = await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'checked.txt',
        Body: body,
        ChecksumAlgorithm: 'CRC32',
        ContentType: 'text/plain',
        CacheControl: 'no-cache',
        Metadata: { team: 'cs' },
        StorageClass: 'STANDARD_IA',
      }),
    );
    expect(put.ChecksumCRC32).toBe(crc32.toString('base64'));
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'checked.txt', ChecksumMode: 'ENABLED' }));
    expect(await got.Body!.transformToString()).toBe('checked bytes');
    expect([got.ChecksumCRC32, got.ContentType, got.CacheControl, got.Metadata, got.StorageClass]).toEqual([
      crc32.toString('base64'),
      'text/plain',
      'no-cache',
      { team: 'cs' },
      'STANDARD_IA',
    ]);
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'checked.txt' }));
    expect(head.ChecksumCRC32).toBeUndefined(); // not asked
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'checked.txt' }));
    expect(listed.Contents?.[0]?.StorageClass).toBe('STANDARD_IA');
    await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'x.txt', Body: 'x', StorageClass: 'COLD' as never })),
      'InvalidStorageClass',
      400,
    );
  });

  it('serves range requests from the stored bytes', async () => {
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'range.txt', Body: '0123456789' }));
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range: 'bytes=2-5' }));
    expect(await got.Body!.transformToString()).toBe('2345');
  });

  it('refuses a ".." key and writes nothing outside the data folder', async () => {
    const admin = stack.client('admin');
    const outside = join(dirname(stack.dataDirectory), 'escaped.txt');
    for (const key of ['../../escaped.txt', 'a/../../../escaped.txt', 'a/./b', 'a//b']) {
      const error = await expectS3Error(
        admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })),
        'InvalidArgument',
        400,
      );
      expect(error.message).toMatch(/Unsupported key/);
    }
    expect(existsSync(outside)).toBe(false);
    expect(readdirSync(dirname(stack.dataDirectory)).some((name) => name.startsWith('escaped'))).toBe(false);
  });

  it('copies an object, and refuses to overwrite with If-None-Match: *', async () => {
    const admin = stack.client('admin');
    await admin.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'copy/src.txt',
        Body: 'payload',
        ContentType: 'text/plain',
        Metadata: { team: 'cs' },
      }),
    );
    await admin.send(
      new CopyObjectCommand({
        Bucket: 'acme-exports',
        Key: 'copied.txt',
        CopySource: `${bucket}/copy/src.txt`,
        ServerSideEncryption: 'AES256',
      }),
    );
    const got = await admin.send(new GetObjectCommand({ Bucket: 'acme-exports', Key: 'copied.txt' }));
    expect([await got.Body!.transformToString(), got.ContentType, got.Metadata, got.ServerSideEncryption]).toEqual([
      'payload',
      'text/plain',
      { team: 'cs' },
      'AES256',
    ]);
    await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/src.txt', Body: 'other', IfNoneMatch: '*' })),
      'PreconditionFailed',
      412,
    );
    // If-Match writes only over the ETag named; a missing object is NoSuchKey.
    const { ETag } = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/src.txt' }));
    await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/src.txt', Body: 'x', IfMatch: '"0123"' })),
      'PreconditionFailed',
      412,
    );
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/src.txt', Body: 'matched', IfMatch: ETag }));
    await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'copy/none.txt', Body: 'x', IfMatch: ETag })),
      'NoSuchKey',
      404,
    );
    // A copy's source conditions.
    const { ETag: now } = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy/src.txt' }));
    const copy = (condition: Record<string, string>) =>
      admin.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'c.txt', CopySource: `${bucket}/copy/src.txt`, ...condition }),
      );
    await copy({ CopySourceIfMatch: now! });
    await expectS3Error(copy({ CopySourceIfMatch: '"0123"' }), 'PreconditionFailed', 412);
    await expectS3Error(copy({ CopySourceIfNoneMatch: now! }), 'PreconditionFailed', 412);
    await copy({ CopySourceIfNoneMatch: '"0123"' });
    // Part 1 of an object not uploaded in parts is the whole object; there is no part 2.
    const part = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy/src.txt', PartNumber: 1 }));
    expect(await part.Body!.transformToString()).toBe('matched');
    await expectS3Error(
      admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy/src.txt', PartNumber: 2 })),
      'InvalidPart',
      400,
    );
  });

  it('never returns a torn body while an object is overwritten', async () => {
    const admin = stack.client('admin');
    const a = Buffer.alloc(2_000_000, 'a');
    const b = Buffer.alloc(2_000_000, 'b');
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'torn.bin', Body: a }));
    const reads: Promise<Buffer>[] = [];
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 10; i++) {
      writes.push(admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'torn.bin', Body: i % 2 ? a : b })));
      reads.push(
        admin
          .send(new GetObjectCommand({ Bucket: bucket, Key: 'torn.bin' }))
          .then(async (r) => Buffer.from(await r.Body!.transformToByteArray())),
      );
    }
    await Promise.all(writes);
    for (const body of await Promise.all(reads)) {
      expect(body.length).toBe(2_000_000);
      expect(body.equals(a) || body.equals(b)).toBe(true);
    }
  });

  it('answers byte ranges as S3 does: one byte, a suffix, an open end, and 416 past the end', async () => {
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'range.txt', Body: '0123456789' }));
    const ranged = async (Range: string) => {
      const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'range.txt', Range }));
      return [await got.Body!.transformToString(), got.ContentRange];
    };
    expect(await ranged('bytes=0-0')).toEqual(['0', 'bytes 0-0/10']);
    expect(await ranged('bytes=-3')).toEqual(['789', 'bytes 7-9/10']);
    expect(await ranged('bytes=5-')).toEqual(['56789', 'bytes 5-9/10']);
    expect(await ranged('bytes=8-20')).toEqual(['89', 'bytes 8-9/10']);
    await expectS3Error(ranged('bytes=10-12'), 'InvalidRange', 416);
  });

  it('a reader that stops reading mid-body does not hold up writes to the key, and still gets the old bytes whole', async () => {
    const admin = stack.client('admin');
    const old = randomBytes(16 * 1024 * 1024);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'stalled.bin', Body: old }));
    const stalled = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'stalled.bin' }));
    // The body is not read: the server's socket buffers fill and its response waits.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const overwrite = admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'stalled.bin', Body: 'new' }));
    const outcome = await Promise.race([
      overwrite.then(() => 'written'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5000)),
    ]);
    expect(outcome).toBe('written');
    expect(Buffer.from(await stalled.Body!.transformToByteArray()).equals(old)).toBe(true);
    const now = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'stalled.bin' }));
    expect(await now.Body!.transformToString()).toBe('new');
  });
});

describe('listings', () => {
  it('echoes an empty continuation token and lists from the start (a bad one is InvalidArgument)', async () => {
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'token/a.csv', Body: 'x' }));
    const listed = await admin.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'token/', ContinuationToken: '' }),
    );
    expect([listed.ContinuationToken, listed.Contents?.map((c) => c.Key)]).toEqual(['', ['token/a.csv']]);
    await expectS3Error(
      admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'token/', ContinuationToken: 'not-a-token' })),
      'InvalidArgument',
      400,
    );
  });

  it('pages through more than 1,000 keys with the SDK paginator', async () => {
    const admin = stack.client('admin');
    const keys = Array.from({ length: 1_205 }, (_, i) => `many/${String(i).padStart(5, '0')}.csv`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys.slice(i, i + 50).map((Key) => admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
      );
    }
    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: admin }, { Bucket: bucket, Prefix: 'many/' })) {
      pages++;
      expect(page.KeyCount).toBe(page.Contents?.length ?? 0);
      listed.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    expect(pages).toBe(2);
    expect(listed).toEqual(keys);
  });

  it('counts common prefixes in KeyCount and pages over them', async () => {
    const admin = stack.client('admin');
    for (const Key of ['tree/a/1', 'tree/a/2', 'tree/b/1', 'tree/c', 'tree/d/1'])
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
    const entries: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: admin, pageSize: 2 },
      { Bucket: bucket, Prefix: 'tree/', Delimiter: '/' },
    )) {
      expect(page.KeyCount).toBe((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0));
      entries.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
    }
    expect(entries.sort()).toEqual(['tree/a/', 'tree/b/', 'tree/c', 'tree/d/']);
    const v1 = await admin.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'tree/', Delimiter: '/' }));
    expect(v1.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['tree/a/', 'tree/b/', 'tree/d/']);
  });

  it('lists every object as version null, and answers GetBucketLocation and HeadBucket', async () => {
    const admin = stack.client('admin');
    const versions = await admin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'tree/a/' }));
    expect(versions.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest])).toEqual([
      ['tree/a/1', 'null', true],
      ['tree/a/2', 'null', true],
    ]);
    expect((await admin.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBeUndefined();
    await admin.send(new HeadBucketCommand({ Bucket: bucket }));
  });
});

describe('multipart uploads', () => {
  it('completes an upload of two parts and reads it back', async () => {
    const admin = stack.client('admin');
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(1000);
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/big.bin' }));
    const e1 = await admin.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/big.bin', UploadId, PartNumber: 1, Body: part1 }),
    );
    const e2 = await admin.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/big.bin', UploadId, PartNumber: 2, Body: part2 }),
    );
    const parts = await admin.send(new ListPartsCommand({ Bucket: bucket, Key: 'mp/big.bin', UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
      [1, part1.length, e1.ETag],
      [2, 1000, e2.ETag],
    ]);
    await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/big.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: e1.ETag },
            { PartNumber: 2, ETag: e2.ETag },
          ],
        },
      }),
    );
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/big.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([part1, part2]))).toBe(true);
  });

  it('UploadPartCopy copies ranges of an object into parts, and refuses bad ranges and callers who may not read the source', async () => {
    const admin = stack.client('admin');
    const source = randomBytes(6 * 1024 * 1024 + 100);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'mp/source.bin', Body: source }));
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/copied.bin' }));
    const copyPart = (PartNumber: number, CopySourceRange?: string, CopySource = `${bucket}/mp/source.bin`) =>
      admin.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'mp/copied.bin',
          UploadId,
          PartNumber,
          CopySource,
          ...(CopySourceRange ? { CopySourceRange } : {}),
        }),
      );
    const split = 5 * 1024 * 1024;
    const first = await copyPart(1, `bytes=0-${split - 1}`);
    const second = await copyPart(2, `bytes=${split}-${source.length - 1}`);
    expect(first.CopyPartResult?.ETag).toBe(`"${createHash('md5').update(source.subarray(0, split)).digest('hex')}"`);
    const parts = await admin.send(new ListPartsCommand({ Bucket: bucket, Key: 'mp/copied.bin', UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, split],
      [2, source.length - split],
    ]);
    await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp/copied.bin',
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: first.CopyPartResult!.ETag },
            { PartNumber: 2, ETag: second.CopyPartResult!.ETag },
          ],
        },
      }),
    );
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp/copied.bin' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(source)).toBe(true);

    const { UploadId: other } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'us/x.bin' }));
    const attempt = (range: string | undefined, user = 'admin', from = `${bucket}/mp/source.bin`) =>
      stack.client(user).send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'us/x.bin',
          UploadId: other,
          PartNumber: 1,
          CopySource: from,
          ...(range ? { CopySourceRange: range } : {}),
        }),
      );
    for (const range of ['0-2', 'bytes=0', 'bytes=hello-world', 'bytes=0-2,3-5', 'bytes=5-2'])
      await expectS3Error(attempt(range), 'InvalidArgument', 400);
    await expectS3Error(attempt(`bytes=0-${source.length}`), 'InvalidRange', 416);
    await expectS3Error(attempt(undefined, 'admin', `${bucket}/mp/missing.bin`), 'NoSuchKey', 404);
    // claravine may write under us/ but may not read: the copy needs s3:GetObject on the source.
    const denied = await expectS3Error(attempt(undefined, 'claravine'), 'AccessDenied', 403);
    expect(denied.message).toContain('perform: s3:GetObject on resource: "arn:aws:s3:::acme-claravine/mp/source.bin"');
    await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'us/x.bin', UploadId: other }));
  });

  it('a repeated CompleteMultipartUpload answers 200 with the same ETag while the key holds that object', async () => {
    const admin = stack.client('admin');
    const key = 'mp/twice.bin';
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const part = await admin.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: 'only part' }),
    );
    const complete = () =>
      admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
    const first = await complete();
    const again = await complete();
    expect([again.Bucket, again.Key, again.ETag]).toEqual([bucket, key, first.ETag]);
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body!.transformToString()).toBe('only part');
    // Once the key holds another object, the upload is gone, as on AWS.
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'replaced' }));
    await expectS3Error(complete(), 'NoSuchUpload', 404);
  });

  it('answers a bad completion with InvalidPart and keeps serving; aborts and lists uploads', async () => {
    const admin = stack.client('admin');
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp/bad.bin' }));
    await admin.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mp/bad.bin', UploadId, PartNumber: 1, Body: 'small' }),
    );
    await expectS3Error(
      admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'mp/bad.bin',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 7, ETag: '"abc"' }] },
        }),
      ),
      'InvalidPart',
      400,
    );
    await expectS3Error(
      admin.send(
        new UploadPartCommand({ Bucket: bucket, Key: 'mp/bad.bin', UploadId: 'ffff', PartNumber: 1, Body: 'x' }),
      ),
      'NoSuchUpload',
      404,
    );
    await expectS3Error(
      admin.send(new UploadPartCommand({ Bucket: bucket, Key: 'mp/other.bin', UploadId, PartNumber: 1, Body: 'x' })),
      'NoSuchUpload',
      404,
    );
    await expectS3Error(
      admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'mp/bad.bin',
          UploadId: 'ffff',
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"abc"' }] },
        }),
      ),
      'NoSuchUpload',
      404,
    );
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['mp/bad.bin', UploadId]]);
    await admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'mp/bad.bin', UploadId }));
    expect((await admin.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
    await expectS3Error(
      admin.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'mp/bad.bin', UploadId })),
      'NoSuchUpload',
      404,
    );
    await admin.send(new HeadBucketCommand({ Bucket: bucket }));
  });
});

describe('restart', () => {
  it('keeps objects, buckets created through the API and policies set through the API', async () => {
    const own = await startStack();
    const admin = own.client('admin');
    await admin.send(new CreateBucketCommand({ Bucket: 'made-by-api' }));
    await admin.send(new PutObjectCommand({ Bucket: 'made-by-api', Key: 'kept.txt', Body: 'still here' }));
    await admin.send(new CreateBucketCommand({ Bucket: 'short-lived' }));
    await admin.send(new DeleteBucketCommand({ Bucket: 'short-lived' }));
    await expectS3Error(admin.send(new DeleteBucketCommand({ Bucket: 'made-by-api' })), 'BucketNotEmpty', 409);
    const lockReaderOut = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoReader',
          Effect: 'Deny',
          Principal: { AWS: 'arn:aws:iam::123456789012:user/reader' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::acme-exports/*',
        },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: 'acme-exports', Policy: JSON.stringify(lockReaderOut) }));
    await admin.send(
      new PutObjectCommand({ Bucket: 'acme-exports', Key: 'r.csv', Body: 'x', ServerSideEncryption: 'AES256' }),
    );
    await own.stop({ keepData: true });

    const again = await startStack(own.workspace, own.dataDirectory);
    try {
      const got = await again.client('admin').send(new GetObjectCommand({ Bucket: 'made-by-api', Key: 'kept.txt' }));
      expect(await got.Body!.transformToString()).toBe('still here');
      await expectS3Error(
        again.client('admin').send(new HeadBucketCommand({ Bucket: 'short-lived' })),
        'NotFound',
        404,
      );
      // The API-set policy replaced the workspace's (which required SSE) and still denies the reader.
      await expectS3Error(
        again.client('reader').send(new GetObjectCommand({ Bucket: 'acme-exports', Key: 'r.csv' })),
        'AccessDenied',
        403,
      );
      await again.client('admin').send(new PutObjectCommand({ Bucket: 'acme-exports', Key: 'plain.csv', Body: 'x' }));
      expect(again.gateway.policyOverrides().map((o) => o.bucket)).toEqual(['acme-exports']);
    } finally {
      await again.stop();
    }
  });
});

describe('interrupted uploads', () => {
  it('stores nothing when the client disconnects mid-body', async () => {
    const { request } = await import('node:http');
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('../../emulator/go-live/sha256.ts');
    const user = stack.workspace.iam.users.find((u) => u.name === 'admin')!;
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL(`${stack.endpoint}/${bucket}/interrupted.bin`);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-length': '1000000' },
    });
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await new Promise<void>((resolve) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'PUT',
          headers: signed.headers,
        });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(200_000, 'x'), () =>
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 50),
        );
      });
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      console.error = originalError;
    }
    await expectS3Error(
      stack.client('admin').send(new HeadObjectCommand({ Bucket: bucket, Key: 'interrupted.bin' })),
      'NotFound',
      404,
    );
    expect(readdirSync(join(stack.dataDirectory, 'store', 'tmp'))).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('object events', () => {
  it('reports created and removed objects with the user who made the request', async () => {
    const events: string[] = [];
    const onCreated = (e: { eventName: string; key: string; size?: number; userName?: string }) =>
      events.push(`${e.eventName} ${e.key} ${e.size} ${e.userName}`);
    stack.gateway.events.on('objectCreated', onCreated);
    stack.gateway.events.on('objectRemoved', onCreated);
    try {
      await stack
        .client('uploader')
        .send(new PutObjectCommand({ Bucket: bucket, Key: 'us/submissions/ev.csv', Body: 'abc' }));
      const admin = stack.client('admin');
      await admin.send(
        new CopyObjectCommand({ Bucket: bucket, Key: 'ev/copy.csv', CopySource: `${bucket}/us/submissions/ev.csv` }),
      );
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'ev/copy.csv' }));
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'ev/never-existed.csv' }));
      await expectS3Error(
        stack.client('uploader').send(new PutObjectCommand({ Bucket: bucket, Key: 'elsewhere.csv', Body: 'x' })),
        'AccessDenied',
        403,
      );
      await new Promise((r) => setTimeout(r, 20));
      expect(events).toEqual([
        'ObjectCreated:Put us/submissions/ev.csv 3 uploader',
        'ObjectCreated:Copy ev/copy.csv 3 admin',
        'ObjectRemoved:Delete ev/copy.csv undefined admin',
      ]);
    } finally {
      stack.gateway.events.off('objectCreated', onCreated);
      stack.gateway.events.off('objectRemoved', onCreated);
    }
  });
});
