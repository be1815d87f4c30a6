import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../core/submissions/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { loadWorkspace } from '../helpers/stack.ts';

let hook: Server;
const received: { event: string; submission: Submission }[] = [];
let h: TestHarness;

function workspaceWith(webhookUrl: string): Workspace {
  const demo = loadWorkspace();
  const raw = {
    accountId: demo.accountId,
    region: demo.region,
    buckets: demo.buckets,
    iam: demo.iam,
    accounts: [
      { name: 'platform', accessKeyId: 'AKIADEMOPLATFORM0001' },
      { name: 'custom', accessKeyId: 'AKIADEMOCLARAVINE001' },
    ],
    alerts: { webhookUrl },
    templates: [
      {
        name: 'Listed',
        fields: [{ name: 'Name', type: 'text', required: true }],
        inbound: [{ account: 'custom', bucketMode: 'list', bucket: 'acme-claravine', prefix: 'us/listed/' }],
      },
      {
        name: 'Manual',
        fields: [{ name: 'Name', type: 'text', required: true }],
        inbound: [{ account: 'platform', bucketMode: 'manual', bucket: 'acme-claravine', prefix: 'us/manual/' }],
      },
      {
        name: 'Split',
        autoSubmit: true,
        fields: [{ name: 'Name', type: 'text', required: true, maxLength: 5 }],
        inbound: [
          { account: 'platform', bucketMode: 'list', bucket: 'acme-claravine', prefix: 'us/split/{{submitted_by}}/' },
        ],
      },
      {
        name: 'Polled',
        fields: [{ name: 'Name', type: 'text', required: true }],
        inbound: [
          {
            account: 'platform',
            bucketMode: 'manual',
            bucket: 'acme-claravine',
            prefix: 'us/polled/',
            detection: 'poll',
            pollIntervalSeconds: 1,
          },
        ],
      },
    ],
  };
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

beforeAll(async () => {
  let calls = 0;
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      // The first call fails: the alert must be retried.
      if (calls++ === 0) {
        res.writeHead(503).end();
        return;
      }
      received.push(JSON.parse(body) as { event: string; submission: Submission });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
  h = await startTestHarness(workspaceWith(`http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`));
});
afterAll(async () => {
  await h.stop();
  hook.close();
});

const drop = (key: string, body: string) =>
  h.client('uploader').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: body }));

describe('integrations', () => {
  it('puts a list-mode integration whose account cannot list buckets into the permission warning, and imports nothing through it', async () => {
    const listed = h.engine.integrations().find((i) => i.template === 'Listed')!;
    expect(listed.status).toBe('warning');
    expect(listed.warnings[0]).toMatchObject({
      action: 's3:ListAllMyBuckets',
      error: { code: 'AccessDenied', status: 403 },
    });
    expect(listed.warnings[0]!.message).toMatch(
      /^Permission warning: account "custom" cannot list with its keys. Select "Manual Bucket Entry"/,
    );
    await drop('us/listed/a.csv', 'Name\r\nx\r\n');
    await h.engine.idle();
    expect(h.engine.store.submissions().filter((s) => s.template === 'Listed')).toEqual([]);
  });

  it('imports through a manual integration, which never lists', async () => {
    expect(h.engine.integrations().find((i) => i.template === 'Manual')).toMatchObject({
      status: 'active',
      warnings: [],
    });
    await drop('us/manual/a.csv', 'Name\r\nx\r\n');
    expect((await h.submissionsOf('us/manual/a.csv'))[0]!.status).toBe('complete');
  });

  it('auto-submit splits a file: clean rows complete (AUTOSUBMIT), bad rows pending; {{submitted_by}} names the submitter', async () => {
    await drop('us/split/ravi/file.csv', 'Name\r\nok\r\ntoo long\r\nfine\r\n');
    const [complete, pending] = await h.submissionsOf('us/split/ravi/file.csv');
    expect(complete).toMatchObject({
      status: 'complete',
      name: 'file.csv AUTOSUBMIT',
      counts: { rows: 2, accepted: 2, rejected: 0 },
      submittedBy: 'ravi',
      splitFrom: pending!.id,
    });
    expect(pending).toMatchObject({
      status: 'pending',
      name: 'file.csv',
      counts: { rows: 1, accepted: 0, rejected: 1 },
      splitFrom: complete!.id,
    });
    expect(pending!.issues).toEqual([
      {
        row: 3,
        column: 'Name',
        value: 'too long',
        rule: 'maxLength',
        message: 'must be at most 5 characters long, has 8',
      },
    ]);
  });

  it("finds objects by polling with the account's keys, with the uploader the gateway recorded", async () => {
    await drop('us/polled/p.csv', 'Name\r\npolled\r\n');
    const [submission] = await h.submissionsOf('us/polled/p.csv', 10_000);
    expect([submission!.status, submission!.source.uploadedBy]).toEqual(['complete', 'uploader']);
  });

  it('posts failed imports to the webhook, retrying until it takes them', async () => {
    await drop('us/manual/bad.csv', 'Nom\r\nx\r\n');
    const [failed] = await h.submissionsOf('us/manual/bad.csv');
    expect(failed!.status).toBe('failed');
    const deadline = Date.now() + 10_000;
    while (!received.some((r) => r.submission.id === failed!.id) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(received.find((r) => r.submission.id === failed!.id)).toMatchObject({
      event: 'import.failed',
      submission: { status: 'failed', issues: [{ rule: 'header' }, { rule: 'header' }] },
    });
  });
});
