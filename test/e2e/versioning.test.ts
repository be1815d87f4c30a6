/**
 * Versioning through the gateway with the real SDK (docs/gateway.md, "Versioning"): version ids,
 * older versions, delete markers, deletes by version id, Suspended buckets, copies of a version, the
 * version actions in policies, and versions surviving a restart.
 */
import { readFileSync } from 'node:fs';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { startTestHarness } from '../helpers/harness.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

function versionedWorkspace(): Workspace {
  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  raw.iam.users.push({
    name: 'latest-only',
    accessKeyId: 'AKIALATESTONLY000001',
    secretAccessKey: 'latestOnlySecret000000000000000000000001',
    policies: [
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'],
            Resource: '*',
          },
        ],
      },
    ],
  });
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

let stack: TestStack;
let admin: S3Client;
beforeAll(async () => {
  stack = await startStack(versionedWorkspace());
  admin = stack.client('admin');
});
afterAll(() => stack.stop());

async function newBucket(name: string, status?: 'Enabled' | 'Suspended') {
  await admin.send(new CreateBucketCommand({ Bucket: name }));
  if (status)
    await admin.send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: status } }));
}
const put = (Bucket: string, Key: string, Body: string) => admin.send(new PutObjectCommand({ Bucket, Key, Body }));
const read = async (Bucket: string, Key: string, VersionId?: string) =>
  (
    await admin.send(new GetObjectCommand({ Bucket, Key, ...(VersionId ? { VersionId } : {}) }))
  ).Body!.transformToString();
async function versionsOf(Bucket: string) {
  const listed = await admin.send(new ListObjectVersionsCommand({ Bucket }));
  return {
    versions: (listed.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest]),
    markers: (listed.DeleteMarkers ?? []).map((m) => [m.Key, m.VersionId, m.IsLatest]),
  };
}

