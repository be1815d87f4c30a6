/**
 * The harness as a library (docs/api-node.md): `startHarness()` with no options runs the demo on free
 * ports in a temporary folder; a test uploads, waits for the import to be decided, reads submissions,
 * deliveries and denials, resets between cases and stops.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type EmbeddedHarness } from '../../emulator/embed.ts';
import { WorkspaceFileError } from '../../emulator/workspace-file.ts';
import { expectS3Error } from '../helpers/stack.ts';

const EMAIL = readFileSync('fixtures/files/Email.csv');
const BAD = readFileSync('fixtures/files/Email-bad.csv');
let h: EmbeddedHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

describe('startHarness() from code', () => {
  it('uploads as a user and waits for that version to be decided: complete, then a new version failed', async () => {
    const first = await h.upload('uploader', 'acme-claravine', 'us/submissions/Email.csv', EMAIL);
    const complete = await h.waitForSubmission({ key: 'us/submissions/Email.csv', etag: first.etag });
    expect(complete).toMatchObject({ status: 'complete', counts: { rows: 3 } });
    const second = await h.upload('uploader', 'acme-claravine', 'us/submissions/Email.csv', BAD);
    const failed = await h.waitForSubmission({ key: 'us/submissions/Email.csv', etag: second.etag });
    expect(failed.status).toBe('failed');
    expect(h.submissions().map((s) => s.id)).toEqual([failed.id, complete.id]);
    await h.harness.engine.idle();
    expect(h.deliveries()).toMatchObject([{ submissionId: complete.id, index: 0, delivery: { status: 'delivered' } }]);
  });

  it('lists denials and names each user; clients are ready for the endpoint', async () => {
    await expectS3Error(
      h.client('intern').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/nope.csv', Body: 'x' })),
      'AccessDenied',
      403,
    );
    expect(h.denials({ user: 'intern' })[0]).toMatchObject({ operation: 'PutObject', action: 's3:PutObject' });
    expect(h.users.map((u) => u.name)).toContain('uploader');
    expect(() => h.client('nobody')).toThrow(/no user "nobody" in the workspace/);
    await expect(h.waitForSubmission({ key: 'never.csv', timeoutMs: 50 })).rejects.toThrow(
      'no submission matching key never.csv within 50 ms',
    );
  });

  it('reset() clears objects and submissions and keeps the endpoints', async () => {
    const { endpoint, apiUrl } = h;
    await h.reset();
    expect([h.endpoint, h.apiUrl, h.harness.endpoint]).toEqual([endpoint, apiUrl, endpoint]);
    expect(h.submissions()).toEqual([]);
    await expectS3Error(
      h.client('admin').send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv' })),
      'NoSuchKey',
      404,
    );
    const again = await h.upload('uploader', 'acme-claravine', 'us/submissions/Email.csv', EMAIL);
    expect((await h.waitForSubmission({ key: 'us/submissions/Email.csv', etag: again.etag })).status).toBe('complete');
  });

  it('takes a workspace as JSON, refuses an invalid one with its issues, and removes its temporary folder on stop', async () => {
    const json = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')) as Record<string, unknown>;
    const own = await startHarness({ workspace: { ...json, region: 'eu-west-1' } });
    expect([own.region, existsSync(own.dataDirectory)]).toEqual(['eu-west-1', true]);
    await own[Symbol.asyncDispose]();
    expect(existsSync(own.dataDirectory)).toBe(false);
    const invalid = startHarness({ workspace: { ...json, region: 42 } });
    await expect(invalid).rejects.toBeInstanceOf(WorkspaceFileError);
    await expect(invalid).rejects.toThrow(/region/);
  });
});

describe('startHarness() misused', () => {
  it('stop() twice is a no-op: a second harness started meanwhile keeps working and stops cleanly', async () => {
    const first = await startHarness();
    await first.stop();
    const second = await startHarness();
    await first.stop(); // closed the files the second one now uses (EBADF) before
    const { etag } = await second.upload('uploader', 'acme-claravine', 'us/submissions/Email.csv', EMAIL);
    expect((await second.waitForSubmission({ etag })).status).toBe('complete');
    await second.stop();
  });

  it('a start that fails (its port is busy) leaves no temporary folder', async () => {
    const busy = await startHarness();
    const tmp = await mkdtemp(join(tmpdir(), 'embed-tmp-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp; // where startHarness() makes its temporary folder
    try {
      await expect(startHarness({ port: Number(new URL(busy.endpoint).port) })).rejects.toThrow(/EADDRINUSE/);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await busy.stop();
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it('reset() clears only what the harness wrote in a data folder the caller chose', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'embed-data-'));
    await writeFile(join(dataDirectory, 'notes.txt'), 'mine');
    const own = await startHarness({ dataDirectory });
    try {
      await own.upload('admin', 'acme-claravine', 'keep/not.txt', 'x');
      await own.reset();
      expect(readFileSync(join(dataDirectory, 'notes.txt'), 'utf8')).toBe('mine');
      await expectS3Error(
        own.client('admin').send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'keep/not.txt' })),
        'NoSuchKey',
        404,
      );
    } finally {
      await own.stop();
      await rm(dataDirectory, { recursive: true, force: true });
    }
  });
});
