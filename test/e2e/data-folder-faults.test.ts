/**
 * Object writes are whole or absent, and a data folder that refuses writes gets answers, not a crash
 * (docs/durability.md): the gateway's object store on a small tmpfs (full disk) and remounted
 * read-only, and the files a kill between a write's steps leaves behind. Mounting needs root (CI runs
 * as root); without it these tests skip loudly.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../emulator/harness.ts';
import { captureConsoleErrors } from '../helpers/console.ts';
import { expectS3Error, loadWorkspace, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'acme-claravine';
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function mount(args: string[]): boolean {
  return spawnSync('mount', args, { stdio: 'ignore' }).status === 0;
}

/** A data folder whose store/ is a tmpfs of `sizeKb`, or undefined when this machine cannot mount one. */
async function dataFolderOnTmpfs(sizeKb: number): Promise<{ dir: string; objects: string } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-faults-'));
  const objects = join(dir, 'store');
  await mkdir(objects);
  if (mount(['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', objects])) return { dir, objects };
  await rm(dir, { recursive: true, force: true });
  return undefined;
}

const probe = await dataFolderOnTmpfs(64);
const canMount = probe !== undefined;
if (probe) {
  spawnSync('umount', [probe.objects]);
  await rm(probe.dir, { recursive: true, force: true });
} else {
  console.warn(
    '\n*** SKIPPED: mounting a tmpfs needs root (mount -t tmpfs); the full-disk and read-only tests need it. CI runs as root. ***\n',
  );
}

/** One attempt per call: the SDK retries a 503 three times by default, and these tests count answers. */
function oneAttemptClient(stack: TestStack): S3Client {
  const user = stack.workspace.iam.users.find((u) => u.name === 'admin')!;
  return new S3Client({
    endpoint: stack.endpoint,
    region: stack.workspace.region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
  });
}

const get = async (s3: S3Client, key: string) => {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return object.Body!.transformToByteArray();
};
const listed = async (s3: S3Client) =>
  ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((c) => [c.Key, c.Size]);

describe.skipIf(!canMount)('a data folder that refuses writes', () => {
  let folder: { dir: string; objects: string };
  let stack: TestStack;
  let s3: S3Client;
  let errors: ReturnType<typeof captureConsoleErrors>;
  beforeAll(async () => {
    errors = captureConsoleErrors();
    folder = (await dataFolderOnTmpfs(4096))!;
    stack = await startStack(undefined, folder.dir);
    s3 = oneAttemptClient(stack);
  });
  afterEach(() => {
    spawnSync('umount', [join(folder.objects, 'blobs')], { stdio: 'ignore' }); // the read-only bind, if left
  });
  afterAll(async () => {
    errors.restore();
    s3?.destroy();
    await stack?.stop({ keepData: true });
    expect(spawnSync('umount', [folder.objects]).status).toBe(0); // nothing of the store is left open
    await rm(folder.dir, { recursive: true, force: true });
  });

  it('full: a write that does not fit is a 503 naming the cause, nothing partial is stored, and the old version stays', async () => {
    const first = randomBytes(2_500_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/a.bin', Body: first }));
    const tooMuch = await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/b.bin', Body: randomBytes(2_500_000) })),
      'ServiceUnavailable',
      503,
    );
    expect(tooMuch.message).toMatch(/ENOSPC: no space left on the device/);
    await expectS3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'full/b.bin' })), 'NoSuchKey', 404);
    // An overwrite that does not fit leaves the old object whole.
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/a.bin', Body: randomBytes(3_000_000) })),
      'ServiceUnavailable',
      503,
    );
    expect(sha(await get(s3, 'full/a.bin'))).toBe(sha(first));
    // A body over the memory limit is spooled to the store's folder first: the refusal comes there.
    const spooled = await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/c.bin', Body: randomBytes(9 * 1024 * 1024) })),
      'ServiceUnavailable',
      503,
    );
    expect(spooled.message).toMatch(/ENOSPC: no space left on the device/);
    expect(await listed(s3)).toEqual([['full/a.bin', first.length]]);
    // Nothing of the refused writes is left: one blob (a.bin's), no spooled body.
    await expect.poll(() => filesUnder(join(folder.objects, 'blobs')).length).toBe(1); // removed just after the answer
    expect(filesUnder(join(folder.objects, 'tmp'))).toEqual([]);
    // Room again: the same write succeeds, whole.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'full/a.bin' }));
    const second = randomBytes(2_500_000);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'full/b.bin', Body: second }));
    expect(sha(await get(s3, 'full/b.bin'))).toBe(sha(second));
    expect(errors.lines.some((line) => line.includes('ENOSPC') && line.includes('full/b.bin'))).toBe(true);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'full/b.bin' }));
  });

  it('read-only: writes are 503 naming EROFS, reads and listings go on, and writes work again once it is writable', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ro/kept.txt', Body: 'kept' }));
    // The blob folder made read-only (a whole file system cannot be remounted read-only while the
    // store's journal is open for appending; a failed append is the full-disk case above).
    const blobs = join(folder.objects, 'blobs');
    expect(mount(['--bind', blobs, blobs])).toBe(true);
    expect(mount(['-o', 'remount,bind,ro', blobs])).toBe(true);
    const refused = await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ro/new.txt', Body: 'new' })),
      'ServiceUnavailable',
      503,
    );
    expect(refused.message).toMatch(/EROFS: the file system is read-only/);
    await expectS3Error(
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ro/kept.txt', Body: 'changed' })),
      'ServiceUnavailable',
      503,
    );
    expect(Buffer.from(await get(s3, 'ro/kept.txt')).toString()).toBe('kept');
    expect(await listed(s3)).toEqual([['ro/kept.txt', 4]]);
    expect(spawnSync('umount', [blobs]).status).toBe(0);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ro/new.txt', Body: 'new' }));
    expect(Buffer.from(await get(s3, 'ro/new.txt')).toString()).toBe('new');
  });
});

