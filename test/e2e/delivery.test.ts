/**
 * Outbound delivery end to end: a file dropped through the gateway becomes a submission, and each
 * outbound integration writes its file with the account's keys through the same gateway, under the
 * customer's policies. Files are compared with golden files in fixtures/expected/delivery/.
 */
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreflightReport } from '../../core/preflight/index.ts';
import type { Delivery, Submission } from '../../core/submissions/index.ts';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { CLI, runCliAsync } from '../helpers/cli.ts';
import { run } from '../helpers/system-tools.ts';
import { expectGolden } from '../helpers/golden.ts';
import { openSubmissionStore } from '../../emulator/engine/submission-store.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { readXlsx } from '../../core/outbound/index.ts';

const CLOCK = new Date('2026-11-28T09:30:00.000Z');
const GOLDEN = 'fixtures/expected/delivery';
const TARGETS =
  'Email export, No SSE, Read only, JSON every meta, Sheet, Tabs, Latest, Listed, Listed, cannot list, Custom policy, manual';
/**
 * A delivered file against its golden file. The summary header's Targets line names every outbound
 * integration of the template, which is what this workspace adds, not what a file's test is about: it is
 * checked here against TARGETS and stands in the golden file as a token, so a new integration in this
 * test rewrites no golden file.
 */
function expectDeliveryGolden(name: string, text: string, summaryHeader = true): void {
  if (summaryHeader) expect(text, `${name} names every target`).toContain(TARGETS);
  expectGolden(`${GOLDEN}/${name}`, text.replaceAll(TARGETS, '{{every outbound integration of Email}}'));
}
const EMAIL_FIELDS = [
  'Campaign Name',
  'Channel',
  'Channel Code',
  'Region',
  'Country',
  'Launch Date',
  'Tags',
  'Source',
  'Tracking Code',
];

/** The demo workspace with more outbound integrations on the Email template, and a read-only account. */
function deliveryWorkspace(): Workspace {
  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  raw.accounts.push({
    name: 'acme-readonly',
    description: 'The reader user: GetObject and ListBucket only',
    accessKeyId: 'AKIADEMOREADER000001',
  });
  const email = raw.templates.find((t: { name: string }) => t.name === 'Email');
  const base = { account: 'acme-platform', bucketMode: 'manual' };
  email.outbound.push(
    {
      ...base,
      name: 'No SSE',
      bucket: 'acme-exports',
      sse: false,
      filename: 'plain/{{template_name}}',
      pathMode: 'folders',
    },
    {
      ...base,
      name: 'Read only',
      account: 'acme-readonly',
      bucket: 'acme-exports',
      sse: true,
      filename: 'readonly/{{template_name}}',
      pathMode: 'folders',
    },
    {
      ...base,
      name: 'JSON every meta',
      bucket: 'acme-claravine',
      fileType: 'json',
      summaryHeader: true,
      pathMode: 'folders',
      filename: 'exports/json/{{submitted_by}}/{{submission_name}}_{{submitted_at}}',
      labelTransform: 'spacesToUnderscores',
      columns: [
        { meta: 'Template Name' },
        { meta: 'Submitter Name' },
        { meta: 'Submitter Email' },
        { meta: 'Created Date' },
        { meta: 'Updated Date' },
        { meta: 'Empty', label: 'Left Blank' },
        { field: 'Tracking Code', label: 'Tracking Code' },
        { field: 'Campaign Name' },
      ],
    },
    {
      ...base,
      name: 'Sheet',
      bucket: 'acme-claravine',
      fileType: 'xlsx',
      summaryHeader: true,
      filename: 'exports/sheet/{{template_name}}',
      labelTransform: 'lowercase',
    },
    {
      ...base,
      name: 'Tabs',
      bucket: 'acme-claravine',
      delimiter: 'tab',
      filename: 'exports/tabs/{{template_name}}',
      pathMode: 'folders',
      labelTransform: 'underscoresToSpaces',
      columns: [
        { field: 'Campaign Name', label: 'campaign_name' },
        { field: 'Launch Date', label: 'launch_date' },
        { field: 'Tags' },
      ],
    },
    {
      ...base,
      name: 'Latest',
      bucket: 'acme-claravine',
      filename: 'exports/latest',
      pathMode: 'folders',
      columns: [{ field: 'Campaign Name' }],
    },
    {
      ...base,
      name: 'Listed',
      bucketMode: 'list',
      bucket: 'acme-claravine',
      filename: 'exports/listed/{{template_name}}',
      pathMode: 'folders',
    },
    // The product article's custom policy: PutObject on acme-exports, but no s3:ListAllMyBuckets.
    {
      ...base,
      name: 'Listed, cannot list',
      account: 'acme-custom-policy',
      bucketMode: 'list',
      bucket: 'acme-exports',
      sse: true,
      filename: 'listed/{{template_name}}',
      pathMode: 'folders',
    },
    {
      ...base,
      name: 'Custom policy, manual',
      account: 'acme-custom-policy',
      bucket: 'acme-exports',
      sse: true,
      filename: 'custom/{{template_name}}',
      pathMode: 'folders',
    },
  );
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return parsed.value;
}

