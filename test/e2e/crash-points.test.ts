/**
 * A crash at every named crash point of every write path (emulator/gateway/store/crash-points.ts), in
 * a real `s3-harness start` process that kills itself there (SIGKILL, `S3_HARNESS_CRASH_AT`), then a
 * restart on the same data folder (ShardStore's crash consistency, SOSP 2021). After the restart,
 * GET, HEAD, ListObjectsV2, ListObjectVersions, tags and the multipart listings agree with each other
 * and with the reference model (test/model/bucket-model.ts): every acknowledged version is there
 * exactly once, every body is whole, and the write the crash interrupted (never acknowledged: its
 * client saw the connection drop) is whole or absent: absent when the crash came before its journal
 * line, whole once the line was written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS, type CrashPoint } from '../../emulator/gateway/store/crash-points.ts';
import { CLI } from '../helpers/cli.ts';
import { loadWorkspace } from '../helpers/stack.ts';
import { versionsInOrder } from '../helpers/versions-wire.ts';
import { BucketModel, type ModelObject } from '../model/bucket-model.ts';
import {
  bodyOf,
  CreateUploadStep,
  DeleteStep,
  PutStep,
  TagStep,
  UploadPartStep,
  VersioningStep,
  type Real,
} from '../model/commands.ts';

const admin = loadWorkspace().iam.users.find((u) => u.name === 'admin')!;
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

interface Running {
  child: ChildProcess;
  s3: S3Client;
  exited: Promise<number | null>;
}

/** `s3-harness start` on a data folder, optionally set to kill itself at a crash point. */
async function startHarness(data: string, crashAt?: string): Promise<Running> {
  const child = spawn(process.execPath, [...CLI, 'start', '--data', data, '--port', '0', '--api-port', '0', '--json'], {
    env: { ...process.env, ...(crashAt ? { S3_HARNESS_CRASH_AT: crashAt } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { s3: { endpoint: string } }).s3.endpoint);
    });
    void exited.then((code) => reject(new CrashedAtStart(code, output)));
  });
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
  });
  return { child, s3, exited };
}

class CrashedAtStart extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`the harness exited (${code}) before it was ready:\n${output}`);
  }
}

async function stopHarness(running: Running): Promise<void> {
  running.s3.destroy();
  running.child.kill('SIGINT');
  expect(await running.exited).toBe(0);
}

interface Seed {
  dir: string;
  models: { plain: BucketModel; versioned: BucketModel };
  uploads: { plain: string; versioned: string };
}

/** One data folder with history in both buckets and an upload in progress in each, copied for every scenario. */
async function seed(): Promise<Seed> {
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-crash-seed-'));
  const running = await startHarness(dir);
  const models = { plain: new BucketModel(), versioned: new BucketModel() };
  const reals: Record<'plain' | 'versioned', Real> = {
    plain: { s3: running.s3, bucket: 'plain', uploadIds: [] },
    versioned: { s3: running.s3, bucket: 'versioned', uploadIds: [] },
  };
  for (const bucket of ['plain', 'versioned'] as const)
    await running.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const steps = {
    plain: [
      new PutStep('a', 'one'),
      new PutStep('b', 'two'),
      new PutStep('a', 'three'),
      new TagStep('a', 'seeded'),
      new CreateUploadStep('mp'),
      new UploadPartStep(0, 1, 'wide1'),
    ],
    versioned: [
      new VersioningStep('Enabled'),
      new PutStep('a', 'one'),
      new PutStep('a', 'two'),
      new PutStep('b', 'three'),
      new DeleteStep('a', { kind: 'latest' }),
      new PutStep('a', 'four'),
      new CreateUploadStep('mp'),
      new UploadPartStep(0, 1, 'wide2'),
    ],
  };
  for (const bucket of ['plain', 'versioned'] as const)
    for (const step of steps[bucket]) await step.run(models[bucket], reals[bucket]);
  await stopHarness(running);
  return { dir, models, uploads: { plain: reals.plain.uploadIds[0]!, versioned: reals.versioned.uploadIds[0]! } };
}

type BucketName = 'plain' | 'versioned';

