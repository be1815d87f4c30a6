/**
 * Object writes are whole or absent, and a data folder that refuses writes gets answers, not a crash
 * (docs/durability.md): the gateway's objects folder on a small tmpfs (full disk) and remounted
 * read-only, and the files a kill between a write's steps leaves behind. Mounting needs root (CI runs
 * as root); without it these tests skip loudly.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
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

/** A data folder whose objects/ is a tmpfs of `sizeKb`, or undefined when this machine cannot mount one. */
async function dataFolderOnTmpfs(sizeKb: number): Promise<{ dir: string; objects: string } | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-faults-'));
  const objects = join(dir, 'objects');
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
    mount(['-o', 'remount,rw', folder.objects]);
  });
  afterAll(async () => {
    errors.restore();
    s3?.destroy();
    await stack?.stop({ keepData: true });
    spawnSync('umount', [folder.objects]);
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
    expect(await listed(s3)).toEqual([['full/a.bin', first.length]]);
    expect(filesUnder(folder.objects).filter((f) => f.includes('.tmp-'))).toEqual([]);
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
    expect(mount(['-o', 'remount,ro', folder.objects])).toBe(true);
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
    expect(mount(['-o', 'remount,rw', folder.objects])).toBe(true);
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

describe('a write a kill interrupted', () => {
  let stack: TestStack;
  afterAll(() => stack?.stop());

  it('is finished at start when it was complete, and removed when it was not: the old version or the new, never a mix', async () => {
    stack = await startStack();
    const admin = stack.client('admin');
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kill/complete.txt', Body: 'old version' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kill/cut.txt', Body: 'old version' }));
    await admin.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kill/new.txt', Body: 'written' }));
    await stack.stop({ keepData: true });
    const folder = join(stack.dataDirectory, 'objects', BUCKET, 'kill');
    const file = (name: string, resource: string) => join(folder, `${name}._S3rver_${resource}`);
    // complete.txt: killed between putting the body in place and the metadata (both written in full).
    const metadata = JSON.parse(await readFile(file('complete.txt', 'metadata.json'), 'utf8')) as Record<
      string,
      string
    >;
    await writeFile(file('complete.txt', 'object.tmp-0a0a0a'), 'new version!');
    await writeFile(
      file('complete.txt', 'metadata.json.tmp-0a0a0a'),
      JSON.stringify({ ...metadata, 's3-harness-md5': createHash('md5').update('new version!').digest('hex') }),
    );
    await rm(file('complete.txt', 'object'));
    await rename(file('complete.txt', 'object.tmp-0a0a0a'), file('complete.txt', 'object'));
    // cut.txt: killed while its body was being written (no metadata yet).
    await writeFile(file('cut.txt', 'object.tmp-0b0b0b'), 'new ver');
    // never.txt: a first write killed while its metadata was being written (cut short).
    await writeFile(file('never.txt', 'object.tmp-0c0c0c'), 'never acknowledged');
    await writeFile(file('never.txt', 'metadata.json.tmp-0c0c0c'), '{"content-type": "te');

    const errors = captureConsoleErrors();
    try {
      stack = await startStack(undefined, stack.dataDirectory);
    } finally {
      errors.restore();
    }
    expect(errors.lines).toEqual([
      '[s3-harness] object writes interrupted by the last stop: 1 complete one(s) put in place, 2 unfinished one(s) removed (never acknowledged)',
    ]);
    const again = stack.client('admin');
    const text = async (key: string) =>
      (await again.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
    expect(await text('kill/complete.txt')).toBe('new version!');
    const head = await again.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kill/complete.txt' }));
    expect(head.ETag).toBe(`"${createHash('md5').update('new version!').digest('hex')}"`);
    expect(await text('kill/cut.txt')).toBe('old version');
    expect(await text('kill/new.txt')).toBe('written');
    await expectS3Error(again.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kill/never.txt' })), 'NoSuchKey', 404);
    const keys = (await again.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kill/' }))).Contents!.map(
      (c) => c.Key,
    );
    expect(keys).toEqual(['kill/complete.txt', 'kill/cut.txt', 'kill/new.txt']);
    expect(readdirSync(folder).filter((name) => name.includes('.tmp-'))).toEqual([]);
    expect(existsSync(file('complete.txt', 'metadata.json'))).toBe(true);
  });
});