let h: TestHarness;
beforeAll(async () => {
  h = await startTestHarness(deliveryWorkspace(), { now: () => CLOCK });
});
afterAll(() => h.stop());

const drop = (key: string, body: string | Uint8Array) =>
  h.client('uploader').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: body }));
const read = async (bucket: string, key: string) =>
  new Uint8Array(
    await (
      await h.client('admin').send(new GetObjectCommand({ Bucket: bucket, Key: key }))
    ).Body!.transformToByteArray(),
  );
const byName = (submission: Submission, name: string): Delivery => {
  const found = submission.deliveries?.find((d) => d.integration === name);
  if (!found)
    throw new Error(`no delivery "${name}" on submission ${submission.id}: ${JSON.stringify(submission.deliveries)}`);
  return found;
};
const indexOf = (submission: Submission, name: string) =>
  submission.deliveries!.findIndex((d) => d.integration === name);
const fresh = (id: string) => h.engine.store.submission(id)!;

describe('outbound delivery', () => {
  let submission: Submission;
  beforeAll(async () => {
    await drop('us/submissions/Email.csv', readFileSync('fixtures/files/Email.csv'));
    submission = (await h.submissionsOf('us/submissions/Email.csv'))[0]!;
    expect(submission.status).toBe('complete');
  });

  it('writes the demo export at the expected key with the expected bytes, encrypted with SSE-S3', async () => {
    const delivery = byName(submission, 'Email export');
    expect(delivery).toMatchObject({
      bucket: 'acme-exports',
      key: 'inbox_us_Email_2026-11-28_09-30-00.csv',
      status: 'delivered',
      attempts: 1,
      sse: true,
      error: null,
      warnings: [],
    });
    const bytes = await read('acme-exports', delivery.key);
    expect(delivery.bytes).toBe(bytes.byteLength);
    expectDeliveryGolden('Email-export.csv', Buffer.from(bytes).toString('utf8'));
    const head = await h.client('admin').send(new HeadObjectCommand({ Bucket: 'acme-exports', Key: delivery.key }));
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.ContentType).toBe('text/csv; charset=utf-8');
    expect(h.logs).toContain(
      `[delivery] Email export: submission ${submission.id} -> s3://acme-exports/${delivery.key} (${bytes.byteLength} bytes, SSE-S3)`,
    );
  });

  it('shows every delivery in GET /api/submissions/:id with the fields the issue names', async () => {
    const shown = await h.api<Submission>(`/api/submissions/${submission.id}`);
    expect(shown.deliveries!.map((d) => d.integration)).toEqual([
      'Email export',
      'No SSE',
      'Read only',
      'JSON every meta',
      'Sheet',
      'Tabs',
      'Latest',
      'Listed',
      'Listed, cannot list',
      'Custom policy, manual',
    ]);
    for (const d of shown.deliveries!) {
      for (const field of ['integration', 'bucket', 'key', 'bytes', 'status', 'attempts', 'error', 'warnings'])
        expect(d, `${d.integration}.${field}`).toHaveProperty(field);
    }
  });

  it('fails the delivery without SSE where the bucket policy requires it, and the explanation names the statement', async () => {
    const delivery = byName(submission, 'No SSE');
    expect(delivery).toMatchObject({
      bucket: 'acme-exports',
      key: 'plain/Email.csv',
      status: 'failed',
      attempts: 1,
      sse: false,
      etag: null,
    });
    expect(delivery.bytes).toBeGreaterThan(0);
    expect(delivery.error).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(delivery.error!.explanation).toBe(
      'Explicitly denied: statement 0 (Sid "RequireSSE") of the bucket policy of acme-exports denies s3:PutObject on arn:aws:s3:::acme-exports/plain/Email.csv: its condition StringNotEquals s3:x-amz-server-side-encryption "AES256" holds (request value: absent).',
    );
    await expect(
      h.client('admin').send(new HeadObjectCommand({ Bucket: 'acme-exports', Key: 'plain/Email.csv' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    expect(
      h.logs.some(
        (l) =>
          l.startsWith(
            `[delivery failed] No SSE: submission ${submission.id} -> s3://acme-exports/plain/Email.csv (attempt 1): AccessDenied:`,
          ) && l.includes('RequireSSE'),
      ),
    ).toBe(true);
  });

  it('fails the delivery of an account whose policy has no s3:PutObject, and says no statement allows it', async () => {
    const delivery = byName(submission, 'Read only');
    expect(delivery).toMatchObject({ status: 'failed', key: 'readonly/Email.csv', error: { code: 'AccessDenied' } });
    expect(delivery.error!.explanation).toMatch(/s3:PutObject/);
    expect(delivery.error!.explanation).toMatch(/reader/);
  });

  it('in "List Buckets" mode, delivers when the account lists the bucket, and fails with the permission warning when it cannot list', async () => {
    expect(byName(submission, 'Listed')).toMatchObject({ status: 'delivered', key: 'exports/listed/Email.csv' });
    const denied = byName(submission, 'Listed, cannot list');
    expect(denied).toMatchObject({ status: 'failed', attempts: 1, bytes: null, error: { code: 'PermissionWarning' } });
    expect(denied.error!.message).toMatch(
      /^Permission warning: account "acme-custom-policy" cannot list with its keys\. Select "Manual Bucket Entry"/,
    );
    expect(denied.error!.explanation).toMatch(/s3:ListAllMyBuckets/);
    // The same account in manual mode writes: the article's custom policy allows PutObject.
    expect(byName(submission, 'Custom policy, manual')).toMatchObject({ status: 'delivered', key: 'custom/Email.csv' });
    const integrations = await h.api<{ id: string; direction: string; status: string }[]>('/api/integrations');
    expect(integrations.find((i) => i.id === 'Email/Listed, cannot list')).toMatchObject({
      direction: 'outbound',
      status: 'warning',
    });
    expect(integrations.find((i) => i.id === 'Email/Listed')).toMatchObject({
      direction: 'outbound',
      status: 'active',
    });
    expect(integrations.find((i) => i.id === 'Email/Email drop')).toMatchObject({
      direction: 'inbound',
      status: 'active',
    });
  });

  it('renders JSON with the summary header, every meta field and folders from the filename', async () => {
    const delivery = byName(submission, 'JSON every meta');
    // A slash inside a dynamic value never makes a folder: only the filename's own slashes do.
    expect(delivery).toMatchObject({
      status: 'delivered',
      key: 'exports/json/Uma Loader/Email.csv_2026-11-28_09-30-00.json',
    });
    const text = Buffer.from(await read('acme-claravine', delivery.key)).toString('utf8');
    expectDeliveryGolden('Email-every-meta.json', text);
    const parsed = JSON.parse(text) as { summary: Record<string, string>; rows: Record<string, string>[] };
    expect(parsed.summary).toEqual({
      Date: CLOCK.toISOString(),
      'User Name': 'Uma Loader',
      Targets: TARGETS,
      Template: 'Email',
    });
    expect(parsed.rows[0]).toEqual({
      Template_Name: 'Email',
      Submitter_Name: 'Uma Loader',
      Submitter_Email: 'uma@example.com',
      Created_Date: CLOCK.toISOString(),
      Updated_Date: CLOCK.toISOString(),
      Left_Blank: '',
      Tracking_Code: 'EM-20261128-00001',
      Campaign_Name: 'Spring Sale',
    });
  });

  it('renders XLSX with the summary rows and the default columns, read back by an independent reader', async () => {
    const delivery = byName(submission, 'Sheet');
    expect(delivery).toMatchObject({ status: 'delivered', key: 'exports_sheet_Email.xlsx' });
    const bytes = await read('acme-claravine', delivery.key);
    expect(delivery.bytes).toBe(bytes.byteLength);
    const cells = readXlsx(bytes);
    expectDeliveryGolden('Email-sheet.xlsx.json', `[\n${cells.map((row) => JSON.stringify(row)).join(',\n')}\n]\n`);
    expect(cells.slice(0, 5)).toEqual([
      ['Date', CLOCK.toISOString()],
      ['User Name', 'Uma Loader'],
      ['Targets', TARGETS],
      ['Template', 'Email'],
      [],
    ]);
    // Default columns: schema order without the field marked not visible (Source), labels lowercased.
    expect(cells[5]).toEqual(EMAIL_FIELDS.filter((f) => f !== 'Source').map((f) => f.toLowerCase()));
    const head = await h.client('admin').send(new HeadObjectCommand({ Bucket: 'acme-claravine', Key: delivery.key }));
    expect(head.ContentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(head.ServerSideEncryption).toBeUndefined();
  });

  it('renders tab-delimited CSV with custom labels transformed', async () => {
    const delivery = byName(submission, 'Tabs');
    expect(delivery).toMatchObject({ status: 'delivered', key: 'exports/tabs/Email.csv' });
    expectDeliveryGolden(
      'Email-tabs.csv',
      Buffer.from(await read('acme-claravine', delivery.key)).toString('utf8'),
      false,
    );
  });

  it('warns when a delivery overwrites an object another submission wrote, on both submissions', async () => {
    await drop('us/submissions/Email-again.csv', readFileSync('fixtures/files/Email.csv'));
    const [second] = await h.submissionsOf('us/submissions/Email-again.csv');
    const latest = byName(second!, 'Latest');
    expect(latest).toMatchObject({ status: 'delivered', key: 'exports/latest.csv' });
    expect(latest.warnings).toEqual([
      `overwrote s3://acme-claravine/exports/latest.csv, which submission ${submission.id} ("Email.csv") wrote at ${CLOCK.toISOString()}`,
    ]);
    expect(byName(fresh(submission.id), 'Latest').warnings).toEqual([
      `overwritten at ${CLOCK.toISOString()} by submission ${second!.id} ("Email-again.csv"), integration "Latest"`,
    ]);
    expect(h.logs.some((l) => l.startsWith('[delivery warning] Latest:') && l.includes('overwrote'))).toBe(true);
  });

  it('retries a failed delivery through the API once the policy allows it', async () => {
    const index = indexOf(submission, 'No SSE');
    const conflict = await fetch(
      `${h.apiUrl}/api/submissions/${submission.id}/deliveries/${indexOf(submission, 'Email export')}/retry`,
      { method: 'POST' },
    );
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: { message: string } }).error.message).toMatch(
      /is delivered; only a failed delivery can be retried/,
    );
    expect(
      (await fetch(`${h.apiUrl}/api/submissions/${submission.id}/deliveries/99/retry`, { method: 'POST' })).status,
    ).toBe(404);
    expect((await fetch(`${h.apiUrl}/api/submissions/nope/deliveries/0/retry`, { method: 'POST' })).status).toBe(404);
    expect(
      (await fetch(`${h.apiUrl}/api/submissions/${submission.id}/deliveries/x/retry`, { method: 'POST' })).status,
    ).toBe(400);

    // Still denied: a second failed attempt, counted.
    const again = await fetch(`${h.apiUrl}/api/submissions/${submission.id}/deliveries/${index}/retry`, {
      method: 'POST',
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'AccessDenied' } });

    const admin = h.client('admin');
    const policy = JSON.stringify(h.workspace.buckets.find((b) => b.name === 'acme-exports')!.policy);
    const preflightOk = async () =>
      (await h.api<PreflightReport>('/api/preflight')).integrations.find((i) => i.id === 'Email/No SSE')!.ok;
    expect(await preflightOk()).toBe(false);
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: 'acme-exports' }));
    try {
      // The API's preflight reads the bucket policy in force, not the workspace's.
      expect(await preflightOk()).toBe(true);
      const retried = await fetch(`${h.apiUrl}/api/submissions/${submission.id}/deliveries/${index}/retry`, {
        method: 'POST',
      });
      expect(await retried.json()).toMatchObject({
        status: 'delivered',
        attempts: 3,
        error: null,
        key: 'plain/Email.csv',
      });
      const head = await admin.send(new HeadObjectCommand({ Bucket: 'acme-exports', Key: 'plain/Email.csv' }));
      expect(head.ServerSideEncryption).toBeUndefined();
      expect(byName(await h.api<Submission>(`/api/submissions/${submission.id}`), 'No SSE').status).toBe('delivered');
    } finally {
      await admin.send(new PutBucketPolicyCommand({ Bucket: 'acme-exports', Policy: policy }));
    }
  });

  it('retries from the CLI against the running harness: exit 1 while the policy still denies, with the reason', async () => {
    const index = indexOf(submission, 'Read only');
    const result = await runCliAsync(['deliveries', 'retry', submission.id, String(index), '--api', h.apiUrl]);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      `${submission.id} #${index} FAILED Read only: s3://acme-exports/readonly/Email.csv (attempts 2`,
    );
    expect(result.stdout).toMatch(/AccessDenied: /);
    expect(result.stdout).toMatch(/why: .*s3:PutObject/);

    const listed = await runCliAsync(['deliveries', 'list', '--status', 'failed', '--api', h.apiUrl]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('FAILED Read only');
    expect(listed.stdout).not.toContain('DELIVERED');

    expect(listed.stderr).toContain(`harness API: ${h.apiUrl} (--api)`);
    const viaEnvironment = await run(process.execPath, [...CLI, 'deliveries', 'list', '--status', 'failed'], {
      env: { ...process.env, S3_HARNESS_API: h.apiUrl },
    });
    expect([viaEnvironment.status, viaEnvironment.stderr.trim()]).toEqual([
      0,
      `harness API: ${h.apiUrl} (S3_HARNESS_API)`,
    ]);
    expect(viaEnvironment.stdout).toBe(listed.stdout);

    const unreachable = await runCliAsync(['deliveries', 'list', '--api', 'http://127.0.0.1:9']);
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot reach the harness API at http:\/\/127\.0\.0\.1:9/);
  });
});

