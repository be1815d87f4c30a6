import { readFileSync } from 'node:fs';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRow, Submission } from '../../core/submissions/index.ts';
import { createApiApp } from '../../emulator/api/app.ts';
import { wholeDataset } from '../helpers/dataset.ts';
import type { ObjectEvent } from '../../emulator/gateway/index.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { hasCommand, run, warnSkipped } from '../helpers/system-tools.ts';

const hasAws = hasCommand('aws');
if (!hasAws) warnSkipped('the aws cli', 'apt-get install awscli');

let h: TestHarness;
beforeAll(async () => {
  h = await startTestHarness();
});
afterAll(() => h.stop());

const HEADER = 'Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags';
const drop = (key: string, body: string | Uint8Array, user = 'uploader') =>
  h.client(user).send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: body }));

describe('inbound import through the gateway', () => {
  it('turns a file dropped with the SDK into a complete submission, with derived values in the dataset', async () => {
    await drop('us/submissions/Email_sdk.csv', readFileSync('fixtures/files/Email.csv'));
    const [submission] = await h.submissionsOf('us/submissions/Email_sdk.csv');
    expect(submission).toMatchObject({
      template: 'Email',
      integration: 'Email drop',
      name: 'Email_sdk.csv',
      status: 'complete',
      source: {
        bucket: 'acme-claravine',
        key: 'us/submissions/Email_sdk.csv',
        size: readFileSync('fixtures/files/Email.csv').length,
        uploadedBy: 'uploader',
      },
      submittedBy: 'Uma Loader',
      submittedByEmail: 'uma@example.com',
      counts: { rows: 3, accepted: 3, rejected: 0 },
      issues: [],
    });
    const dataset = await h.api<DatasetRow[]>('/api/templates/Email/dataset');
    const spring = dataset.find((r) => r.values['Campaign Name'] === 'Spring Sale')!;
    expect(spring.values).toMatchObject({ 'Channel Code': 'EM', 'Launch Date': '2026-03-01', Source: 'US' });
    expect(spring.values['Tracking Code']).toMatch(/^EM-\d{8}-\d{5}$/);
    // Recorded by the engine, the drop's event is no longer kept by the gateway (docs/durability.md).
    await h.engine.idle();
    const pending = await h.gateway.pendingEvents();
    expect(pending.events.filter((e) => e.key === 'us/submissions/Email_sdk.csv')).toEqual([]);
  });

  it('reads an LF header with CRLF rows, and a CRLF header with LF rows, as the same rows: no CR stored or exported', async () => {
    const rows = [
      'Mixed One,Email,,EMEA,Spain,01/02/2026,brand',
      'Mixed Two,Social,,AMER,USA,2026-02-03,promo|retention',
    ];
    await drop('us/submissions/Email_lf_crlf.csv', `${HEADER}\n${rows.map((r) => `${r}\r\n`).join('')}`);
    await drop('us/submissions/Email_crlf_lf.csv', `${HEADER}\r\n${rows.map((r) => `${r}\n`).join('')}`);
    for (const key of ['us/submissions/Email_lf_crlf.csv', 'us/submissions/Email_crlf_lf.csv']) {
      const [submission] = await h.submissionsOf(key);
      expect([submission!.status, submission!.counts], key).toEqual([
        'complete',
        { rows: 2, accepted: 2, rejected: 0 },
      ]);
    }
    const dataset = await h.api<DatasetRow[]>('/api/templates/Email/dataset');
    const mixed = dataset.filter((r) => r.values['Campaign Name']!.startsWith('Mixed '));
    expect(mixed.map((r) => r.values.Tags)).toEqual(expect.arrayContaining(['brand', 'promo|retention']));
    expect(JSON.stringify(mixed)).not.toContain('\\r');
  });

  it('lists submissions newest first a page at a time: limit, before, and the next page named in the headers', async () => {
    await drop('us/submissions/Email_page.csv', readFileSync('fixtures/files/Email.csv'));
    await h.submissionsOf('us/submissions/Email_page.csv');
    const all = await h.api<Submission[]>('/api/submissions');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const paged: Submission[] = [];
    let url: string | undefined = '/api/submissions?limit=1';
    while (url) {
      const response: Response = await fetch(`${h.apiUrl}${url}`);
      const page = (await response.json()) as Submission[];
      expect(page.length).toBeLessThanOrEqual(1);
      paged.push(...page);
      const next = response.headers.get('x-s3-harness-next');
      url = next ? /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '')![1] : undefined;
      if (next) expect(url).toBe(`/api/submissions?limit=1&before=${encodeURIComponent(next)}`);
    }
    expect(paged.map((s) => s.id)).toEqual(all.map((s) => s.id));
    expect(all.map((s) => s.createdAt)).toEqual([...all.map((s) => s.createdAt)].sort().reverse());
    for (const bad of ['0', '1001', 'x', '-1'])
      expect((await fetch(`${h.apiUrl}/api/submissions?limit=${bad}`)).status, bad).toBe(400);
    expect((await fetch(`${h.apiUrl}/api/submissions?before=nope`)).status).toBe(404);
  });

  it.skipIf(!hasAws)('imports a file dropped with the aws cli', async () => {
    const user = h.workspace.iam.users.find((u) => u.name === 'uploader')!;
    const result = await run(
      'aws',
      [
        '--endpoint-url',
        h.endpoint,
        's3',
        'cp',
        '--only-show-errors',
        'fixtures/files/Email.csv',
        's3://acme-claravine/us/submissions/Email_cli.csv',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: h.dataDirectory,
          AWS_ACCESS_KEY_ID: user.accessKeyId,
          AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    expect(result.status).toBe(0);
    const [submission] = await h.submissionsOf('us/submissions/Email_cli.csv');
    expect([submission!.status, submission!.counts.accepted, submission!.source.uploadedBy]).toEqual([
      'complete',
      3,
      'uploader',
    ]);
  });

  it('fails a file with bad rows, naming row, column and rule, and leaves the dataset alone', async () => {
    const before = (await h.api<DatasetRow[]>('/api/templates/Email/dataset')).length;
    await drop('us/submissions/Email_bad.csv', readFileSync('fixtures/files/Email-bad.csv'));
    const [submission] = await h.submissionsOf('us/submissions/Email_bad.csv');
    expect(submission!.status).toBe('failed');
    expect(submission!.counts).toEqual({ rows: 3, accepted: 1, rejected: 2 });
    expect(submission!.issues).toContainEqual({
      row: 3,
      column: 'Country',
      value: 'France',
      rule: 'drilldown',
      message: '"France" is not a child of "Region" = "AMER" (expected one of "Canada", "USA")',
    });
    expect((await h.api<DatasetRow[]>('/api/templates/Email/dataset')).length).toBe(before);
    expect(
      h.logs.some((l) =>
        l.startsWith('[import failed] Email/Email drop: s3://acme-claravine/us/submissions/Email_bad.csv'),
      ),
    ).toBe(true);
  });

  it("fails the import with AccessDenied on GetObject under the article's custom policy, and says why", async () => {
    await drop('us/social/post.csv', 'Post Name,Network\r\nHello,LinkedIn\r\n');
    const [submission] = await h.submissionsOf('us/social/post.csv');
    expect(submission!.status).toBe('failed');
    expect(submission!.error).toMatchObject({
      code: 'AccessDenied',
      status: 403,
      message:
        'User: arn:aws:iam::123456789012:user/claravine is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::acme-claravine/us/social/post.csv" because no identity-based policy allows the s3:GetObject action',
    });
    expect(submission!.error!.explanation).toContain(
      'No statement of identity policy 0 of user claravine allows s3:GetObject',
    );
    expect(submission!.issues[0]).toMatchObject({ rule: 'access' });
  });

  it('accepts a byte-order mark and refuses a Latin-1 file with its byte offset', async () => {
    await drop('us/submissions/Email_bom.csv', `\uFEFF${HEADER}\r\nSpring BOM,Email,,EMEA,Spain,,\r\n`);
    expect((await h.submissionsOf('us/submissions/Email_bom.csv'))[0]!.status).toBe('complete');
    await drop(
      'us/submissions/Email_latin1.csv',
      Buffer.from(`${HEADER}\r\nCaf\u00e9 promo,Email,,EMEA,Spain,,\r\n`, 'latin1'),
    );
    const [latin1] = await h.submissionsOf('us/submissions/Email_latin1.csv');
    expect(latin1!.status).toBe('failed');
    expect(latin1!.issues).toEqual([
      {
        rule: 'encoding',
        message: `the file is not valid UTF-8: byte offset ${HEADER.length + 5} (0xE9); save the file as "CSV UTF-8"`,
      },
    ]);
  });

  it('fails a file of 50,001 rows on the row limit', async () => {
    const rows = Array.from({ length: 50_001 }, (_, i) => `Campaign ${i},Email,,EMEA,Spain,,`).join('\r\n');
    await drop('us/submissions/Email_big.csv', `${HEADER}\r\n${rows}\r\n`);
    const [submission] = await h.submissionsOf('us/submissions/Email_big.csv');
    expect([submission!.status, submission!.issues]).toEqual([
      'failed',
      [{ rule: 'rowLimit', message: 'the file has more than 50,000 rows, the limit of a template file' }],
    ]);
  });

  it('imports a file uploaded in parts (the aws cli does so above 8 MB)', async () => {
    // Every part but the last must have 5 MiB: more rows than the default limit allows.
    const own = await startTestHarness(undefined, { rowLimit: 150_000 });
    const rows = Array.from(
      { length: 100_000 },
      (_, i) => `Multipart campaign number ${i},Email,,EMEA,Spain,01/02/2026,brand|promo`,
    ).join('\r\n');
    const body = Buffer.from(`${HEADER}\r\n${rows}\r\n`);
    const key = 'us/submissions/Email_parts.csv';
    const client = own.client('uploader');
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: 'acme-claravine', Key: key }));
    const cut = 5 * 1024 * 1024;
    const parts = [];
    for (const [i, part] of [body.subarray(0, cut), body.subarray(cut)].entries()) {
      const { ETag } = await client.send(
        new UploadPartCommand({ Bucket: 'acme-claravine', Key: key, UploadId, PartNumber: i + 1, Body: part }),
      );
      parts.push({ PartNumber: i + 1, ETag });
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'acme-claravine',
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    try {
      const [submission] = await own.submissionsOf(key);
      expect([submission!.status, submission!.counts.accepted, submission!.source.size]).toEqual([
        'complete',
        100_000,
        body.length,
      ]);
    } finally {
      await own.stop();
    }
  });

  it('imports each write once: A, B and A again are three submissions; the same write heard twice is one', async () => {
    const key = 'us/submissions/Email_twice.csv';
    const a = `${HEADER}\r\nTwice Dropped,Email,,EMEA,Spain,,\r\n`;
    const b = `${a}Twice Changed,Social,,EMEA,Spain,,\r\n`;
    const heard: ObjectEvent[] = [];
    const listen = (event: ObjectEvent) => event.key === key && heard.push(event);
    h.gateway.events.on('objectCreated', listen);
    for (const body of [a, b, a]) {
      await drop(key, body);
      await h.engine.idle();
    }
    h.gateway.events.off('objectCreated', listen);
    const all = await h.submissionsOf(key);
    expect(all.map((s) => s.counts.rows)).toEqual([1, 2, 1]);
    // An event delivered again (as S3 may, and as a restart replays them) is the same write: skipped, and said so.
    h.engine.noticeCreated(heard[0]!);
    await h.engine.idle();
    expect(await h.submissionsOf(key)).toHaveLength(3);
    expect(h.logs.at(-1)).toBe(
      `[import] Email/Email drop: s3://acme-claravine/${key}: the same write heard again, imported as submission ${all[0]!.id}: skipped; to import it again: s3-harness reimport ${all[0]!.id}`,
    );
  });

  it('updates dataset rows whose update keys match, and adds the others', async () => {
    await drop('us/submissions/Email_keys1.csv', `${HEADER}\r\nKeyed Campaign,Email,,EMEA,Spain,,\r\n`);
    await h.submissionsOf('us/submissions/Email_keys1.csv');
    await drop(
      'us/submissions/Email_keys2.csv',
      `${HEADER}\r\nKeyed Campaign,Social,,AMER,USA,,\r\nKeyed campaign,Email,,EMEA,Spain,,\r\n`,
    );
    const [second] = await h.submissionsOf('us/submissions/Email_keys2.csv');
    const rows = (await h.api<DatasetRow[]>('/api/templates/Email/dataset')).filter(
      (r) => r.values['Campaign Name']!.toLowerCase() === 'keyed campaign',
    );
    expect(rows.map((r) => [r.values['Campaign Name'], r.values.Channel, r.submission])).toEqual([
      ['Keyed Campaign', 'Social', second!.id],
      ['Keyed campaign', 'Email', second!.id],
    ]);
    expect(rows[0]!.createdAt < rows[0]!.updatedAt).toBe(true);
  });
});