interface Scenario {
  point: CrashPoint;
  bucket?: BucketName;
  what: string;
  /** The request the crash interrupts (none: the crash comes at start). */
  victim?(s3: S3Client, seed: Seed): Promise<unknown>;
  /** The model once the victim is committed (version ids the client never heard are `?`). */
  after?(model: BucketModel, seed: Seed): void;
  /** Whether the crash point comes after the commit (the write must then be whole after the restart). */
  committed: boolean;
}

const completeOne = (bucket: BucketName) => ({
  victim: (s3: S3Client, seed: Seed) =>
    s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: seed.uploads[bucket],
        MultipartUpload: {
          Parts: [{ PartNumber: 1, ETag: seed.models[bucket].uploads.get(seed.uploads[bucket])!.parts.get(1)!.etag }],
        },
      }),
    ),
  after: (model: BucketModel, seed: Seed) => {
    const done = model.complete(seed.uploads[bucket], [
      { partNumber: 1, etag: model.uploads.get(seed.uploads[bucket])!.parts.get(1)!.etag },
    ]);
    if (!done.ok || 'repeated' in done) throw new Error('the seed upload cannot be completed');
    model.uploads.delete(seed.uploads[bucket]);
    model.write('mp', done.value.body, '?', done.value.etag);
  },
});

/** A PUT of a new body over `a`. */
const putOverA = (bucket: BucketName) => ({
  bucket,
  victim: (s3: S3Client) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: bodyOf('new') })),
  after: (m: BucketModel) => m.write('a', bodyOf('new'), '?'),
});

const SCENARIOS: Scenario[] = [
  { point: 'put:blob-written', what: 'an overwrite, its bytes written', ...putOverA('plain'), committed: false },
  { point: 'put:committed', what: 'an overwrite, committed', ...putOverA('plain'), committed: true },
  { point: 'put:committed', what: 'a new version, committed', ...putOverA('versioned'), committed: true },
  {
    point: 'copy:blob-written',
    bucket: 'versioned',
    what: 'a copy onto a versioned key, linked',
    victim: (s3) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: 'versioned',
          Key: 'a',
          CopySource: 'versioned/b',
          MetadataDirective: 'REPLACE',
        }),
      ),
    after: (m) => {
      const source = m.latest('b') as ModelObject;
      m.write('a', source.body, '?', source.etag, [...source.tags]);
    },
    committed: false,
  },
  {
    point: 'copy:committed',
    bucket: 'plain',
    what: 'a copy to a new key, committed',
    victim: (s3) =>
      s3.send(
        new CopyObjectCommand({ Bucket: 'plain', Key: 'c', CopySource: 'plain/a', MetadataDirective: 'REPLACE' }),
      ),
    after: (m) => {
      const source = m.latest('a') as ModelObject;
      m.write('c', source.body, '?', source.etag, [...source.tags]);
    },
    committed: true,
  },
  {
    point: 'delete:committed',
    bucket: 'plain',
    what: 'a delete',
    victim: (s3) => s3.send(new DeleteObjectCommand({ Bucket: 'plain', Key: 'a' })),
    after: (m) => void m.delete('a', undefined),
    committed: true,
  },
  {
    point: 'delete:committed',
    bucket: 'versioned',
    what: 'a versioned delete (a delete marker)',
    victim: (s3) => s3.send(new DeleteObjectCommand({ Bucket: 'versioned', Key: 'b' })),
    after: (m) => void m.delete('b', undefined, '?'),
    committed: true,
  },
  {
    point: 'delete:committed',
    bucket: 'versioned',
    what: 'the delete of the oldest version by its id',
    victim: (s3, seed) =>
      s3.send(
        new DeleteObjectCommand({
          Bucket: 'versioned',
          Key: 'a',
          VersionId: seed.models.versioned.history('a').at(-1)!.versionId,
        }),
      ),
    after: (m) => void m.delete('a', m.history('a').at(-1)!.versionId),
    committed: true,
  },
  {
    point: 'retag:committed',
    bucket: 'plain',
    what: 'a tag rewrite',
    victim: (s3) =>
      s3.send(
        new PutObjectTaggingCommand({
          Bucket: 'plain',
          Key: 'b',
          Tagging: { TagSet: [{ Key: 'stage', Value: 'crashed' }] },
        }),
      ),
    after: (m) => void m.retag('b', [['stage', 'crashed']]),
    committed: true,
  },
  {
    point: 'part:blob-written',
    bucket: 'plain',
    what: 'a part re-uploaded, its bytes written',
    victim: (s3, seed) =>
      s3.send(
        new UploadPartCommand({
          Bucket: 'plain',
          Key: 'mp',
          UploadId: seed.uploads.plain,
          PartNumber: 1,
          Body: bodyOf('again'),
        }),
      ),
    after: (m, seed) => void m.uploadPart(seed.uploads.plain, 1, bodyOf('again')),
    committed: false,
  },
  {
    point: 'part:committed',
    bucket: 'plain',
    what: 'a second part, committed',
    victim: (s3, seed) =>
      s3.send(
        new UploadPartCommand({
          Bucket: 'plain',
          Key: 'mp',
          UploadId: seed.uploads.plain,
          PartNumber: 2,
          Body: bodyOf('last'),
        }),
      ),
    after: (m, seed) => void m.uploadPart(seed.uploads.plain, 2, bodyOf('last')),
    committed: true,
  },
  {
    point: 'blob-partly-written',
    bucket: 'plain',
    what: 'a completion, half assembled',
    ...completeOne('plain'),
    committed: false,
  },
  {
    point: 'complete:blob-written',
    bucket: 'versioned',
    what: 'a completion, assembled',
    ...completeOne('versioned'),
    committed: false,
  },
  {
    point: 'complete:committed',
    bucket: 'plain',
    what: 'a completion, committed',
    ...completeOne('plain'),
    committed: true,
  },
  {
    point: 'abort:committed',
    bucket: 'versioned',
    what: 'an abort',
    victim: (s3, seed) =>
      s3.send(new AbortMultipartUploadCommand({ Bucket: 'versioned', Key: 'mp', UploadId: seed.uploads.versioned })),
    after: (m, seed) => void m.uploads.delete(seed.uploads.versioned),
    committed: true,
  },
  { point: 'snapshot-written', what: 'the journal folded into a new snapshot, not yet renamed', committed: false },
  { point: 'snapshot-renamed', what: 'the new snapshot renamed, the journal not yet emptied', committed: false },
];

