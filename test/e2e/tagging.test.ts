/**
 * Object tagging through the gateway with the real SDK (docs/gateway.md, "Object tags"): the tagging
 * operations, `x-amz-tagging` on writes and copies, the tag count on GET/HEAD, AWS's limits, and the
 * condition keys s3:ExistingObjectTag/*, s3:RequestObjectTag/* and s3:RequestObjectTagKeys.
 */
import { readFileSync } from 'node:fs';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'acme-claravine';

/** The demo workspace, with users whose policies decide on tags. */
function taggedWorkspace(): Workspace {
  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  const user = (name: string, key: string, statements: object[]) => ({
    name,
    accessKeyId: key,
    secretAccessKey: `${name}Secret0000000000000000000000000001`,
    policies: [{ Version: '2012-10-17', Statement: statements }],
  });
  raw.iam.users.push(
    user('public-reader', 'AKIAPUBLICREADER0001', [
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetObjectTagging'],
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'public' } },
      },
    ]),
    user('project-writer', 'AKIAPROJECTWRITER001', [
      {
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:PutObjectTagging'],
        Resource: `arn:aws:s3:::${BUCKET}/projects/*`,
        Condition: {
          StringLike: { 's3:RequestObjectTag/project': 'p-*' },
          'ForAllValues:StringEquals': { 's3:RequestObjectTagKeys': ['project', 'owner'] },
        },
      },
    ]),
  );
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(taggedWorkspace());
});
afterAll(() => stack.stop());

const tagsOf = async (key: string, user = 'admin') =>
  (await stack.client(user).send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }))).TagSet?.map((t) => [
    t.Key,
    t.Value,
  ]);

describe('object tags', () => {
  it('are set by x-amz-tagging, read back, counted on GET and HEAD, replaced and deleted without touching the body', async () => {
    const admin = stack.client('admin');
    const put = await admin.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 't/a.txt', Body: 'a', Tagging: 'team=data&note=two%20words' }),
    );
    expect(await tagsOf('t/a.txt')).toEqual([
      ['team', 'data'],
      ['note', 'two words'],
    ]);
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 't/a.txt' }));
    expect(head.TagCount).toBe(2);
    expect((await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: 't/a.txt' }))).TagCount).toBe(2);
    // Reserved metadata never shows.
    expect(Object.keys(head.Metadata ?? {})).toEqual([]);

    await admin.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: 't/a.txt',
        Tagging: { TagSet: [{ Key: 'stage', Value: 'final' }] },
      }),
    );
    expect(await tagsOf('t/a.txt')).toEqual([['stage', 'final']]);
    const after = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 't/a.txt' }));
    expect([after.ETag, after.LastModified?.getTime(), after.TagCount]).toEqual([
      put.ETag,
      head.LastModified?.getTime(),
      1,
    ]);
    await admin.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 't/a.txt' }));
    expect(await tagsOf('t/a.txt')).toEqual([]);
    const bare = await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: 't/a.txt' }));
    expect([bare.TagCount, await bare.Body!.transformToString()]).toEqual([undefined, 'a']);
    // Overwriting the object replaces its tags too.
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 't/a.txt', Body: 'a2', Tagging: 'v=2' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 't/a.txt', Body: 'a3' }));
    expect(await tagsOf('t/a.txt')).toEqual([]);
  });

  it('refuses what AWS refuses: more than 10 tags, long keys or values, duplicates, a missing object', async () => {
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 't/limits.txt', Body: 'x' }));
    const putTags = (TagSet: { Key: string; Value: string }[]) =>
      admin.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 't/limits.txt', Tagging: { TagSet } }));
    const tag = (i: number) => ({ Key: `k${i}`, Value: `v${i}` });
    await putTags(Array.from({ length: 10 }, (_, i) => tag(i)));
    const eleven = await expectS3Error(putTags(Array.from({ length: 11 }, (_, i) => tag(i))), 'InvalidTag', 400);
    expect(eleven.message).toBe('Object tags cannot be greater than 10');
    await putTags([{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }]);
    await expectS3Error(putTags([{ Key: 'k'.repeat(129), Value: '' }]), 'InvalidTag', 400);
    await expectS3Error(putTags([{ Key: 'k', Value: 'v'.repeat(257) }]), 'InvalidTag', 400);
    await expectS3Error(putTags([tag(1), tag(1)]), 'InvalidTag', 400);
    await expectS3Error(
      admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 't/bad.txt', Body: 'x', Tagging: 'a=1&a=2' })),
      'InvalidTag',
      400,
    );
    await expectS3Error(
      admin.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 't/missing.txt' })),
      'NoSuchKey',
      404,
    );
    await expectS3Error(
      admin.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [tag(1)] } })),
      'NotImplemented',
      501,
    );
  });

  it('are kept by a multipart upload, copied by CopyObject, and replaced with x-amz-tagging-directive REPLACE', async () => {
    const admin = stack.client('admin');
    const { UploadId } = await admin.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 't/mp.bin', Tagging: 'origin=multipart' }),
    );
    const part = await admin.send(
      new UploadPartCommand({ Bucket: BUCKET, Key: 't/mp.bin', UploadId, PartNumber: 1, Body: 'mp' }),
    );
    await admin.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 't/mp.bin',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(await tagsOf('t/mp.bin')).toEqual([['origin', 'multipart']]);
    await admin.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 't/copy.bin', CopySource: `${BUCKET}/t/mp.bin` }));
    expect(await tagsOf('t/copy.bin')).toEqual([['origin', 'multipart']]);
    await admin.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 't/replaced.bin',
        CopySource: `${BUCKET}/t/mp.bin`,
        TaggingDirective: 'REPLACE',
        Tagging: 'origin=copy',
      }),
    );
    expect(await tagsOf('t/replaced.bin')).toEqual([['origin', 'copy']]);
    await admin.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 't/untagged.bin',
        CopySource: `${BUCKET}/t/mp.bin`,
        TaggingDirective: 'REPLACE',
      }),
    );
    expect(await tagsOf('t/untagged.bin')).toEqual([]);
  });
});