describe.skipIf(!canMount)('the UI and API when the data folder refuses a change', () => {
  it('answer 503 naming the cause, change nothing, and take the change once the folder is writable', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 's3-harness-faults-'));
    const edits = join(dataDirectory, 'edits');
    await mkdir(edits);
    expect(mount(['-t', 'tmpfs', '-o', 'size=1024k', 'tmpfs', edits])).toBe(true);
    const errors = captureConsoleErrors();
    let harness: Harness | undefined;
    try {
      const workspace = loadWorkspace();
      const reader = workspace.iam.users.find((u) => u.name === 'reader')!;
      harness = await startHarness({
        workspace,
        dataDirectory,
        source: JSON.parse(await readFile('fixtures/workspaces/demo.json', 'utf8')) as Record<string, unknown>,
        editsFile: join(edits, 'workspace.json'),
      });
      const connect = (name: string) =>
        fetch(`${harness!.apiUrl}/accounts`, {
          method: 'POST',
          redirect: 'manual',
          body: new URLSearchParams({
            name,
            accessKeyId: reader.accessKeyId,
            secretAccessKey: reader.secretAccessKey,
            _token: harness!.web.token,
          }),
        });
      expect(mount(['-o', 'remount,ro', edits])).toBe(true);
      const refused = await connect('acme-reader');
      expect(refused.status).toBe(503);
      expect(await refused.text()).toMatch(/cannot be written now \(EROFS: the file system is read-only\)/);
      expect(harness.editor.workspace().accounts.map((a) => a.name)).not.toContain('acme-reader');
      expect((await fetch(`${harness.apiUrl}/accounts`)).status).toBe(200);
      expect(errors.lines.some((line) => line.includes('EROFS') && line.includes('workspace.json'))).toBe(true);
      expect(mount(['-o', 'remount,rw', edits])).toBe(true);
      expect((await connect('acme-reader')).status).toBe(303);
      expect(harness.editor.workspace().accounts.map((a) => a.name)).toContain('acme-reader');
    } finally {
      errors.restore();
      await harness?.close();
      mount(['-o', 'remount,rw', edits]);
      spawnSync('umount', [edits]);
      await rm(dataDirectory, { recursive: true, force: true });
    }
  });
});

describe('what a kill leaves behind', () => {
  let stack: TestStack;
  afterAll(() => stack?.stop());

  it('is cleaned at start: a blob no commit names, a torn journal line and a spooled body go; every commit stays', async () => {
    stack = await startStack();
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kill/kept.txt', Body: 'old version' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kill/kept.txt', Body: 'new version' }));
    await stack.stop({ keepData: true });
    const store = join(stack.dataDirectory, 'store');
    const log = join(store, 'objects.log.ndjson');
    const blobsBefore = filesUnder(join(store, 'blobs'));
    // A write killed after its bytes were written, before its commit; one killed mid-commit (the
    // journal line cut short); a body killed while being read.
    await mkdir(join(store, 'blobs', 'ff'), { recursive: true });
    await writeFile(join(store, 'blobs', 'ff', 'ff00000000000000000000000000000f'), 'never committed');
    await writeFile(log, `${await readFile(log, 'utf8')}{"seq":99,"op":"write","bucket":"${BUCKET}","key":"kill/cut`);
    await writeFile(join(store, 'tmp', 'upload-0a0a0a'), 'half a body');

    const errors = captureConsoleErrors();
    try {
      stack = await startStack(undefined, stack.dataDirectory);
    } finally {
      errors.restore();
    }
    expect(errors.lines).toEqual([
      '[s3-harness] object writes interrupted by the last stop: 1 unfinished one(s) removed (never acknowledged)',
    ]);
    const again = stack.client('admin');
    const text = async (key: string) =>
      (await again.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
    expect(await text('kill/kept.txt')).toBe('new version');
    await expectS3Error(again.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kill/cut' })), 'NoSuchKey', 404);
    const keys = (await again.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kill/' }))).Contents!.map(
      (c) => c.Key,
    );
    expect(keys).toEqual(['kill/kept.txt']);
    expect(filesUnder(join(store, 'blobs')).sort()).toEqual(blobsBefore.sort());
    expect(readdirSync(join(store, 'tmp'))).toEqual([]);
    expect(existsSync(join(store, 'objects.json'))).toBe(true);
  });
});
