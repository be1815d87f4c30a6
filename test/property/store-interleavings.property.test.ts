/**
 * The object store's asynchronous steps interleaved every way fast-check's scheduler chooses
 * (ShardStore's concurrency exploration, SOSP 2021): PUTs, GETs that read their bytes, deletes,
 * copies, listings and multipart uploads (a part re-uploaded while a completion reads it, an abort
 * racing the completion) start and pause in any order, and the history is then checked per key for
 * linearizability against the key's sequential specification. Every GET's bytes are whole (they match
 * the ETag it answered), and of an abort and a completion exactly one wins.
 * `NUM_RUNS=2000 npx vitest run test/property/store-interleavings.property.test.ts` explores longer.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fc } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpooledBody } from '../../emulator/gateway/request-body.ts';
import { S3Error } from '../../emulator/gateway/s3-errors.ts';
import type { ObjectAttributes } from '../../emulator/gateway/store/object-record.ts';
import { MIN_PART_BYTES, multipartEtag, ObjectStore } from '../../emulator/gateway/store/object-store.ts';
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

const NUM_RUNS = Number(process.env.NUM_RUNS ?? 150);
const ATTRIBUTES: ObjectAttributes = { contentHeaders: [], userMetadata: [], tags: [], storageClass: 'STANDARD' };
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

function body(bytes: Buffer): SpooledBody {
  return {
    length: bytes.length,
    md5Hex: md5(bytes),
    bytes,
    open: () => Readable.from([bytes]),
    text: async () => bytes.toString(),
    dispose: async () => {},
  };
}

type Op =
  | { kind: 'put'; key: string; body: string }
  | { kind: 'get'; key: string }
  | { kind: 'delete'; key: string }
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'list' }
  | { kind: 'versions' };

const KEYS = ['k1', 'k2'];
const key = fc.constantFrom(...KEYS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('put' as const), key, body: fc.constantFrom('a', 'b', 'c') }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('copy' as const), from: key, to: key }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('list' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('versions' as const) }) },
);

async function readAll(handle: Awaited<ReturnType<ObjectStore['openBody']>>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of handle.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * One store for every run (opening one costs a snapshot's fsync), a bucket of its own per run, and
 * the run's scheduler deciding when each asynchronous step of the store goes on.
 */