describe('tag condition keys', () => {
  it('s3:ExistingObjectTag: a reader allowed only public objects reads those and nothing else', async () => {
    const admin = stack.client('admin');
    await admin.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 't/public.txt', Body: 'p', Tagging: 'classification=public' }),
    );
    await admin.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 't/private.txt', Body: 'q', Tagging: 'classification=private' }),
    );
    const reader = stack.client('public-reader');
    const got = await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 't/public.txt' }));
    expect(await got.Body!.transformToString()).toBe('p');
    expect(await tagsOf('t/public.txt', 'public-reader')).toEqual([['classification', 'public']]);
    const denied = await expectS3Error(
      reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 't/private.txt' })),
      'AccessDenied',
      403,
    );
    expect(denied.message).toContain('s3:GetObject on resource: "arn:aws:s3:::acme-claravine/t/private.txt"');
    // Retagging changes the answer: the decision reads the tags the object has now.
    await admin.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: 't/private.txt',
        Tagging: { TagSet: [{ Key: 'classification', Value: 'public' }] },
      }),
    );
    await reader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 't/private.txt' }));
  });

  it('s3:RequestObjectTag and s3:RequestObjectTagKeys decide PutObject and PutObjectTagging; tags need s3:PutObjectTagging', async () => {
    const writer = stack.client('project-writer');
    await writer.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'projects/a.csv', Body: 'a', Tagging: 'project=p-1&owner=ada' }),
    );
    await expectS3Error(
      writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'projects/b.csv', Body: 'b', Tagging: 'project=x-1' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(
      writer.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'projects/c.csv', Body: 'c', Tagging: 'project=p-2&cost=9' }),
      ),
      'AccessDenied',
      403,
    );
    await expectS3Error(
      writer.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'projects/d.csv', Body: 'd' })),
      'AccessDenied',
      403,
    );
    await writer.send(
      new PutObjectTaggingCommand({
        Bucket: BUCKET,
        Key: 'projects/a.csv',
        Tagging: { TagSet: [{ Key: 'project', Value: 'p-9' }] },
      }),
    );
    await expectS3Error(
      writer.send(
        new PutObjectTaggingCommand({
          Bucket: BUCKET,
          Key: 'projects/a.csv',
          Tagging: { TagSet: [{ Key: 'project', Value: 'q-9' }] },
        }),
      ),
      'AccessDenied',
      403,
    );
    expect(await tagsOf('projects/a.csv')).toEqual([['project', 'p-9']]);
    // The uploader may PutObject under us/ but not tag: a tagged upload is refused, as on AWS.
    const refused = await expectS3Error(
      stack
        .client('uploader')
        .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'us/t.csv', Body: 't', Tagging: 'a=1' })),
      'AccessDenied',
      403,
    );
    expect(refused.message).toContain('perform: s3:PutObjectTagging');
  });
});
