/** The real aws cli (awscli) and boto3 against the gateway: signatures, streaming, multipart, errors. */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { hasCommand, run, warnSkipped } from '../helpers/system-tools.ts';

const hasAws = hasCommand('aws');
const hasBoto3 = hasCommand('python3', ['-c', 'import boto3']);
if (!hasAws) warnSkipped('the aws cli', 'apt-get install awscli');
if (!hasBoto3) warnSkipped('boto3', 'apt-get install python3-boto3');

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

function envOf(userName: string): NodeJS.ProcessEnv {
  const user = stack.workspace.iam.users.find((u) => u.name === userName)!;
  return {
    PATH: process.env.PATH,
    HOME: stack.dataDirectory,
    AWS_ACCESS_KEY_ID: user.accessKeyId,
    AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
    AWS_DEFAULT_REGION: stack.workspace.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
}

function aws(userName: string, ...args: string[]) {
  return run('aws', ['--endpoint-url', stack.endpoint, ...args], { env: envOf(userName) });
}

describe.skipIf(!hasAws)('aws cli', () => {
  it('lets the uploader drop a file and list its folder, and denies it the rest with AWS error codes', async () => {
    const file = join(stack.dataDirectory, 'Email.csv');
    writeFileSync(file, 'Campaign Name,Channel\nSpring,Email\n');
    expect(
      (await aws('uploader', 's3', 'cp', '--only-show-errors', file, 's3://acme-claravine/us/submissions/Email.csv'))
        .status,
    ).toBe(0);
    expect((await aws('uploader', 's3', 'ls', 's3://acme-claravine/us/submissions/')).stdout).toContain('Email.csv');
    const root = await aws('uploader', 's3', 'ls', 's3://acme-claravine/');
    expect(root.status).not.toBe(0);
    expect(root.stderr).toContain(
      'An error occurred (AccessDenied) when calling the ListObjectsV2 operation: User: arn:aws:iam::123456789012:user/uploader is not authorized to perform: s3:ListBucket',
    );
    const get = await aws(
      'uploader',
      's3api',
      'get-object',
      '--bucket',
      'acme-claravine',
      '--key',
      'us/submissions/Email.csv',
      join(stack.dataDirectory, 'out.csv'),
    );
    expect(get.stderr).toContain('(AccessDenied) when calling the GetObject operation');
    const wrongSecret = await run(
      'aws',
      ['--endpoint-url', stack.endpoint, 's3', 'ls', 's3://acme-claravine/us/submissions/'],
      { env: { ...envOf('uploader'), AWS_SECRET_ACCESS_KEY: 'wrong' } },
    );
    expect(wrongSecret.stderr).toContain('(SignatureDoesNotMatch)');
  });

  it('uploads a large file in parts and reads it back byte for byte, keys with spaces and plus signs included', async () => {
    const bytes = randomBytes(12 * 1024 * 1024);
    const source = join(stack.dataDirectory, 'big.bin');
    const target = join(stack.dataDirectory, 'big-back.bin');
    writeFileSync(source, bytes);
    expect(
      (await aws('admin', 's3', 'cp', '--only-show-errors', source, 's3://acme-claravine/big dir/a+b é.bin')).status,
    ).toBe(0);
    expect(
      (await aws('admin', 's3', 'cp', '--only-show-errors', 's3://acme-claravine/big dir/a+b é.bin', target)).status,
    ).toBe(0);
    expect(readFileSync(target).equals(bytes)).toBe(true);
  });

  it('uploads with SSE-S3 to the bucket that requires it, and is refused without', async () => {
    const file = join(stack.dataDirectory, 'export.csv');
    writeFileSync(file, 'a\n');
    expect(
      (await aws('admin', 's3', 'cp', '--only-show-errors', file, 's3://acme-exports/export.csv')).stderr,
    ).toContain('AccessDenied');
    expect(
      (await aws('admin', 's3', 'cp', '--only-show-errors', '--sse', 'AES256', file, 's3://acme-exports/export.csv'))
        .status,
    ).toBe(0);
    const head = JSON.parse(
      (await aws('reader', 's3api', 'head-object', '--bucket', 'acme-exports', '--key', 'export.csv')).stdout,
    ) as { ServerSideEncryption?: string };
    expect(head.ServerSideEncryption).toBe('AES256');
  });

  it('tags an object with x-amz-tagging and put-object-tagging, copies a part with upload-part-copy, and reads both back', async () => {
    const file = join(stack.dataDirectory, 'tagged.csv');
    writeFileSync(file, 'a,b\n');
    const object = ['--bucket', 'acme-claravine', '--key', 'cli/tagged.csv'];
    const put = await aws(
      'admin',
      's3api',
      'put-object',
      ...object,
      '--body',
      file,
      '--tagging',
      'team=data&stage=raw',
    );
    expect(put.status, put.stderr).toBe(0);
    const tagsOf = async () =>
      (
        JSON.parse((await aws('admin', 's3api', 'get-object-tagging', ...object)).stdout) as {
          TagSet: { Key: string; Value: string }[];
        }
      ).TagSet.map((t) => `${t.Key}=${t.Value}`);
    expect(await tagsOf()).toEqual(['team=data', 'stage=raw']);
    const retag = await aws(
      'admin',
      's3api',
      'put-object-tagging',
      ...object,
      '--tagging',
      'TagSet=[{Key=stage,Value=final}]',
    );
    expect(retag.status, retag.stderr).toBe(0);
    expect(await tagsOf()).toEqual(['stage=final']);
    // The rest through the SDK, where the aws cli adds nothing but its start-up time.
    const admin = stack.client('admin');
    const head = await admin.send(new HeadObjectCommand({ Bucket: 'acme-claravine', Key: 'cli/tagged.csv' }));
    expect(head.TagCount).toBe(1);
    const { UploadId } = await admin.send(
      new CreateMultipartUploadCommand({ Bucket: 'acme-claravine', Key: 'cli/copied.csv' }),
    );
    const copied = await aws(
      'admin',
      's3api',
      'upload-part-copy',
      '--bucket',
      'acme-claravine',
      '--key',
      'cli/copied.csv',
      '--upload-id',
      UploadId!,
      '--part-number',
      '1',
      '--copy-source',
      'acme-claravine/cli/tagged.csv',
      '--copy-source-range',
      'bytes=0-1',
    );
    expect(copied.status, copied.stderr).toBe(0);
    const ETag = (JSON.parse(copied.stdout) as { CopyPartResult: { ETag: string } }).CopyPartResult.ETag;
    await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'acme-claravine',
        Key: 'cli/copied.csv',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      }),
    );
    const got = await admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'cli/copied.csv' }));
    expect(await got.Body!.transformToString()).toBe('a,');
  });
});

