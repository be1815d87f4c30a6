/**
 * The engine against an S3 it does not embed (docs/go-live.md, "The engine against a real endpoint"):
 * a second harness process plays the customer's S3-compatible endpoint (real SigV4 over HTTP); the
 * engine reaches it with credentials from the AWS provider chain (a profile in a shared credentials
 * file, never the workspace), detects drops there by polling, imports them, and writes the export
 * there. The embedded gateway is not involved for that account.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPreflight } from '../../core/preflight/index.ts';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { startCli, type StartedCli } from '../helpers/cli.ts';
import { fakeAws, type FakeQueue } from '../helpers/fake-aws.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import type { SetupServerApi } from 'msw/node';

const REMOTE_KEY = 'AKIAREMOTEPLATFORM01';
const REMOTE_SECRET = 'remotePlatformSecret00000000000000000001';

let remote: StartedCli;
let h: TestHarness;
let remoteClient: S3Client;
let msw: SetupServerApi;
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/210987654321/customer-drops';
const queue: FakeQueue = { url: QUEUE_URL, waiting: [], deleted: [] };
const dir = mkdtempSync(join(tmpdir(), 'remote-endpoint-'));

beforeAll(async () => {
  // The customer's side: its own buckets and a user for the platform, in another process.
  const remoteWorkspace = {
    accountId: '210987654321',
    region: 'us-east-1',
    buckets: [{ name: 'customer-drop' }, { name: 'customer-exports' }],
    iam: {
      users: [
        {
          name: 'platform',
          accessKeyId: REMOTE_KEY,
          secretAccessKey: REMOTE_SECRET,
          policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }],
        },
      ],
    },
  };
  writeFileSync(join(dir, 'remote.json'), JSON.stringify(remoteWorkspace));
  remote = await startCli(['--workspace', join(dir, 'remote.json'), '--ephemeral', '--port', '0', '--quiet']);
  remoteClient = new S3Client({
    endpoint: remote.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: REMOTE_KEY, secretAccessKey: REMOTE_SECRET },
  });
  // The CS engineer's machine: a profile in a shared credentials file, as the AWS CLI writes it.
  writeFileSync(
    join(dir, 'credentials'),
    `[customer]\naws_access_key_id = ${REMOTE_KEY}\naws_secret_access_key = ${REMOTE_SECRET}\n`,
  );
  writeFileSync(join(dir, 'config'), '');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'credentials');
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  process.env.AWS_EC2_METADATA_DISABLED = 'true';

  // The customer's SQS queue (S3 event notifications), played by msw; this machine's endpoints pass through.
  msw = fakeAws({
    accountId: '210987654321',
    caller: 'platform',
    users: [],
    managed: {},
    buckets: {},
    queues: [queue],
  }).server;

  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  raw.accounts.push({ name: 'customer-live', remote: { endpoint: remote.endpoint, profile: 'customer' } });
  const email = raw.templates.find((t: { name: string }) => t.name === 'Email');
  email.inbound = [
    {
      name: 'Live drop',
      account: 'customer-live',
      bucketMode: 'manual',
      bucket: 'customer-drop',
      prefix: 'in/',
      detection: 'poll',
      pollIntervalSeconds: 1,
    },
    {
      name: 'Queued drop',
      account: 'customer-live',
      bucketMode: 'manual',
      bucket: 'customer-drop',
      prefix: 'queued/',
      detection: 'sqs',
      queueUrl: QUEUE_URL,
    },
  ];
  email.outbound = [
    { ...email.outbound[0], name: 'Live export', account: 'customer-live', bucket: 'customer-exports', sse: false },
  ];
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  h = await startTestHarness(parsed.value, { source: raw });
});

afterAll(async () => {
  await h?.stop();
  await remote?.stop();
  msw?.close();
  delete process.env.AWS_SHARED_CREDENTIALS_FILE;
  delete process.env.AWS_CONFIG_FILE;
});

describe('an account on a remote endpoint', () => {
  it('drops there are detected by polling and imported; the export is written there; the workspace holds no secret', async () => {
    await remoteClient.send(
      new PutObjectCommand({
        Bucket: 'customer-drop',
        Key: 'in/Email_live.csv',
        Body: readFileSync('fixtures/files/Email.csv'),
      }),
    );
    const [submission] = await h.submissionsOf('in/Email_live.csv', 20_000);
    expect(submission).toMatchObject({
      status: 'complete',
      source: { bucket: 'customer-drop', key: 'in/Email_live.csv' },
    });
    // The export went to the remote bucket, not to the embedded one.
    let exported: string[] = [];
    for (let i = 0; exported.length === 0 && i < 50; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      exported = (
        (await remoteClient.send(new ListObjectsV2Command({ Bucket: 'customer-exports' }))).Contents ?? []
      ).map((o) => o.Key!);
    }
    expect(exported).toEqual([expect.stringMatching(/^inbox_us_Email_.*\.csv$/)]);
    const body = await (
      await remoteClient.send(new GetObjectCommand({ Bucket: 'customer-exports', Key: exported[0] }))
    ).Body!.transformToString();
    expect(body).toContain('CAMPAIGN;TRACKING CODE');
    expect(JSON.stringify(h.workspace)).not.toContain(REMOTE_SECRET);
    // The preflight decides nothing for it (the real account's policies do), and says so.
    const live = runPreflight(h.workspace).integrations.find((i) => i.account === 'customer-live')!;
    expect([live.remote, live.checks[0]!.explanation]).toEqual([
      true,
      "Not decided here: account customer-live is remote, and its policies are the real account's (s3-harness preflight --live asks them).",
    ]);
    // The UI says which accounts are remote.
    const page = await (await fetch(`${h.apiUrl}/accounts`)).text();
    expect(page).toContain('customer-live <span class="badge">remote</span>');
  });

  it('a remote account is refused with keys in the workspace, or with event detection', () => {
    const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
    raw.accounts.push({
      name: 'live',
      accessKeyId: 'AKIAREMOTEPLATFORM01',
      secretAccessKey: 'x',
      remote: { profile: 'p' },
    });
    raw.templates[0].inbound[0].account = 'live';
    const parsed = parseWorkspace(raw);
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.message)).toEqual([
      '"accessKeyId" is not allowed on a remote account: its credentials come from the AWS provider chain (a "profile"), never from the workspace',
      '"secretAccessKey" is not allowed on a remote account: its credentials come from the AWS provider chain (a "profile"), never from the workspace',
      'account "live" is remote: its drops are detected by polling ("detection": "poll") or from a queue ("sqs"); events come from the embedded gateway only',
    ]);
  });

  it('sqs: drops announced in the queue are imported and their messages deleted; a test event and other prefixes are skipped', async () => {
    const key = 'queued/Email Q1.csv';
    const put = await remoteClient.send(
      new PutObjectCommand({ Bucket: 'customer-drop', Key: key, Body: readFileSync('fixtures/files/Email.csv') }),
    );
    // What S3 sends to the queue (keys URL-encoded, a space as "+").
    const record = (objectKey: string, etag: string) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: 'customer-drop' }, object: { key: objectKey, size: 100, eTag: etag } },
    });
    queue.waiting.push(
      { id: 'test', body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'customer-drop' }) },
      { id: 'other', body: JSON.stringify({ Records: [record('elsewhere/x.csv', '"abc"')] }) },
      { id: 'drop', body: JSON.stringify({ Records: [record('queued/Email+Q1.csv', put.ETag!.replace(/"/g, ''))] }) },
    );
    const [submission] = await h.submissionsOf(key, 20_000);
    expect(submission).toMatchObject({ status: 'complete', source: { bucket: 'customer-drop', key } });
    for (let i = 0; queue.deleted.length < 3 && i < 50; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queue.deleted.sort()).toEqual(['handle-drop', 'handle-other', 'handle-test']);
    expect((await h.api<{ source: { key: string } }[]>('/api/submissions')).map((s) => s.source.key)).not.toContain(
      'elsewhere/x.csv',
    );
  });
});
