/**
 * Real clients at once (ShardStore's concurrency check, SOSP 2021, with real sockets): 8 SDK clients
 * each send a random mix of PUT, GET, HEAD, DELETE, CopyObject, ListObjectsV2 and ListObjectVersions
 * over two keys, in a bucket never versioned and in an Enabled one. Each answer is timed on one clock
 * and the history of each key is then checked for linearizability (test/model/linearizability.ts):
 * every read and every listing is explained by an order of the overlapping writes consistent with
 * real time, so a listing that started after a 200 includes that write. Every GET's bytes match the
 * ETag it answered. `NUM_RUNS=100 npx vitest run test/e2e/storage-concurrency.test.ts` runs longer.
 */
import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionsInOrder } from '../helpers/versions-wire.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';
import {
  EMPTY_KEY,
  History,
  keyFingerprint,
  observedDelete,
  observedRead,
  observedVersions,
  observedWrite,
  type BucketVersioning,
} from '../model/key-spec.ts';
import { linearize } from '../model/linearizability.ts';

const NUM_RUNS = Number(process.env.NUM_RUNS ?? 6);
const CLIENTS = 8;

type Op = 'put' | 'get' | 'head' | 'delete' | 'copy' | 'list' | 'versions';
const op = fc.constantFrom<Op>('put', 'put', 'put', 'get', 'get', 'head', 'delete', 'copy', 'list', 'versions');

let stack: TestStack;
let clients: S3Client[];
let rounds = 0;
beforeAll(async () => {
  stack = await startStack();
  clients = Array.from({ length: CLIENTS }, () => {
    const client = stack.client('admin');
    client.config.maxAttempts = async () => 1; // a retried request would be two operations in one
    return client;
  });
});
afterAll(async () => {
  for (const client of clients ?? []) client.destroy();
  await stack?.stop();
});

const md5 = (bytes: Uint8Array) => `"${createHash('md5').update(bytes).digest('hex')}"`;
const missing = (error: unknown) => ['NoSuchKey', 'NotFound'].includes((error as Error).name);

function runOne(
  history: History,
  s3: S3Client,
  bucket: string,
  keys: string[],
  versioning: BucketVersioning,
  choice: { op: Op; key: number; other: number; tag: number | string },
  torn: string[],
): Promise<unknown> {
  const key = keys[choice.key % keys.length]!;
  const other = keys[choice.other % keys.length]!;
  const Bucket = bucket;
  switch (choice.op) {
    case 'put':
      return history.record(
        `put ${key} ${choice.tag}`,
        () => s3.send(new PutObjectCommand({ Bucket, Key: key, Body: `body ${choice.tag}` })),
        (a) => [[key, observedWrite(a.ETag!, a.VersionId ?? 'null', versioning)]],
      );
    case 'get':
      return history.record(
        `get ${key}`,
        () =>
          s3.send(new GetObjectCommand({ Bucket, Key: key })).then(
            async (a) => {
              const bytes = await a.Body!.transformToByteArray();
              if (md5(bytes) !== a.ETag) torn.push(`GET ${key}: ${bytes.length} bytes do not match ${a.ETag}`);
              return a.ETag;
            },
            (error: unknown) => {
              if (missing(error)) return undefined;
              throw error;
            },
          ),
        (etag) => [[key, observedRead(etag)]],
      );
    case 'head':
      return history.record(
        `head ${key}`,
        () =>
          s3.send(new HeadObjectCommand({ Bucket, Key: key })).then(
            (a) => a.ETag,
            (error: unknown) => {
              if (missing(error)) return undefined;
              throw error;
            },
          ),
        (etag) => [[key, observedRead(etag)]],
      );
    case 'delete':
      return history.record(
        `delete ${key}`,
        () => s3.send(new DeleteObjectCommand({ Bucket, Key: key })),
        (a) => [[key, observedDelete(versioning, a.VersionId)]],
      );
    case 'copy':
      return history.record(
        `copy ${other} -> ${key}`,
        () =>
          s3
            .send(
              new CopyObjectCommand({
                Bucket,
                Key: key,
                CopySource: `${Bucket}/${other}`,
                MetadataDirective: 'REPLACE',
              }),
            )
            .then(
              (a) => a,
              (error: unknown) => {
                if (missing(error)) return undefined;
                throw error;
              },
            ),
        // A copy reads its source, then writes its target: two steps (S3 makes no copy a transaction).
        (a) =>
          a
            ? [
                [other, observedRead(a.CopyObjectResult!.ETag)],
                [key, observedWrite(a.CopyObjectResult!.ETag!, a.VersionId ?? 'null', versioning)],
              ]
            : [[other, observedRead(undefined)]],
      );
    case 'list':
      return history.record(
        'list',
        () => s3.send(new ListObjectsV2Command({ Bucket, Prefix: keys[0]!.split('/')[0] + '/' })),
        (a) => keys.map((k) => [k, observedRead(a.Contents?.find((c) => c.Key === k)?.ETag)]),
      );
    case 'versions':
      return history.record(
        'versions',
        () => versionsInOrder(s3, Bucket, keys[0]!.split('/')[0] + '/'),
        (listed) =>
          keys.map((k) => [
            k,
            observedVersions(
              listed.filter((v) => v.key === k).map((v) => ({ id: v.versionId, ...(v.etag ? { etag: v.etag } : {}) })),
            ),
          ]),
      );
  }
}

describe('parallel clients', () => {
  for (const versioning of [undefined, 'Enabled'] as const) {
    it(`${versioning ? 'a versioned bucket' : 'a bucket never versioned'}: every key's history is linearizable and every body whole`, async () => {
      const bucket = `parallel-${versioning ?? 'plain'}`.toLowerCase();
      await clients[0]!.send(new CreateBucketCommand({ Bucket: bucket }));
      if (versioning)
        await clients[0]!.send(
          new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: versioning } }),
        );
      const choice = fc.record({ op, key: fc.nat(1), other: fc.nat(1), tag: fc.nat() });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(choice, { minLength: 4, maxLength: 6 }), { minLength: CLIENTS, maxLength: CLIENTS }),
          async (plans) => {
            const round = ++rounds;
            const keys = [`r${round}/a`, `r${round}/b`];
            const history = new History(() => performance.now());
            const torn: string[] = [];
            await Promise.all(
              plans.map(async (plan, c) => {
                for (const [i, step] of plan.entries())
                  await runOne(
                    history,
                    clients[c]!,
                    bucket,
                    keys,
                    versioning,
                    { ...step, tag: `${c}.${i}.${step.tag}` },
                    torn,
                  );
              }),
            );
            expect(torn).toEqual([]);
            for (const [key, operations] of history.byKey) {
              const result = linearize(EMPTY_KEY, operations, keyFingerprint);
              expect(result.ok, `${key}: ${JSON.stringify(result)}`).toBe(true);
            }
          },
        ),
        { numRuns: NUM_RUNS, endOnFailure: true },
      );
    });
  }
});
