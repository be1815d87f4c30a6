/**
 * The UI's own routes keep the gateway's rules and the data folder's integrity (docs/security.md):
 * keys the gateway refuses are refused by the S3 browser too, edits name things that exist or get a
 * 400, a saved workspace always starts, bodies are limited before they are read, and a client's
 * mistake is a 4xx. In-process with `app.request()` against a real harness.
 */
import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { createWebApp } from '../../emulator/web.ts';
import { captureConsoleErrors } from '../helpers/console.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { IN_PROCESS_GUARD, ownPageRequest } from '../helpers/web.ts';

let h: TestHarness;
let app: Hono;
let request: ReturnType<typeof ownPageRequest>;
let errors: string[] = [];
let restoreConsole = () => {};
beforeAll(async () => {
  h = await startTestHarness();
  app = createWebApp({
    workspace: h.workspace,
    engine: h.engine,
    gateway: h.gateway,
    endpoint: h.endpoint,
    editor: h.editor,
    guard: IN_PROCESS_GUARD,
    uploadLimitBytes: 4096,
  });
  request = ownPageRequest(app);
  await h.client('admin').send(
    new PutObjectCommand({
      Bucket: 'acme-exports',
      Key: 'private/report.csv',
      Body: 'secret,data\n',
      ServerSideEncryption: 'AES256',
    }),
  );
  ({ lines: errors, restore: restoreConsole } = captureConsoleErrors());
});
afterAll(async () => {
  restoreConsole();
  await h.stop();
});

const text = async (response: Response | Promise<Response>) => {
  const r = await response;
  return { status: r.status, text: await r.text() };
};
const UNSAFE = 'Unsupported key: the key has a &quot;..&quot; segment';

describe("the S3 browser reads through the gateway's key rules", () => {
  it('refuses keys that climb out of the bucket, in previews, downloads and folder listings', async () => {
    const escapes = [
      '../acme-exports/private/report.csv',
      'us/../../acme-exports/private/report.csv',
      '../../../../../../etc/passwd',
    ];
    for (const key of escapes) {
      const preview = await text(request(`/s3/acme-claravine/object?key=${encodeURIComponent(key)}`));
      expect([preview.status, preview.text], key).toEqual([400, expect.stringContaining(UNSAFE)]);
      expect(preview.text).not.toContain('secret,data');
      const download = await text(request(`/s3/acme-claravine/download?key=${encodeURIComponent(key)}`));
      expect([download.status, download.text], key).toEqual([
        400,
        expect.stringContaining('Unsupported key: the key has a ".." segment'),
      ]);
    }
    const folder = await text(request(`/s3/acme-claravine?prefix=${encodeURIComponent('../acme-exports/')}`));
    expect([folder.status, folder.text]).toEqual([400, expect.stringContaining(UNSAFE)]);
    expect(folder.text).not.toContain('report.csv');
    expect((await request('/s3/acme-claravine/object?key=us//x')).status).toBe(400);
    // The object itself, asked for properly, is served.
    expect((await text(request('/s3/acme-exports/download?key=private/report.csv'))).text).toBe('secret,data\n');
  });
});

describe('edits through the UI', () => {
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-claravine/us/*' }],
  });
  const savedText = () => readFileSync(`${h.dataDirectory}/workspace.json`, 'utf8');
  const savePolicy = (user: string, index: string) =>
    text(request(`/iam/users/${user}/policies/${index}`, { method: 'POST', body: new URLSearchParams({ policy }) }));

  it('refuse indexes past the end (or not indexes) with 400, and change nothing', async () => {
    const added = await savePolicy('uploader', 'new');
    expect(added.status).toBe(303);
    const before = savedText();
    for (const index of ['2', '5', '30000000', '-1', 'x', '1e3', '0x1']) {
      const answer = await savePolicy('uploader', index);
      expect([answer.status, answer.text], index).toEqual([
        400,
        expect.stringContaining(`User "uploader" has 2 identity policies (0 to 1); "${index}" is none of them.`),
      ]);
    }
    expect((await savePolicy('nobody', '0')).status).toBe(404);
    expect(savedText()).toBe(before);
    expect((await savePolicy('uploader', '1')).status).toBe(303);
  });

  it('save only a workspace the harness starts from', async () => {
    await savePolicy('uploader', '0');
    const saved = JSON.parse(savedText()) as unknown;
    expect(JSON.stringify(saved)).not.toContain('null');
    expect(parseWorkspace(saved).ok).toBe(true);
    const removed = await text(request('/templates/Email/inbound/7/delete', { method: 'POST' }));
    expect(removed.status).toBe(404);
  });
});

describe('the scenario runner', () => {
  it('runs only files of its folder, and says so when asked for another', async () => {
    for (const file of ['../../etc/passwd', '../fixtures/workspaces/demo.json', 'nope.json']) {
      const answer = await text(request('/scenarios/run', { method: 'POST', body: new URLSearchParams({ file }) }));
      expect([answer.status, answer.text], file).toEqual([404, expect.stringContaining('No scenario file')]);
    }
  });
});

describe('request bodies', () => {
  it('above the limit get 413 before they are read', async () => {
    const big = 'x'.repeat(11 * 1024 * 1024);
    const form = await text(
      request('/accounts', { method: 'POST', body: new URLSearchParams({ name: 'big', accessKeyId: big }) }),
    );
    expect([form.status, form.text]).toEqual([
      413,
      expect.stringContaining('the request body is larger than 10485760 bytes'),
    ]);
    const body = new FormData();
    body.append('user', 'uploader');
    body.append('bucket', 'acme-claravine');
    body.append('key', 'us/submissions/big.csv');
    body.append('file', new Blob(['a'.repeat(8192)]), 'big.csv');
    const upload = await text(request('/s3/upload', { method: 'POST', body }));
    expect(upload.status).toBe(413);
    expect(
      (
        await text(
          request('/api/submissions/x/deliveries/0/retry', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: big,
          }),
        )
      ).text,
    ).toContain('"code":"PayloadTooLarge"');
  });

  it("that cannot be read are the client's mistake: 400, and nothing in the log", async () => {
    const noBoundary = await text(
      request('/s3/upload', { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'abc' }),
    );
    expect([noBoundary.status, noBoundary.text]).toEqual([
      400,
      expect.stringContaining('the request body cannot be read as multipart/form-data'),
    ]);
    for (const context of ['5', 'null', '[1]', '{"s3:prefix": 5}', '"text"']) {
      const answer = await text(
        request('/iam/simulate', {
          method: 'POST',
          headers: { 'hx-request': 'true' },
          body: new URLSearchParams({
            user: 'uploader',
            action: 's3:GetObject',
            resource: 'arn:aws:s3:::acme-claravine/a',
            context,
          }),
        }),
      );
      expect([answer.status, answer.text], context).toEqual([
        400,
        expect.stringContaining('The context must be a JSON object of strings'),
      ]);
    }
    expect(errors).toEqual([]);
  });
});
