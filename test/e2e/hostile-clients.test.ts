/**
 * Clients that behave the way busy CI jobs and careless scripts do (docs/durability.md, "No request
 * waits on another"): a part number spelled `07`, a client that gives up, copies that cross, a
 * connection that pipelines and never reads, a listing during a burst of writes, a client that hangs
 * up during CompleteMultipartUpload, parts re-uploaded while a completion runs, Abort racing Complete.
 * Every answer is bounded: a request that waits on another client's socket fails here instead of
 * hanging the suite.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startCli } from '../helpers/cli.ts';
import { openSocket, sendRaw, signedRequestBytes, within } from '../helpers/raw-s3.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let admin: S3Client;
const BUCKET = 'hostile-plain';
const VERSIONED = 'hostile-versioned';
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');

/** One attempt per call: a retry would hide the answer being tested. */
function oneAttempt(stack: TestStack, user = 'admin'): S3Client {
  const client = stack.client(user);
  client.config.maxAttempts = async () => 1;
  return client;
}

beforeAll(async () => {
  stack = await startStack();
  admin = oneAttempt(stack);
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await admin.send(new CreateBucketCommand({ Bucket: VERSIONED }));
  await admin.send(
    new PutBucketVersioningCommand({ Bucket: VERSIONED, VersioningConfiguration: { Status: 'Enabled' } }),
  );
});
afterAll(async () => {
  admin?.destroy();
  await stack?.stop();
});

const text = async (bucket: string, key: string, versionId?: string) =>
  (
    await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))
  ).Body!.transformToString();

describe('part numbers', () => {
  it('are integers 1-10,000 whatever their spelling: 07 is part 7, anything else is InvalidArgument', async () => {
    const key = 'parts/seven.bin';
    const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const put = (partNumber: string, body = 'part seven') =>
      within(
        5000,
        `UploadPart ${partNumber}`,
        sendRaw(stack, 'admin', {
          method: 'PUT',
          path: `/${BUCKET}/${key}`,
          query: { partNumber, uploadId: UploadId! },
          body,
        }),
      );
    const seven = await put('07');
    expect(seven.status).toBe(200);
    expect(seven.headers.get('etag')).toBe(`"${md5(Buffer.from('part seven'))}"`);
    const parts = await admin.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));
    expect(parts.Parts?.map((p) => p.PartNumber)).toEqual([7]);
    for (const spelling of ['7.0', '+7', '0x7', '', '0', '10001', '1e1', '-1', '007x']) {
      const answer = await put(spelling);
      expect([spelling, answer.status, answer.body.match(/<Code>(\w+)<\/Code>/)?.[1]]).toEqual([
        spelling,
        400,
        'InvalidArgument',
      ]);
    }
    const completed = await within(
      5000,
      'CompleteMultipartUpload',
      admin.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 7, ETag: seven.headers.get('etag') }] },
        }),
      ),
    );
    expect(completed.ETag).toBeDefined();
    expect(await text(BUCKET, key)).toBe('part seven');
  });
});

/**
 * A connection that pipelines a GET of a big object and a PUT of the same key, then never reads:
 * its answers queue behind a body nobody takes.
 */
