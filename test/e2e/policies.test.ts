import {
  DeleteBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workspace } from '../../core/workspace/index.ts';
import { EXPLANATION_HEADER } from '../../emulator/gateway/index.ts';
import { expectS3Error, loadWorkspace, startStack, type TestStack } from '../helpers/stack.ts';

// The product article's two policies, on bucket "my-bucket" and folder "folder".
const ARTICLE_SAMPLE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'VisualEditor0',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/folder/*'],
    },
  ],
};
const ARTICLE_CUSTOM_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'VisualEditor0',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::my-bucket', 'arn:aws:s3:::my-bucket/folder', 'arn:aws:s3:::my-bucket/folder/*'],
    },
  ],
};

function workspaceWithArticleUsers(): Workspace {
  const workspace = loadWorkspace();
  workspace.buckets.push({ name: 'my-bucket', defaultEncryption: 'none' });
  workspace.iam.users.push(
    {
      name: 'sample',
      displayName: 'Sample',
      accessKeyId: 'AKIAARTICLESAMPLE001',
      secretAccessKey: 'sampleSecret',
      policies: [ARTICLE_SAMPLE_POLICY as never],
    },
    {
      name: 'custom',
      displayName: 'Custom',
      accessKeyId: 'AKIAARTICLECUSTOM001',
      secretAccessKey: 'customSecret',
      policies: [ARTICLE_CUSTOM_POLICY as never],
    },
    {
      name: 'cleaner',
      displayName: 'Cleaner',
      accessKeyId: 'AKIACLEANER000000001',
      secretAccessKey: 'cleanerSecret',
      policies: [
        { Statement: [{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::acme-claravine/tmp/*' }] },
      ],
    },
  );
  return workspace;
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(workspaceWithArticleUsers());
  const admin = stack.client('admin');
  for (const [Bucket, Key] of [
    ['my-bucket', 'folder/dropped.csv'],
    ['acme-claravine', 'us/submissions/Email.csv'],
    ['acme-claravine', 'home/intern/notes.txt'],
  ]) {
    await admin.send(new PutObjectCommand({ Bucket, Key, Body: 'x' }));
  }
});
afterAll(() => stack.stop());

describe('identity policies, user by user', () => {
  it('lets the uploader drop files in its folder and nowhere else', async () => {
    const uploader = stack.client('uploader');
    await uploader.send(
      new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email_1.csv', Body: 'a' }),
    );
    const denied = await expectS3Error(
      uploader.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'eu/x.csv', Body: 'a' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toBe(
      'User: arn:aws:iam::123456789012:user/uploader is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::acme-claravine/eu/x.csv" because no identity-based policy allows the s3:PutObject action',
    );
  });

  it('lets the uploader list its folder, but not the bucket root (s3:prefix condition)', async () => {
    const uploader = stack.client('uploader');
    const listed = await uploader.send(
      new ListObjectsV2Command({ Bucket: 'acme-claravine', Prefix: 'us/submissions/' }),
    );
    expect(listed.Contents?.map((c) => c.Key)).toContain('us/submissions/Email.csv');
    await expectS3Error(uploader.send(new ListObjectsV2Command({ Bucket: 'acme-claravine' })), 'AccessDenied', 403);
  });

  it('lets the reader list buckets and read exports, and nothing else', async () => {
    const reader = stack.client('reader');
    expect((await reader.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual([
      'acme-claravine',
      'acme-exports',
      'my-bucket',
    ]);
    await expectS3Error(
      reader.send(
        new PutObjectCommand({ Bucket: 'acme-exports', Key: 'x', Body: 'a', ServerSideEncryption: 'AES256' }),
      ),
      'AccessDenied',
      403,
    );
    await expectS3Error(stack.client('uploader').send(new ListBucketsCommand({})), 'AccessDenied', 403);
  });

  it('substitutes ${aws:username}: the intern reads its own home folder only', async () => {
    const intern = stack.client('intern');
    const got = await intern.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'home/intern/notes.txt' }));
    expect(await got.Body?.transformToString()).toBe('x');
    await expectS3Error(
      intern.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv' })),
      'AccessDenied',
      403,
    );
  });
});

describe('the product article policies', () => {
  it('sample policy: the platform can put, get and list under the folder', async () => {
    const sample = stack.client('sample');
    await sample.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'folder/out.csv', Body: 'a' }));
    expect(
      await (
        await sample.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'folder/dropped.csv' }))
      ).Body?.transformToString(),
    ).toBe('x');
    expect(
      (await sample.send(new ListObjectsV2Command({ Bucket: 'my-bucket', Prefix: 'folder/' }))).KeyCount,
    ).toBeGreaterThan(0);
  });

  it('custom policy: list buckets fails, writes and listing work, and reading a dropped file is denied', async () => {
    const custom = stack.client('custom');
    await expectS3Error(custom.send(new ListBucketsCommand({})), 'AccessDenied', 403);
    await custom.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'folder/export.csv', Body: 'a' }));
    expect(
      (await custom.send(new ListObjectsV2Command({ Bucket: 'my-bucket', Prefix: 'folder/' }))).Contents?.length,
    ).toBeGreaterThan(0);
    const denied = await expectS3Error(
      custom.send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'folder/dropped.csv' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('because no identity-based policy allows the s3:GetObject action');
  });

  it('a ListBucket statement on bucket/* never matches, and the explanation says why', async () => {
    const res = await stack
      .client('intern')
      .send(new ListObjectsV2Command({ Bucket: 'acme-claravine' }))
      .catch((e: { $response?: { headers: Record<string, string> }; name: string }) => e);
    expect((res as { name: string }).name).toBe('AccessDenied');
    const explanation = decodeURIComponent(
      (res as { $response?: { headers: Record<string, string> } }).$response?.headers[EXPLANATION_HEADER] ?? '',
    );
    expect(explanation).toContain('arn:aws:s3:::acme-claravine/* names only its objects');
  });
});

describe('403 or 404 for a missing key', () => {
  it('answers NoSuchKey to a caller who may list the bucket', async () => {
    await expectS3Error(
      stack.client('admin').send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'nope.csv' })),
      'NoSuchKey',
      404,
    );
    await expectS3Error(
      stack.client('reader').send(new GetObjectCommand({ Bucket: 'acme-exports', Key: 'nope.csv' })),
      'NoSuchKey',
      404,
    );
  });

  it('answers AccessDenied to a caller who may read but not list', async () => {
    await expectS3Error(
      stack.client('intern').send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'home/intern/missing.txt' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(
      stack.client('intern').send(new HeadObjectCommand({ Bucket: 'acme-claravine', Key: 'home/intern/missing.txt' })),
      'Unknown',
      403,
    );
  });

  it('answers NoSuchBucket only to a caller allowed the action', async () => {
    await expectS3Error(
      stack.client('admin').send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })),
      'NoSuchBucket',
      404,
    );
    await expectS3Error(
      stack.client('reader').send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })),
      'AccessDenied',
      403,
    );
  });
});

describe('bucket policies', () => {
  it('the exports bucket refuses uploads without SSE-S3, and records the header when sent', async () => {
    const admin = stack.client('admin');
    const denied = await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: 'acme-exports', Key: 'plain.csv', Body: 'a' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('with an explicit deny in a resource-based policy');
    const put = await admin.send(
      new PutObjectCommand({ Bucket: 'acme-exports', Key: 'sealed.csv', Body: 'a', ServerSideEncryption: 'AES256' }),
    );
    expect(put.ServerSideEncryption).toBe('AES256');
    expect(
      (await admin.send(new HeadObjectCommand({ Bucket: 'acme-exports', Key: 'sealed.csv' }))).ServerSideEncryption,
    ).toBe('AES256');
    expect(
      (await admin.send(new GetObjectCommand({ Bucket: 'acme-exports', Key: 'sealed.csv' }))).ServerSideEncryption,
    ).toBe('AES256');
    const plain = await admin.send(
      new HeadObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv' }),
    );
    expect(plain.ServerSideEncryption).toBeUndefined();
    expect(Object.keys(plain.Metadata ?? {})).toEqual([]);
  });

  it('a policy set through the API is enforced at once, and can be read back and deleted', async () => {
    const admin = stack.client('admin');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoCustomReads',
          Effect: 'Deny',
          Principal: { AWS: 'arn:aws:iam::123456789012:user/sample' },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::my-bucket/*',
        },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: 'my-bucket', Policy: JSON.stringify(policy) }));
    expect(JSON.parse((await admin.send(new GetBucketPolicyCommand({ Bucket: 'my-bucket' }))).Policy!)).toEqual(policy);
    const denied = await expectS3Error(
      stack.client('sample').send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'folder/dropped.csv' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('with an explicit deny in a resource-based policy');
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: 'my-bucket' }));
    await stack.client('sample').send(new GetObjectCommand({ Bucket: 'my-bucket', Key: 'folder/dropped.csv' }));
    await expectS3Error(admin.send(new GetBucketPolicyCommand({ Bucket: 'my-bucket' })), 'NoSuchBucketPolicy', 404);
  });

  it('lets anonymous callers read what a Principal "*" statement grants, and nothing else', async () => {
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: 'my-bucket', Key: 'public/logo.txt', Body: 'public' }));
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PublicRead',
          Effect: 'Allow',
          Principal: '*',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::my-bucket/public/*',
        },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: 'my-bucket', Policy: JSON.stringify(policy) }));
    try {
      const ok = await fetch(`${stack.endpoint}/my-bucket/public/logo.txt`);
      expect([ok.status, await ok.text()]).toEqual([200, 'public']);
      const denied = await fetch(`${stack.endpoint}/my-bucket/folder/dropped.csv`);
      expect(denied.status).toBe(403);
      expect(await denied.text()).toContain('<Message>Access Denied</Message>');
    } finally {
      await admin.send(new DeleteBucketPolicyCommand({ Bucket: 'my-bucket' }));
    }
  });

  it('refuses a malformed policy with a message naming the statement', async () => {
    const bad = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-bucket/*' }],
    };
    const error = await expectS3Error(
      stack.client('admin').send(new PutBucketPolicyCommand({ Bucket: 'my-bucket', Policy: JSON.stringify(bad) })),
      'MalformedPolicy',
      400,
    );
    expect(error.message).toBe('policy.Statement[0]: "Principal" (or "NotPrincipal") is required');
  });

  it('refuses NotPrincipal with Allow, which IAM does not support, and accepts it with Deny', async () => {
    const admin = stack.client('admin');
    const statement = (Effect: 'Allow' | 'Deny') => ({
      Effect,
      NotPrincipal: { AWS: 'arn:aws:iam::123456789012:user/admin' },
      Action: 's3:DeleteObject',
      Resource: 'arn:aws:s3:::my-bucket/*',
    });
    const policy = (Effect: 'Allow' | 'Deny') =>
      JSON.stringify({ Version: '2012-10-17', Statement: [statement(Effect)] });
    const error = await expectS3Error(
      admin.send(new PutBucketPolicyCommand({ Bucket: 'my-bucket', Policy: policy('Allow') })),
      'MalformedPolicy',
      400,
    );
    expect(error.message).toBe(
      'policy.Statement[0]: "NotPrincipal" may only be used with "Effect": "Deny" (IAM does not support it with "Allow")',
    );
    await admin.send(new PutBucketPolicyCommand({ Bucket: 'my-bucket', Policy: policy('Deny') }));
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: 'my-bucket' }));
  });
});

describe('DeleteObjects', () => {
  it('authorises each key on its own and reports denials per key', async () => {
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'tmp/a.txt', Body: 'a' }));
    const result = await stack.client('cleaner').send(
      new DeleteObjectsCommand({
        Bucket: 'acme-claravine',
        Delete: { Objects: [{ Key: 'tmp/a.txt' }, { Key: 'us/submissions/Email.csv' }] },
      }),
    );
    expect(result.Errors?.map((e) => [e.Key, e.Code])).toEqual([['us/submissions/Email.csv', 'AccessDenied']]);
    expect(result.Deleted?.map((d) => d.Key)).toEqual(['tmp/a.txt']);
    await expectS3Error(
      admin.send(new HeadObjectCommand({ Bucket: 'acme-claravine', Key: 'tmp/a.txt' })),
      'NotFound',
      404,
    );
    await admin.send(new HeadObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv' }));
  });
});
