/**
 * Block Public Access declared by the workspace (docs/workspace.md, `buckets[].publicAccessBlock`), as a
 * bucket made in AWS since April 2023 has it: a public policy stays away from anonymous callers under
 * RestrictPublicBuckets, a public PutBucketPolicy is refused under BlockPublicPolicy, and the S3 API's
 * Delete/PutPublicAccessBlock override the workspace, across a restart.
 */
import { readFileSync } from 'node:fs';
import {
  DeletePublicAccessBlockCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'acme-public-site';
const PUBLIC_READ = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PublicRead',
      Effect: 'Allow',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
};

function workspaceWith(bucket: Record<string, unknown>): ReturnType<typeof parseWorkspace> {
  const json = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')) as { buckets: object[] };
  json.buckets.push(bucket);
  return parseWorkspace(json);
}

let workspace: Workspace;
let stack: TestStack;
beforeAll(async () => {
  const parsed = workspaceWith({
    name: BUCKET,
    policy: PUBLIC_READ,
    publicAccessBlock: { BlockPublicPolicy: true, RestrictPublicBuckets: true },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  workspace = parsed.value;
  stack = await startStack(workspace);
  await stack.client('admin').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'index.html', Body: 'hello' }));
});
afterAll(() => stack.stop());

const anonymousGet = () => fetch(`${stack.endpoint}/${BUCKET}/index.html`);

describe('a workspace bucket with Block Public Access', () => {
  it('answers its settings, the ones left out false', async () => {
    const block = await stack.client('admin').send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it("keeps its public policy from anonymous callers, not from the account's own users", async () => {
    expect((await anonymousGet()).status).toBe(403);
    // The uploader has no identity policy granting reads here: the bucket policy alone lets it read.
    const read = await stack.client('uploader').send(new GetObjectCommand({ Bucket: BUCKET, Key: 'index.html' }));
    expect(await read.Body!.transformToString()).toBe('hello');
  });

  it('refuses a public PutBucketPolicy under BlockPublicPolicy', async () => {
    await expectS3Error(
      stack.client('admin').send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(PUBLIC_READ) })),
      'AccessDenied',
      403,
    );
  });

  it("DeletePublicAccessBlock overrides the workspace's, across a restart", async () => {
    await stack.client('admin').send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }));
    expect((await anonymousGet()).status).toBe(200);
    await stack.stop({ keepData: true });
    stack = await startStack(workspace, stack.dataDirectory);
    await expectS3Error(
      stack.client('admin').send(new GetPublicAccessBlockCommand({ Bucket: BUCKET })),
      'NoSuchPublicAccessBlockConfiguration',
      404,
    );
    const again = await anonymousGet();
    expect([again.status, await again.text()]).toEqual([200, 'hello']);
  });

  it('names a setting it does not know and a value that is not true or false', () => {
    const parsed = workspaceWith({
      name: 'acme-other',
      publicAccessBlock: { BlockPublicPolicy: 'yes', BlockAll: true },
    });
    expect(parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'buckets[2].publicAccessBlock: unknown key "BlockAll" (expected BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets)',
      'buckets[2].publicAccessBlock: "BlockPublicPolicy" must be true or false, got string "yes"',
    ]);
  });
});