let dir: string;
const stores = new Map<BucketVersioning, ObjectStore>();
let scheduler: fc.Scheduler | undefined;
let runs = 0;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 's3-harness-interleave-'));
  for (const versioning of [undefined, 'Enabled'] as const)
    stores.set(
      versioning,
      await ObjectStore.open({
        dataDirectory: join(dir, versioning ?? 'unversioned'),
        versioningOf: () => versioning,
        log: () => {},
        pause: (step) =>
          scheduler ? scheduler.schedule(Promise.resolve(step), step).then(() => {}) : Promise.resolve(),
      }),
    );
});
afterAll(async () => {
  for (const store of stores.values()) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function withStore<T>(
  s: fc.Scheduler,
  versioning: BucketVersioning,
  use: (store: ObjectStore, bucket: string) => Promise<T>,
): Promise<T> {
  const store = stores.get(versioning)!;
  const bucket = `b${++runs}`;
  store.createBucket(bucket);
  scheduler = s;
  try {
    return await use(store, bucket);
  } finally {
    scheduler = undefined;
  }
}

/** Runs one operation against the store, recording what each key it touched observed. */
function run(
  store: ObjectStore,
  bucket: string,
  history: History,
  o: Op,
  versioning: BucketVersioning,
  torn: string[],
): Promise<unknown> {
  switch (o.kind) {
    case 'put':
      return history.record(
        `put ${o.key} ${o.body}`,
        () => store.put({ bucket, key: o.key, body: body(Buffer.from(o.body)), attributes: ATTRIBUTES }),
        (v) => [[o.key, observedWrite(v.etag, v.versionId, versioning)]],
      );
    case 'get':
      return history.record(
        `get ${o.key}`,
        async () => {
          const latest = store.latest(bucket, o.key);
          if (latest?.kind !== 'object') return undefined;
          const bytes = await readAll(await store.openBody(bucket, o.key, latest));
          if (`"${md5(bytes)}"` !== latest.etag)
            torn.push(`${o.key}: ${bytes.length} bytes do not match ${latest.etag}`);
          return latest.etag;
        },
        (etag) => [[o.key, observedRead(etag)]],
      );
    case 'delete':
      return history.record(
        `delete ${o.key}`,
        async () => store.delete(bucket, o.key, undefined),
        (outcome) => [[o.key, observedDelete(versioning, outcome.versionId)]],
      );
    case 'copy':
      return history.record(
        `copy ${o.from} -> ${o.to}`,
        async () => {
          const source = store.latest(bucket, o.from);
          if (source?.kind !== 'object') return undefined;
          return store.copy({ bucket, key: o.to, source, attributes: ATTRIBUTES });
        },
        (v) =>
          v
            ? [
                [o.from, observedRead(v.etag)],
                [o.to, observedWrite(v.etag, v.versionId, versioning)],
              ]
            : [[o.from, observedRead(undefined)]],
      );
    case 'list':
      return history.record(
        'list',
        async () => KEYS.map((k) => [k, store.latest(bucket, k)] as const),
        (seen) => seen.map(([k, v]) => [k, observedRead(v?.kind === 'object' ? v.etag : undefined)]),
      );
    case 'versions':
      return history.record(
        'versions',
        async () => KEYS.map((k) => [k, store.history(bucket, k)] as const),
        (seen) =>
          seen.map(([k, versions]) => [
            k,
            observedVersions(
              versions.map((v) => ({ id: v.versionId, ...(v.kind === 'object' ? { etag: v.etag } : {}) })),
            ),
          ]),
      );
  }
}

describe('the object store under every interleaving of its steps', () => {
  it('is linearizable per key, and every read is whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(op, { minLength: 2, maxLength: 8 }),
        fc.constantFrom<BucketVersioning>(undefined, 'Enabled'),
        async (s, ops, versioning) => {
          await withStore(s, versioning, async (store, bucket) => {
            const history = new History();
            const torn: string[] = [];
            // Each operation starts when the scheduler lets it: starts interleave with other steps.
            const running = ops.map((o, i) =>
              s.schedule(Promise.resolve(i), `start ${i}`).then(() => run(store, bucket, history, o, versioning, torn)),
            );
            await s.waitFor(Promise.all(running));
            expect(torn).toEqual([]);
            for (const [k, operations] of history.byKey) {
              const result = linearize(EMPTY_KEY, operations, keyFingerprint);
              expect(
                result.ok,
                `${k} is not linearizable: ${JSON.stringify(result)}\n${s
                  .report()
                  .map((r) => r.label)
                  .join(' ')}`,
              ).toBe(true);
            }
          });
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('assembles exactly the parts a completion named, with a part re-uploaded and an abort racing it: one wins', async () => {
    const partOne = Buffer.alloc(MIN_PART_BYTES, 'a');
    const partOneAgain = Buffer.alloc(MIN_PART_BYTES, 'b');
    const last = Buffer.from('last part');
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.boolean(), fc.boolean(), async (s, reupload, abort) => {
        await withStore(s, undefined, async (store, bucket) => {
          const upload = store.createUpload(bucket, 'mp', ATTRIBUTES);
          const p1 = await s.waitFor(store.putPart(upload.uploadId, bucket, 'mp', 1, body(partOne)));
          const p2 = await s.waitFor(store.putPart(upload.uploadId, bucket, 'mp', 2, body(last)));
          const outcomes = await s.waitFor(
            Promise.allSettled([
              store.completeUpload({
                uploadId: upload.uploadId,
                bucket,
                key: 'mp',
                parts: [p1, p2].map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
              }),
              reupload ? store.putPart(upload.uploadId, bucket, 'mp', 1, body(partOneAgain)) : Promise.resolve(),
              abort ? (async () => store.abortUpload(upload.uploadId, bucket, 'mp'))() : Promise.resolve(),
            ]),
          );
          const [completed, , aborted] = outcomes;
          const latest = store.latest(bucket, 'mp');
          if (completed.status === 'fulfilled') {
            // Whole, and exactly the parts named.
            expect(latest?.kind).toBe('object');
            const bytes = await s.waitFor(store.openBody(bucket, 'mp', latest as never).then(readAll));
            expect(md5(bytes)).toBe(md5(Buffer.concat([partOne, last])));
            expect((latest as { etag: string }).etag).toBe(multipartEtag([p1, p2]));
            if (abort) expect((aborted as PromiseRejectedResult).reason).toMatchObject({ code: 'NoSuchUpload' });
          } else {
            expect(latest).toBeUndefined();
            const error = completed.reason as S3Error;
            expect(error).toBeInstanceOf(S3Error);
            expect(['InvalidPart', 'NoSuchUpload']).toContain(error.code);
            if (error.code === 'NoSuchUpload') expect(aborted.status).toBe('fulfilled');
            if (error.code === 'InvalidPart') expect(reupload).toBe(true);
          }
        });
      }),
      { numRuns: Math.ceil(NUM_RUNS / 2) },
    );
  });
});