interface Observed {
  versions: { key: string; versionId: string; isLatest: boolean; marker: boolean; etag?: string; md5?: string }[];
  listed: { key: string; etag: string }[];
  latest: Map<string, { get?: string; head?: string; tags?: [string, string][] }>;
  uploads: { uploadId: string; key: string; parts: [number, string][] }[];
}

/** Everything the S3 API says about a bucket, read through every door. */
async function observe(s3: S3Client, bucket: string): Promise<Observed> {
  const versions = [];
  for (const v of await versionsInOrder(s3, bucket)) {
    const entry = { key: v.key, versionId: v.versionId, isLatest: v.isLatest, marker: v.etag === undefined };
    if (v.etag === undefined) versions.push(entry);
    else {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
      versions.push({ ...entry, etag: v.etag, md5: md5(await got.Body!.transformToByteArray()) });
    }
  }
  const listed = ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((c) => ({
    key: c.Key!,
    etag: c.ETag!,
  }));
  const latest = new Map<string, { get?: string; head?: string; tags?: [string, string][] }>();
  for (const key of new Set(versions.map((v) => v.key))) {
    const get = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })).then(
      async (r) => ({ etag: r.ETag, md5: md5(await r.Body!.transformToByteArray()) }),
      () => undefined,
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      (r) => r.ETag,
      () => undefined,
    );
    const tags = get
      ? (await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet?.map(
          (t) => [t.Key!, t.Value!] as [string, string],
        )
      : undefined;
    latest.set(key, { ...(get ? { get: get.etag! } : {}), ...(head ? { head } : {}), ...(tags ? { tags } : {}) });
  }
  const uploads = [];
  for (const u of (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []) {
    const parts =
      (await s3.send(new ListPartsCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }))).Parts ?? [];
    uploads.push({
      uploadId: u.UploadId!,
      key: u.Key!,
      parts: parts.map((p) => [p.PartNumber!, p.ETag!] as [number, string]),
    });
  }
  return { versions, listed, latest, uploads };
}