async function idleConnection(key: string): Promise<() => void> {
  const socket = await openSocket(stack);
  socket.pause();
  socket.write(
    Buffer.concat([
      await signedRequestBytes(stack, 'admin', { method: 'GET', path: `/${BUCKET}/${key}` }),
      await signedRequestBytes(stack, 'admin', { method: 'PUT', path: `/${BUCKET}/${key}`, body: 'from the idle one' }),
    ]),
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return () => socket.destroy();
}

describe('one client never holds up another', () => {
  const big = randomBytes(32 * 1024 * 1024);

  it('a connection that pipelines and never reads does not stall GET, HEAD, PUT or LIST of the same key', async () => {
    const key = 'slow/big.bin';
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: big }));
    const hangUp = await idleConnection(key);
    try {
      const other = oneAttempt(stack, 'admin');
      await within(3000, 'HEAD', other.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
      await within(3000, 'LIST', other.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'slow/' })));
      await within(3000, 'PUT', other.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'replaced' })));
      expect(await within(3000, 'GET', text(BUCKET, key))).toMatch(/^(replaced|from the idle one)$/);
      other.destroy();
    } finally {
      hangUp();
    }
  });

  it('a client that gives up while another holds the key leaves nothing held: later requests answer', async () => {
    const key = 'slow/given-up.bin';
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: big }));
    const hangUp = await idleConnection(key);
    const impatient = oneAttempt(stack);
    const abort = new AbortController();
    const given = impatient
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'impatient' }), { abortSignal: abort.signal })
      .catch(() => 'gave up');
    setTimeout(() => abort.abort(), 300);
    await given;
    hangUp();
    const later = oneAttempt(stack);
    await within(3000, 'HEAD after the give-up', later.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })));
    await within(
      3000,
      'PUT after the give-up',
      later.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })),
    );
    await within(3000, 'LIST after the give-up', later.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key })));
    expect(await within(3000, 'GET after the give-up', text(BUCKET, key))).toBe('x');
    impatient.destroy();
    later.destroy();
  });

  it('copies that cross (A to B and B to A at once) both answer, and A stays readable', async () => {
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cross/a', Body: 'A' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cross/b', Body: 'B' }));
    const copy = (from: string, to: string) =>
      admin.send(new CopyObjectCommand({ Bucket: BUCKET, Key: to, CopySource: `${BUCKET}/${from}` }));
    const body = randomBytes(4 * 1024 * 1024);
    // Writes to both keys in flight, so that each copy may have to wait for its first key.
    for (let round = 0; round < 10; round++)
      await within(
        5000,
        `crossed copies, round ${round}`,
        Promise.all([
          admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cross/a', Body: body })),
          admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cross/b', Body: body })),
          copy('cross/a', 'cross/b'),
          copy('cross/b', 'cross/a'),
        ]),
      );
    const a = await within(3000, 'GET A', admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cross/a' })));
    expect(md5(await a.Body!.transformToByteArray())).toBe(md5(body));
  });
});

describe('listings', () => {
  it('ListObjectVersions and ListObjectsV2 include every write acknowledged before they started', async () => {
    const acknowledged: { key: string; versionId: string; at: number }[] = [];
    const keys = ['burst/0', 'burst/1', 'burst/2', 'burst/3', 'burst/4'];
    let writing = true;
    const writers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        const key = keys[(w + i) % keys.length]!;
        const { VersionId } = await admin.send(
          new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: `${w}-${i}` }),
        );
        acknowledged.push({ key, versionId: VersionId!, at: performance.now() });
      }
    });
    const missing: string[] = [];
    let listings = 0;
    const deadline = performance.now() + 1500;
    while (performance.now() < deadline) {
      const started = performance.now();
      const before = acknowledged.filter((a) => a.at < started);
      const [versions, objects] = await Promise.all([
        admin.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: 'burst/' })),
        admin.send(new ListObjectsV2Command({ Bucket: VERSIONED, Prefix: 'burst/' })),
      ]);
      listings++;
      const listed = new Set((versions.Versions ?? []).map((v) => `${v.Key} ${v.VersionId}`));
      for (const a of before) if (!listed.has(`${a.key} ${a.versionId}`)) missing.push(`${a.key} ${a.versionId}`);
      const present = new Set((objects.Contents ?? []).map((c) => c.Key));
      for (const a of before) if (!present.has(a.key)) missing.push(a.key);
    }
    writing = false;
    await Promise.all(writers);
    expect(listings).toBeGreaterThan(3);
    expect(acknowledged.length).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });
});