describe('versioning', () => {
  it('reports no status until enabled, then keeps every version with its own id, newest first', async () => {
    await newBucket('ver-basic');
    expect((await admin.send(new GetBucketVersioningCommand({ Bucket: 'ver-basic' }))).Status).toBeUndefined();
    await admin.send(
      new PutBucketVersioningCommand({ Bucket: 'ver-basic', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    expect((await admin.send(new GetBucketVersioningCommand({ Bucket: 'ver-basic' }))).Status).toBe('Enabled');
    const v1 = (await put('ver-basic', 'a.txt', 'one')).VersionId!;
    const v2 = (await put('ver-basic', 'a.txt', 'two')).VersionId!;
    expect(v1).toMatch(/^[\w-]{32}$/);
    expect(v2).not.toBe(v1);
    expect(await read('ver-basic', 'a.txt')).toBe('two');
    expect(await read('ver-basic', 'a.txt', v1)).toBe('one');
    const head = await admin.send(new HeadObjectCommand({ Bucket: 'ver-basic', Key: 'a.txt', VersionId: v1 }));
    expect([head.ContentLength, head.VersionId]).toEqual([3, v1]);
    expect((await admin.send(new GetObjectCommand({ Bucket: 'ver-basic', Key: 'a.txt' }))).VersionId).toBe(v2);
    expect(await versionsOf('ver-basic')).toEqual({
      versions: [
        ['a.txt', v2, true],
        ['a.txt', v1, false],
      ],
      markers: [],
    });
    const ranged = await admin.send(
      new GetObjectCommand({ Bucket: 'ver-basic', Key: 'a.txt', VersionId: v1, Range: 'bytes=1-' }),
    );
    expect(await ranged.Body!.transformToString()).toBe('ne');
    await expectS3Error(read('ver-basic', 'a.txt', 'nosuchversion000000000000000000'), 'NoSuchVersion', 404);
  });

  it('a delete adds a delete marker; deleting the marker by id brings the object back; deleting the latest version promotes the previous one', async () => {
    await newBucket('ver-delete', 'Enabled');
    const v1 = (await put('ver-delete', 'k', 'one')).VersionId!;
    const v2 = (await put('ver-delete', 'k', 'two')).VersionId!;
    const deleted = await admin.send(new DeleteObjectCommand({ Bucket: 'ver-delete', Key: 'k' }));
    expect(deleted.DeleteMarker).toBe(true);
    const marker = deleted.VersionId!;
    const missing = await expectS3Error(read('ver-delete', 'k'), 'NoSuchKey', 404);
    expect((missing.$response as { headers: Record<string, string> }).headers['x-amz-delete-marker']).toBe('true');
    await expectS3Error(read('ver-delete', 'k', marker), 'MethodNotAllowed', 405);
    expect((await admin.send(new ListObjectsV2Command({ Bucket: 'ver-delete' }))).KeyCount).toBe(0);
    expect(await versionsOf('ver-delete')).toEqual({
      versions: [
        ['k', v2, false],
        ['k', v1, false],
      ],
      markers: [['k', marker, true]],
    });
    const undeleted = await admin.send(new DeleteObjectCommand({ Bucket: 'ver-delete', Key: 'k', VersionId: marker }));
    expect([undeleted.DeleteMarker, undeleted.VersionId]).toEqual([true, marker]);
    expect(await read('ver-delete', 'k')).toBe('two');
    await admin.send(new DeleteObjectCommand({ Bucket: 'ver-delete', Key: 'k', VersionId: v2 }));
    expect(await read('ver-delete', 'k')).toBe('one');
    expect(await versionsOf('ver-delete')).toEqual({ versions: [['k', v1, true]], markers: [] });
    await expectS3Error(admin.send(new DeleteBucketCommand({ Bucket: 'ver-delete' })), 'BucketNotEmpty', 409);
    const result = await admin.send(
      new DeleteObjectsCommand({ Bucket: 'ver-delete', Delete: { Objects: [{ Key: 'k', VersionId: v1 }] } }),
    );
    expect(result.Deleted?.map((d) => [d.Key, d.VersionId])).toEqual([['k', v1]]);
    await admin.send(new DeleteBucketCommand({ Bucket: 'ver-delete' }));
  });

  it('keeps an object written before versioning as the null version; Suspended writes replace the null version only', async () => {
    await newBucket('ver-null');
    await put('ver-null', 'k', 'before');
    await admin.send(
      new PutBucketVersioningCommand({ Bucket: 'ver-null', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = (await put('ver-null', 'k', 'enabled')).VersionId!;
    expect(await read('ver-null', 'k', 'null')).toBe('before');
    await admin.send(
      new PutBucketVersioningCommand({ Bucket: 'ver-null', VersioningConfiguration: { Status: 'Suspended' } }),
    );
    expect((await put('ver-null', 'k', 'suspended 1')).VersionId).toBeUndefined();
    await put('ver-null', 'k', 'suspended 2');
    expect(await read('ver-null', 'k')).toBe('suspended 2');
    expect(await read('ver-null', 'k', v1)).toBe('enabled');
    expect(await versionsOf('ver-null')).toEqual({
      versions: [
        ['k', 'null', true],
        ['k', v1, false],
      ],
      markers: [],
    });
    const deleted = await admin.send(new DeleteObjectCommand({ Bucket: 'ver-null', Key: 'k' }));
    expect([deleted.DeleteMarker, deleted.VersionId]).toEqual([true, 'null']);
    expect(await versionsOf('ver-null')).toEqual({ versions: [['k', v1, false]], markers: [['k', 'null', true]] });
  });

  it('copies a named older version; reading or deleting a version needs the version actions', async () => {
    await newBucket('ver-copy', 'Enabled');
    const v1 = (await put('ver-copy', 'src', 'first')).VersionId!;
    await put('ver-copy', 'src', 'second');
    const copied = await admin.send(
      new CopyObjectCommand({ Bucket: 'ver-copy', Key: 'dst', CopySource: `ver-copy/src?versionId=${v1}` }),
    );
    expect(copied.CopySourceVersionId).toBe(v1);
    expect(copied.VersionId).toMatch(/^[\w-]{32}$/);
    expect(await read('ver-copy', 'dst')).toBe('first');
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: 'ver-copy', Key: 'parted' }));
    const part = await admin.send(
      new UploadPartCopyCommand({
        Bucket: 'ver-copy',
        Key: 'parted',
        UploadId,
        PartNumber: 1,
        CopySource: `ver-copy/src?versionId=${v1}`,
      }),
    );
    await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ver-copy',
        Key: 'parted',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult!.ETag }] },
      }),
    );
    expect(await read('ver-copy', 'parted')).toBe('first');
    // Restoring an older version over the latest is a copy onto the same key.
    await admin.send(
      new CopyObjectCommand({ Bucket: 'ver-copy', Key: 'src', CopySource: `ver-copy/src?versionId=${v1}` }),
    );
    expect(await read('ver-copy', 'src')).toBe('first');

    const limited = stack.client('latest-only');
    expect(
      await (await limited.send(new GetObjectCommand({ Bucket: 'ver-copy', Key: 'src' }))).Body!.transformToString(),
    ).toBe('first');
    const denied = await expectS3Error(
      limited.send(new GetObjectCommand({ Bucket: 'ver-copy', Key: 'src', VersionId: v1 })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('s3:GetObjectVersion');
    await expectS3Error(
      limited.send(new DeleteObjectCommand({ Bucket: 'ver-copy', Key: 'src', VersionId: v1 })),
      'AccessDenied',
      403,
    );
  });

  it('keeps versions, delete markers and the status across a restart', async () => {
    const own = await startStack(versionedWorkspace());
    const client = own.client('admin');
    await client.send(new CreateBucketCommand({ Bucket: 'ver-restart' }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: 'ver-restart', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = (await client.send(new PutObjectCommand({ Bucket: 'ver-restart', Key: 'k', Body: 'kept' }))).VersionId!;
    await client.send(new DeleteObjectCommand({ Bucket: 'ver-restart', Key: 'k' }));
    await own.stop({ keepData: true });
    const again = await startStack(versionedWorkspace(), own.dataDirectory);
    try {
      const c = again.client('admin');
      expect((await c.send(new GetBucketVersioningCommand({ Bucket: 'ver-restart' }))).Status).toBe('Enabled');
      const listed = await c.send(new ListObjectVersionsCommand({ Bucket: 'ver-restart' }));
      expect([listed.Versions?.map((v) => v.VersionId), listed.DeleteMarkers?.length]).toEqual([[v1], 1]);
      const body = await c.send(new GetObjectCommand({ Bucket: 'ver-restart', Key: 'k', VersionId: v1 }));
      expect(await body.Body!.transformToString()).toBe('kept');
    } finally {
      await again.stop();
    }
  });

  it('imports each version of a dropped file: the same bytes dropped again in a versioned bucket are a new drop', async () => {
    const h = await startTestHarness();
    try {
      await h
        .client('admin')
        .send(
          new PutBucketVersioningCommand({ Bucket: 'acme-claravine', VersioningConfiguration: { Status: 'Enabled' } }),
        );
      const uploader = h.client('uploader');
      const key = 'us/submissions/Email_versions.csv';
      const body = readFileSync('fixtures/files/Email.csv');
      const first = await uploader.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: body }));
      await h.submissionsOf(key);
      const second = await uploader.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: body }));
      let submissions = await h.submissionsOf(key);
      for (let i = 0; submissions.length < 2 && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        submissions = await h.submissionsOf(key);
      }
      expect(submissions.map((s) => [s.status, s.source.versionId]).sort()).toEqual(
        [
          ['complete', first.VersionId],
          ['complete', second.VersionId],
        ].sort(),
      );
    } finally {
      await h.stop();
    }
  });
});
