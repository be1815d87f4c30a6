/**
 * The object store against the reference model (test/model/bucket-model.ts), ShardStore's first
 * proof (SOSP 2021): random sequences of PUT, GET, HEAD, ListObjectsV2, ListObjectVersions,
 * CopyObject, DeleteObject(s), versioning switches, tagging and multipart steps (create, upload,
 * re-upload, complete, abort), each sent through the real gateway with the SDK and each answer held
 * against the model. `NUM_RUNS=500 npx vitest run test/e2e/storage-model.property.test.ts` runs longer.
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { BucketModel } from '../model/bucket-model.ts';
import { allCommands, type Real } from '../model/commands.ts';

const NUM_RUNS = Number(process.env.NUM_RUNS ?? 40);

let stack: TestStack;
let s3: S3Client;
let buckets = 0;
beforeAll(async () => {
  stack = await startStack();
  s3 = stack.client('admin');
});
afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

describe('the object store against the reference model', () => {
  it('answers every command sequence as the model does', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(allCommands, { maxCommands: 40, size: 'max' }), async (commands) => {
        const bucket = `model-${++buckets}`;
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        const real: Real = { s3, bucket, uploadIds: [] };
        await fc.asyncModelRun(() => ({ model: new BucketModel(), real }), commands);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
