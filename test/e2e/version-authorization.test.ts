/**
 * Naming a version is authorized as AWS authorizes it (docs/gateway.md, "Operations"): the version
 * action, with the tags of that version. A bucket policy that denies reading and untagging objects
 * tagged `classification=secret` holds for GET `?versionId=null` (which names the null version even in a
 * never-versioned bucket), for a copy from `?versionId=null`, and for `DELETE ?tagging&versionId=null`;
 * PutObjectTagging with `versionId` is s3:PutObjectVersionTagging and changes that version only.
 */
import { readFileSync } from 'node:fs';
import {
  CopyObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import type { DecisionEvent } from '../../emulator/gateway/context.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'acme-claravine';
const SECRET = 'vault/secret.csv';

function workspaceWithPolicyUsers(): Workspace {
  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  const user = (name: string, key: string, actions: string[]) => ({
    name,
    accessKeyId: key,
    secretAccessKey: `${name}Secret0000000000000000000000000001`,
    policies: [
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: actions, Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] },
        ],
      },
    ],
  });
  raw.iam.users.push(
    user('everything', 'AKIAEVERYTHING000001', ['s3:*']),
    user('tagger', 'AKIATAGGER0000000001', [
      's3:PutObjectTagging',
      's3:GetObjectTagging',
      's3:GetObjectVersionTagging',
    ]),
  );
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** The policy of the finding: no one reads or untags a secret object. */
const denySecrets = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'NoSecrets',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { StringEquals: { 's3:ExistingObjectTag/classification': 'secret' } },
    },
  ],
};

let stack: TestStack;
let admin: S3Client;
let everything: S3Client;
const decided: DecisionEvent[] = [];
beforeAll(async () => {
  stack = await startStack(workspaceWithPolicyUsers());
  stack.gateway.events.on('decision', (event) => decided.push(event));
  admin = stack.client('admin');
  everything = stack.client('everything');
  await admin.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: SECRET, Body: 'the secret', Tagging: 'classification=secret' }),
  );
  await admin.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(denySecrets) }));
});
afterAll(() => stack.stop());

describe('a Deny on s3:ExistingObjectTag holds when a request names a version', () => {
  it('holds for a plain GET', async () => {
    await expectS3Error(everything.send(new GetObjectCommand({ Bucket: BUCKET, Key: SECRET })), 'AccessDenied', 403);
  });

  it("holds for GET ?versionId=null in a never-versioned bucket (s3:GetObjectVersion with the version's tags)", async () => {
    await expectS3Error(
      everything.send(new GetObjectCommand({ Bucket: BUCKET, Key: SECRET, VersionId: 'null' })),
      'AccessDenied',
      403,
    );
    const denial = decided.find((d) => d.action === 's3:GetObjectVersion');
    expect(denial?.context).toMatchObject({ 's3:ExistingObjectTag/classification': 'secret', 's3:VersionId': 'null' });
  });

  it('holds for a copy from ?versionId=null (the source is read as s3:GetObjectVersion with its tags)', async () => {
    await expectS3Error(
      everything.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'vault/copy.csv',
          CopySource: `${BUCKET}/${SECRET}?versionId=null`,
        }),
      ),
      'AccessDenied',
      403,
    );
    await expectS3Error(
      everything.send(
        new CopyObjectCommand({ Bucket: BUCKET, Key: 'vault/copy.csv', CopySource: `${BUCKET}/${SECRET}` }),
      ),
      'AccessDenied',
      403,
    );
  });

  it('holds for DELETE ?tagging&versionId=null, and the tag stays for everyone', async () => {
    await expectS3Error(
      everything.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: SECRET, VersionId: 'null' })),
      'AccessDenied',
      403,
    );
    const tags = await admin.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: SECRET }));
    expect(tags.TagSet).toEqual([{ Key: 'classification', Value: 'secret' }]);
  });
});

describe('tags of a version', () => {
  it('PutObjectTagging with versionId is s3:PutObjectVersionTagging, and tags that version only', async () => {
    const bucket = BUCKET;
    await admin.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const v1 = await admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'versions/v.csv', Body: '1', Tagging: 'n=one' }),
    );
    const v2 = await admin.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'versions/v.csv', Body: '2', Tagging: 'n=two' }),
    );
    const tagger = stack.client('tagger');
    const tagging = { TagSet: [{ Key: 'n', Value: 'first' }] };
    // tagger may tag the latest, not a version it names (AWS's s3:PutObjectVersionTagging).
    await expectS3Error(
      tagger.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: 'versions/v.csv',
          VersionId: v1.VersionId,
          Tagging: tagging,
        }),
      ),
      'AccessDenied',
      403,
    );
    await admin.send(
      new PutObjectTaggingCommand({ Bucket: bucket, Key: 'versions/v.csv', VersionId: v1.VersionId, Tagging: tagging }),
    );
    const tagsOf = async (versionId?: string) =>
      (await tagger.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'versions/v.csv', VersionId: versionId })))
        .TagSet;
    expect(await tagsOf(v1.VersionId)).toEqual([{ Key: 'n', Value: 'first' }]);
    expect(await tagsOf(v2.VersionId)).toEqual([{ Key: 'n', Value: 'two' }]);
    expect(await tagsOf()).toEqual([{ Key: 'n', Value: 'two' }]);
    const denied = decided.find((d) => d.action === 's3:PutObjectVersionTagging');
    expect(denied?.context).toMatchObject({ 's3:VersionId': v1.VersionId, 's3:ExistingObjectTag/n': 'one' });
  });
});