const BOTO3_SCRIPT = `
import json, sys, boto3
from botocore.config import Config
from botocore.exceptions import ClientError
endpoint, key, secret, region, bucket = sys.argv[1:6]
s3 = boto3.client('s3', endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret, region_name=region,
                  config=Config(s3={'addressing_style': 'path'}))
out = {}
keys = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket=bucket, Prefix='boto/'):
    keys += [o['Key'] for o in page.get('Contents', [])]
out['listed'] = keys
s3.put_object(Bucket=bucket, Key='boto/ü & ✓.txt', Body=b'hello boto3')
out['read'] = s3.get_object(Bucket=bucket, Key='boto/ü & ✓.txt')['Body'].read().decode()
versions = s3.list_object_versions(Bucket=bucket, Prefix='boto/ü')
out['versions'] = [[v['Key'], v['VersionId']] for v in versions.get('Versions', [])]
try:
    s3.delete_bucket(Bucket=bucket)
except ClientError as e:
    out['deleteBucket'] = e.response['Error']['Code']
print(json.dumps(out))
`;

describe.skipIf(!hasBoto3)('boto3', () => {
  it('pages through 1,100 keys (encoding-type=url), round-trips a unicode key, and gets AWS error codes', async () => {
    const admin = stack.client('admin');
    const keys = Array.from({ length: 1_100 }, (_, i) => `boto/${String(i).padStart(4, '0')} +&.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(
        keys
          .slice(i, i + 50)
          .map((Key) => admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key, Body: 'x' }))),
      );
    }
    const user = stack.workspace.iam.users.find((u) => u.name === 'admin')!;
    const result = await run(
      'python3',
      [
        '-c',
        BOTO3_SCRIPT,
        stack.endpoint,
        user.accessKeyId,
        user.secretAccessKey,
        stack.workspace.region,
        'acme-claravine',
      ],
      { env: { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', HOME: stack.dataDirectory } },
    );
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as {
      listed: string[];
      read: string;
      versions: string[][];
      deleteBucket: string;
    };
    expect(out.listed).toEqual(keys);
    expect(out.read).toBe('hello boto3');
    expect(out.versions).toEqual([['boto/ü & ✓.txt', 'null']]);
    expect(out.deleteBucket).toBe('BucketNotEmpty');
  });
});