describe('the JSON API', () => {
  it('pages a dataset in its order (limit, after, Link), the pages joined being the whole dataset', async () => {
    const whole: DatasetRow[] = [];
    for await (const row of h.engine.store.dataset('Email', h.workspace.templates[0]!.updateKeys)) whole.push(row);
    expect(whole.length).toBeGreaterThan(3);
    const first = await fetch(`${h.apiUrl}/api/templates/Email/dataset?limit=2`);
    expect(first.headers.get('link')).toBe(
      `</api/templates/Email/dataset?limit=2&after=${first.headers.get('x-s3-harness-next')}>; rel="next"`,
    );
    expect(await wholeDataset(h.apiUrl, 'Email', 2)).toEqual(whole);
    expect(await wholeDataset(h.apiUrl, 'Email')).toEqual(whole);
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'after=abc'])
      expect((await fetch(`${h.apiUrl}/api/templates/Email/dataset?${bad}`)).status, bad).toBe(400);
  });

  it('answers in-process (app.request) with JSON errors for unknown things', async () => {
    const app = createApiApp(h.workspace, h.engine);
    const missing = await app.request('/api/templates/Nope/dataset');
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: { code: 'NotFound', message: 'no template "Nope"' } },
    ]);
    const route = await app.request('/api/nothing');
    expect(route.status).toBe(404);
    const filter = await app.request('/api/submissions?status=ok');
    expect([filter.status, ((await filter.json()) as { error: { message: string } }).error.message]).toEqual([
      400,
      'status must be one of complete, failed, pending, got "ok"',
    ]);
    const templates = (await (await app.request('/api/templates')).json()) as {
      name: string;
      inbound: string[];
      templateFileColumns: string[];
    }[];
    expect(templates[1]).toMatchObject({
      name: 'Social',
      inbound: ['Social'],
      templateFileColumns: ['Post Name', 'Network'],
    });
  });

  it('lists submissions newest first, filters them, and serves one by id', async () => {
    const all = await h.api<Submission[]>('/api/submissions');
    expect(all.length).toBeGreaterThan(3);
    expect([...all].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).map((s) => s.createdAt)).toEqual(
      all.map((s) => s.createdAt),
    );
    const failed = await h.api<Submission[]>('/api/submissions?template=Email&status=failed');
    expect(failed.every((s) => s.template === 'Email' && s.status === 'failed')).toBe(true);
    expect(await h.api<Submission>(`/api/submissions/${all[0]!.id}`)).toEqual(all[0]);
    const bad = await fetch(`${h.apiUrl}/api/submissions?status=done`);
    expect(bad.status).toBe(400);
  });

  it('serves templates, the template file and integrations', async () => {
    const templates = await h.api<{ name: string; templateFileColumns: string[] }[]>('/api/templates');
    expect(templates.map((t) => t.name)).toEqual(['Email', 'Social']);
    expect(await (await fetch(`${h.apiUrl}/api/templates/Social/template-file`)).text()).toBe('Post Name,Network\r\n');
    const integrations = await h.api<{ id: string; direction: string; status: string }[]>('/api/integrations');
    expect(integrations.map((i) => [i.direction, i.id, i.status])).toEqual([
      ['inbound', 'Email/Email drop', 'active'],
      ['inbound', 'Social/Social', 'active'],
      ['outbound', 'Email/Email export', 'active'],
    ]);
    expect((await fetch(`${h.apiUrl}/api/submissions/nope`)).status).toBe(404);
  });
});