describe('a delivery interrupted by a stop', () => {
  it('is written again at the next start, once', async () => {
    const workspace = deliveryWorkspace();
    const first = await startTestHarness(workspace, { now: () => CLOCK });
    const key = 'us/submissions/Email.csv';
    await first
      .client('uploader')
      .send(
        new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: readFileSync('fixtures/files/Email.csv') }),
      );
    const [submission] = await first.submissionsOf(key);
    const index = indexOf(submission!, 'Email export');
    const { key: exportKey } = submission!.deliveries![index]!;
    await first.client('admin').send(new DeleteObjectCommand({ Bucket: 'acme-exports', Key: exportKey }));
    await first.stop({ keepData: true });

    // As a SIGKILL mid-write would leave it: the delivery recorded as writing, the object not there.
    // (Opening the store folds its log of changes into state.json, which is then edited.)
    (await openSubmissionStore(join(first.dataDirectory, 'engine'), () => '')).close();
    const statePath = join(first.dataDirectory, 'engine', 'state.json');
    const state = JSON.parse(await readFile(statePath, 'utf8'));
    Object.assign(state.submissions[submission!.id].deliveries[index], { status: 'writing', bytes: null, etag: null });
    await writeFile(statePath, JSON.stringify(state));

    const second = await startTestHarness(workspace, { now: () => CLOCK, dataDirectory: first.dataDirectory });
    try {
      await second.engine.idle();
      const delivery = second.engine.store.submission(submission!.id)!.deliveries![index]!;
      expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, key: exportKey });
      const head = await second.client('admin').send(new HeadObjectCommand({ Bucket: 'acme-exports', Key: exportKey }));
      expect(head.ContentLength).toBe(delivery.bytes);
      expect(second.logs).toContain(
        `[delivery] finishing a delivery interrupted by the last stop: Email export: submission ${submission!.id}`,
      );
      // Only the interrupted one ran again.
      expect(second.logs.filter((l) => l.startsWith('[delivery]') && l.includes(' -> s3://'))).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