describe('multipart uploads under pressure', () => {
  const FIVE_MIB = 5 * 1024 * 1024;

  it('a client that hangs up during CompleteMultipartUpload never loses the previous version', async () => {
    const key = 'hangup/object.bin';
    const filler = randomBytes(8 * 1024 * 1024);
    const multipartBody = (attempt: number) => Buffer.concat([Buffer.from(`multipart ${attempt}`), filler]);
    const { VersionId: v1 } = await admin.send(
      new PutObjectCommand({ Bucket: VERSIONED, Key: key, Body: 'version one' }),
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: VERSIONED, Key: key }));
      const part = await admin.send(
        new UploadPartCommand({ Bucket: VERSIONED, Key: key, UploadId, PartNumber: 1, Body: multipartBody(attempt) }),
      );
      const socket = await openSocket(stack);
      socket.on('error', () => {});
      socket.write(
        await signedRequestBytes(stack, 'admin', {
          method: 'POST',
          path: `/${VERSIONED}/${key}`,
          query: { uploadId: UploadId! },
          body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.ETag}</ETag></Part></CompleteMultipartUpload>`,
        }),
      );
      // Hang up at a different moment of the completion each time.
      await new Promise((resolve) => setTimeout(resolve, attempt * 4));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await within(3000, 'GET v1', text(VERSIONED, key, v1))).toBe('version one');
    const versions =
      (await admin.send(new ListObjectVersionsCommand({ Bucket: VERSIONED, Prefix: key }))).Versions ?? [];
    expect(versions.filter((v) => v.VersionId === v1)).toHaveLength(1);
    // Whatever completed is a version of its own (never `null` in an Enabled bucket), and whole.
    for (const v of versions) {
      expect(v.VersionId).not.toBe('null');
      if (v.VersionId === v1) continue;
      const got = await admin.send(new GetObjectCommand({ Bucket: VERSIONED, Key: key, VersionId: v.VersionId }));
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      expect(bytes.subarray(0, 11).toString()).toMatch(/^multipart \d$/);
      expect(md5(bytes)).toBe(md5(multipartBody(Number(bytes.subarray(10, 11).toString()))));
    }
  });

  it('CompleteMultipartUpload racing a re-upload of part 1 assembles exactly the parts it names, or refuses', async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const key = `race/reupload-${attempt}.bin`;
      const first = randomBytes(FIVE_MIB + 1024 * 1024);
      const second = randomBytes(2 * 1024 * 1024);
      const last = randomBytes(1000);
      const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      const upload = (PartNumber: number, Body: Buffer) =>
        admin.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber, Body }));
      const e1 = await upload(1, first);
      const e2 = await upload(2, last);
      const [completed] = await Promise.allSettled([
        admin.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId,
            MultipartUpload: {
              Parts: [
                { PartNumber: 1, ETag: e1.ETag },
                { PartNumber: 2, ETag: e2.ETag },
              ],
            },
          }),
        ),
        upload(1, second),
      ]);
      if (completed.status === 'fulfilled') {
        const body = await (
          await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))
        ).Body!.transformToByteArray();
        expect(md5(body)).toBe(md5(Buffer.concat([first, last])));
      } else {
        expect(['InvalidPart', 'NoSuchUpload']).toContain((completed.reason as Error).name);
      }
    }
  });

  it('AbortMultipartUpload racing CompleteMultipartUpload: exactly one wins, the other gets NoSuchUpload', async () => {
    const outcomes = new Set<string>();
    for (let attempt = 0; attempt < 20; attempt++) {
      const key = `race/abort-${attempt}.bin`;
      const { UploadId } = await admin.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      const part = await admin.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: 1,
          Body: randomBytes(6 * 1024 * 1024),
        }),
      );
      const [completed, aborted] = await Promise.allSettled([
        admin.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId,
            MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          }),
        ),
        new Promise((resolve) => setTimeout(resolve, attempt % 5)).then(() =>
          admin.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId })),
        ),
      ]);
      const winners = [completed, aborted].filter((r) => r.status === 'fulfilled');
      expect(winners, `attempt ${attempt}`).toHaveLength(1);
      const loser = [completed, aborted].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((loser.reason as Error).name).toBe('NoSuchUpload');
      const stored = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
        () => true,
        () => false,
      );
      expect(stored).toBe(completed.status === 'fulfilled');
      outcomes.add(completed.status === 'fulfilled' ? 'completed' : 'aborted');
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});

describe('stopping', () => {
  it('SIGTERM stops the harness while clients stall mid-upload', async () => {
    const cli = await startCli(['--ephemeral', '--port', '0', '--api-port', '0']);
    const url = new URL(cli.endpoint);
    const signed = await signedRequestBytes({ ...stack, endpoint: cli.endpoint }, 'admin', {
      method: 'PUT',
      path: `/acme-claravine/stalled.bin`,
      headers: { 'content-length': '1000000' },
    });
    const sockets = [];
    for (let i = 0; i < 3; i++) {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => {});
      socket.write(Buffer.concat([signed, Buffer.alloc(1000, 'x')])); // a thousandth of the body, then nothing
      sockets.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise<number | null>((resolve) => cli.child.once('exit', (code) => resolve(code)));
    cli.child.kill('SIGTERM');
    expect(await within(5000, 'the harness after SIGTERM', exited)).toBe(0);
    for (const socket of sockets) socket.destroy();
  });
});