/** Why the model does not explain what was observed, or undefined when it does. */
function mismatch(model: BucketModel, observed: Observed): string | undefined {
  const expected = model.listVersions('');
  if (expected.length !== observed.versions.length)
    return `versions: expected ${JSON.stringify(expected)}, observed ${JSON.stringify(observed.versions)}`;
  for (const [i, want] of expected.entries()) {
    const got = observed.versions[i]!;
    const idMatches =
      want.versionId === '?'
        ? got.versionId !== 'null' && !model.seenIds.has(got.versionId)
        : want.versionId === got.versionId;
    if (
      want.key !== got.key ||
      !idMatches ||
      want.marker !== got.marker ||
      want.isLatest !== got.isLatest ||
      want.etag !== got.etag
    )
      return `version ${i}: expected ${JSON.stringify(want)}, observed ${JSON.stringify(got)}`;
    const body = (model.history(want.key).find((v) => v.versionId === want.versionId) as ModelObject | undefined)?.body;
    if (body && got.md5 !== md5(body)) return `version ${i} of ${want.key}: its bytes are not the ones written`;
  }
  const listed = model.list('').map((e) => ({ key: e.key, etag: e.etag }));
  if (JSON.stringify(listed) !== JSON.stringify(observed.listed))
    return `ListObjectsV2: expected ${JSON.stringify(listed)}, observed ${JSON.stringify(observed.listed)}`;
  for (const [key, seen] of observed.latest) {
    const latest = model.latest(key);
    const etag = latest?.kind === 'object' ? latest.etag : undefined;
    if (seen.get !== etag || seen.head !== etag)
      return `GET/HEAD ${key}: expected ${etag}, observed ${JSON.stringify(seen)}`;
    if (latest?.kind === 'object' && JSON.stringify(seen.tags) !== JSON.stringify(latest.tags))
      return `tags of ${key}: expected ${JSON.stringify(latest.tags)}, observed ${JSON.stringify(seen.tags)}`;
  }
  const uploads = [...model.uploads].map(([uploadId, u]) => ({
    uploadId,
    key: u.key,
    parts: [...u.parts].sort(([a], [b]) => a - b).map(([n, p]) => [n, p.etag]),
  }));
  if (JSON.stringify(uploads) !== JSON.stringify(observed.uploads))
    return `uploads: expected ${JSON.stringify(uploads)}, observed ${JSON.stringify(observed.uploads)}`;
  return undefined;
}

let theSeed: Seed;
const dirs: string[] = [];
beforeAll(async () => {
  theSeed = await seed();
  dirs.push(theSeed.dir);
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('a crash at every crash point, then a restart', () => {
  it('covers every named crash point', () => {
    expect(new Set(SCENARIOS.map((s) => s.point))).toEqual(new Set(CRASH_POINTS));
  });

  for (const scenario of SCENARIOS) {
    it.concurrent(`${scenario.point}${scenario.bucket ? ` (${scenario.bucket})` : ''}: ${scenario.what}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 's3-harness-crash-'));
      dirs.push(dir);
      await cp(theSeed.dir, dir, { recursive: true });
      if (scenario.victim) {
        const running = await startHarness(dir, scenario.point);
        const refused = await scenario.victim(running.s3, theSeed).then(
          () => 'answered',
          (error: { $metadata?: { httpStatusCode?: number }; name?: string }) =>
            error.$metadata?.httpStatusCode === undefined ? 'connection lost' : `S3 error ${error.name}`,
        );
        expect(refused, 'the request never got an answer: the process died at the crash point').toBe('connection lost');
        expect(await running.exited).toBe(-1);
        running.s3.destroy();
      } else {
        // The seed's journal is folded into a snapshot at every start: the crash comes there.
        await expect(startHarness(dir, scenario.point)).rejects.toBeInstanceOf(CrashedAtStart);
      }
      const restarted = await startHarness(dir);
      try {
        for (const bucket of ['plain', 'versioned'] as const) {
          const before = theSeed.models[bucket];
          const observed = await observe(restarted.s3, bucket);
          if (scenario.bucket !== bucket || !scenario.after) {
            expect(mismatch(before, observed), `${bucket} is as before`).toBeUndefined();
            continue;
          }
          const after = before.clone();
          scenario.after(after, theSeed);
          const expected = scenario.committed ? after : before;
          expect(
            mismatch(expected, observed),
            `${bucket}: the interrupted write is ${scenario.committed ? 'whole' : 'absent'}`,
          ).toBeUndefined();
        }
      } finally {
        await stopHarness(restarted);
      }
    });
  }
});
