/**
 * Every web UI route, in-process with `request()`, against a real harness (gateway, engine,
 * s3rver). What a person sees is checked in Chromium in test/browser/.
 */
import { readFileSync } from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../core/submissions/index.ts';
import { runScenarios } from '../../emulator/scenarios/run-all.ts';
import { createWebApp } from '../../emulator/web.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { IN_PROCESS_GUARD, ownPageRequest } from '../helpers/web.ts';

let h: TestHarness;
let app: Hono;
let request: ReturnType<typeof ownPageRequest>;
let good: Submission;
let bad: Submission;
beforeAll(async () => {
  h = await startTestHarness();
  app = createWebApp({
    workspace: h.workspace,
    engine: h.engine,
    gateway: h.gateway,
    endpoint: h.endpoint,
    editor: h.editor,
    activity: h.activity,
    guard: IN_PROCESS_GUARD,
    runScenarios: (files) => runScenarios(files),
  });
  request = ownPageRequest(app);
  await h.client('uploader').send(
    new PutObjectCommand({
      Bucket: 'acme-claravine',
      Key: 'us/submissions/Email.csv',
      Body: readFileSync('fixtures/files/Email.csv'),
    }),
  );
  await h.client('uploader').send(
    new PutObjectCommand({
      Bucket: 'acme-claravine',
      Key: 'us/submissions/Email-bad.csv',
      Body: readFileSync('fixtures/files/Email-bad.csv'),
    }),
  );
  good = (await h.submissionsOf('us/submissions/Email.csv'))[0]!;
  bad = (await h.submissionsOf('us/submissions/Email-bad.csv'))[0]!;
});
afterAll(() => h.stop());

const get = async (path: string) => {
  const response = await request(path);
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() };
};

function form(fields: Record<string, string | Blob>, htmx = true): RequestInit {
  const body = new FormData();
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return { method: 'POST', body, headers: htmx ? { 'HX-Request': 'true' } : {} };
}

describe('the web UI', () => {
  it('serves its assets, starts at the submissions, and answers 404 as a page (and as JSON under /api)', async () => {
    expect((await request('/')).headers.get('location')).toBe('/submissions');
    const htmx = await get('/assets/htmx.js');
    expect([htmx.status, htmx.type]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(htmx.text).toContain('4.0.1');
    expect((await get('/assets/app.css')).text).toContain('td.bad');
    expect((await get('/assets/nope.js')).status).toBe(404);
    // Names are data: Object's own keys are files that do not exist (they answered 500).
    expect((await get('/assets/constructor')).status).toBe(404);
    expect((await get('/assets/__proto__')).status).toBe(404);
    const missing = await get('/nowhere');
    expect([missing.status, missing.type]).toEqual([404, 'text/html; charset=UTF-8']);
    expect(missing.text).toContain('Nothing at /nowhere.');
    expect((await get('/api/nowhere')).text).toContain('"code":"NotFound"');
  });

  it('lists submissions newest first, filters by status, and serves the rows for the live update', async () => {
    const page = await get('/submissions');
    expect(page.text).toContain('<script src="/assets/htmx.js"></script>');
    expect(page.text).toContain('hx-get="/submissions/rows" hx-trigger="every 2s" hx-swap="innerMorph"');
    expect(page.text.indexOf('Email-bad.csv')).toBeLessThan(page.text.indexOf('>Email.csv<'));
    const failed = await get('/submissions?status=failed');
    expect(failed.text).toContain('Email-bad.csv');
    expect(failed.text).not.toContain('>Email.csv<');
    expect(failed.text).toContain('hx-get="/submissions/rows?status=failed"');
    const rows = await get('/submissions/rows?status=complete');
    expect(rows.text.startsWith('<tr>')).toBe(true);
    expect(rows.text).toContain(`/submissions/${good.id}`);
  });

  it('shows a submission: red cells with their messages, the valid rows, the deliveries', async () => {
    const page = await get(`/submissions/${bad.id}`);
    expect(page.text).toContain(
      '<td class="bad">France<small>&quot;France&quot; is not a child of &quot;Region&quot; = &quot;AMER&quot; (expected one of &quot;Canada&quot;, &quot;USA&quot;)</small></td>',
    );
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('Only complete submissions are delivered.');
    const complete = await get(`/submissions/${good.id}`);
    expect(complete.text).toContain('s3://acme-exports/inbox_us_Email_');
    expect(complete.text).toMatch(/<span class="badge delivered">delivered<\/span> <span class="muted">SSE-S3<\/span>/);
    expect((await get('/submissions/nope')).status).toBe(404);
  });

  it('retries a delivery and answers with the deliveries section, or the reason it cannot', async () => {
    const refused = await request(`/submissions/${good.id}/deliveries/0/retry`, { method: 'POST' });
    const text = await refused.text();
    expect(text).toContain('is delivered; only a failed delivery can be retried');
    expect(text).toContain('<section id="deliveries"');
  });

  it('browses buckets, folders and objects with SSE and uploader, previews CSV as a table, downloads', async () => {
    const buckets = await get('/s3');
    expect(buckets.text).toContain('href="/s3/acme-exports"');
    // Where a drop is imported, one click from a filled-in upload form.
    expect(buckets.text).toContain(
      'Email: <a href="/s3?bucket=acme-claravine&amp;key=us%2Fsubmissions%2FEmail.csv">s3://acme-claravine/us/submissions/Email.csv</a>',
    );
    expect((await get('/s3?bucket=acme-claravine&key=us/submissions/Email.csv')).text).toContain(
      '<input name="key" value="us/submissions/Email.csv"',
    );
    const folder = await get('/s3/acme-claravine?prefix=us/');
    expect(folder.text).toContain('href="/s3/acme-claravine?prefix=us%2Fsubmissions%2F"');
    const files = await get('/s3/acme-claravine?prefix=us/submissions/');
    expect(files.text).toMatch(
      /Email\.csv<\/a><\/td><td>235 B<\/td><td>[\d-]+ [\d:]+<\/td><td>none<\/td><td>uploader<\/td><td>taken by Email\/Email drop<\/td>/,
    );
    // A bucket no integration watches has no Import column.
    expect((await get('/s3/acme-exports')).text).not.toContain('<th>Import</th>');
    const exported = await get(`/s3/acme-exports/object?key=${encodeURIComponent(good.deliveries![0]!.key)}`);
    expect(exported.text).toContain('<dt>Encryption</dt><dd>AES256</dd>');
    const object = await get('/s3/acme-claravine/object?key=us/submissions/Email.csv');
    expect(object.text).toContain('<th>Campaign Name</th>');
    expect(object.text).toContain('<td>Back to School - Fall</td>');
    const download = await request('/s3/acme-claravine/download?key=us/submissions/Email.csv');
    expect(download.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''Email.csv");
    expect(Buffer.from(await download.arrayBuffer()).equals(readFileSync('fixtures/files/Email.csv'))).toBe(true);
    expect((await get('/s3/acme-claravine/object?key=nope')).status).toBe(404);
  });

  it('shows the activity timeline: escaped, filtered by user, bucket and outcome, a drop linked to its submission', async () => {
    await h
      .client('uploader')
      .send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/<b>nowhere</b>.csv', Body: 'x' }));
    const unmatched = async () => (await get('/activity?outcome=unmatched&bucket=acme-claravine')).text;
    await expect.poll(unmatched).toContain('us/&lt;b&gt;nowhere&lt;/b&gt;.csv');
    const text = await unmatched();
    expect(text).not.toContain('<b>nowhere');
    expect(text).toContain('no integration takes it: stored, and not imported');
    expect(text).not.toMatch(/class="activity (ok|imported|failed)"/);
    expect(text).toContain('<option value="unmatched" selected>');
    const imported = (await get('/activity?user=uploader&outcome=imported')).text;
    expect(imported).toContain(`<a href="/submissions/${good.id}">submission ${good.id}</a>`);
    expect((await get('/activity?user=nobody')).text).toContain('Nothing yet.');
    // An outcome it does not know filters nothing out, and is no error.
    expect((await get('/activity?outcome=bogus')).status).toBe(200);
  });

  it('uploads as the chosen user through the gateway: allowed, denied with the explanation, and without htmx a whole page', async () => {
    const file = new File(['Post Name,Network\r\nHi,LinkedIn\r\n'], 'posts.csv');
    const allowed = await (
      await request('/s3/upload', form({ user: 'uploader', bucket: 'acme-claravine', key: 'us/social/', file }))
    ).text();
    expect(allowed).toBe(
      '<p role="status">Uploaded <a href="/s3/acme-claravine/object?key=us%2Fsocial%2Fposts.csv">s3://acme-claravine/us/social/posts.csv</a> as uploader. <a href="/submissions">Submissions</a></p>',
    );
    const denied = await (
      await request('/s3/upload', form({ user: 'reader', bucket: 'acme-claravine', key: 'x.csv', file }))
    ).text();
    expect(denied).toContain(
      '<strong>AccessDenied</strong>: User: arn:aws:iam::123456789012:user/reader is not authorized to perform: s3:PutObject',
    );
    expect(denied).toContain('Why: Implicitly denied.');
    const whole = await (
      await request(
        '/s3/upload',
        form({ user: 'uploader', bucket: 'acme-claravine', key: 'us/social/b.csv', file }, false),
      )
    ).text();
    expect(whole).toMatch(/^<!doctype html>[\s\S]*Uploaded/);
    expect(
      await (await request('/s3/upload', form({ user: 'nobody', bucket: 'acme-claravine', key: 'k', file }))).text(),
    ).toContain('Choose a user of the workspace.');
  });

  it('shows templates with their fields and integrations, accounts with masked secrets and the preflight', async () => {
    const templates = await get('/templates');
    expect(templates.text).toContain('href="/api/templates/Email/template-file"');
    expect(templates.text).toContain('<td>Tracking Code</td><td>pattern</td><td>no (derived)</td>');
    const accounts = await get('/accounts');
    expect(accounts.text).toContain('<code>AKIADEMOPLATFORM0001</code></td><td>••••••••</td>');
    for (const user of h.workspace.iam.users) expect(accounts.text).not.toContain(user.secretAccessKey);
    expect(accounts.text).toContain('1 of 3 needed actions are denied.');
  });

  it("shows an account's least-privilege policy with a copy button, for the mode chosen; 404 for an unknown account", async () => {
    const accounts = await get('/accounts');
    expect(accounts.text).toContain('<a href="/accounts/acme-custom-policy/policy">Least-privilege policy</a>');
    const custom = await get('/accounts/acme-custom-policy/policy');
    expect(custom.status).toBe(200);
    expect(custom.text).toContain('&quot;Sid&quot;: &quot;ReadDroppedFilesSocial&quot;');
    expect(custom.text).toContain(`navigator.clipboard.writeText(document.getElementById('policy-0').textContent)`);
    expect(custom.text).toContain(
      '<td><code>ReadDroppedFilesSocial</code></td><td>Social/Social reads each dropped file<br></td>',
    );
    const list = await get('/accounts/acme-platform/policy?bucketMode=list&per=integration');
    expect(list.text).toContain('&quot;Sid&quot;: &quot;ListBucketsForTheBucketDropdown&quot;');
    expect(list.text).toContain('id="policy-1"');
    const unknown = await get('/accounts/nobody/policy');
    expect([unknown.status, unknown.text]).toEqual([
      404,
      expect.stringContaining('no account &quot;nobody&quot; in the workspace'),
    ]);

    const api = await request('/api/accounts/acme-custom-policy/policy');
    const body = (await api.json()) as { policies: { document: unknown; enough: boolean }[] };
    expect(body.policies.map((p) => [p.document, p.enough])).toEqual([
      [JSON.parse(readFileSync('fixtures/expected/policy/acme-custom-policy.json', 'utf8')), true],
    ]);
    expect((await request('/api/accounts/nobody/policy')).status).toBe(404);
    expect((await request('/api/accounts/acme-platform/policy?per=bucket')).status).toBe(400);
  });

  it('opens a policy for editing, and answers 404 for one that does not exist', async () => {
    expect((await get('/iam/users/uploader/policies/0')).text).toContain('&quot;Sid&quot;: &quot;DropFiles&quot;');
    expect((await get('/iam/users/uploader/policies/new')).text).toContain('NewStatement');
    expect((await get('/iam/users/nobody/policies/0')).status).toBe(404);
    expect((await get('/iam/users/uploader/policies/9')).status).toBe(404);
    expect((await get('/iam/buckets/acme-exports/policy')).text).toContain('&quot;Sid&quot;: &quot;RequireSSE&quot;');
    expect((await get('/iam/buckets/nope/policy')).status).toBe(404);
    expect(await (await request('/accounts/acme-platform/test', { method: 'POST' })).text()).toContain(
      'Connected: the keys work and list 2 bucket(s)',
    );
  });

  it('shows users and policies, never a secret, and simulates a decision', async () => {
    const iam = await get('/iam');
    for (const user of h.workspace.iam.users) expect(iam.text).not.toContain(user.secretAccessKey);
    expect(iam.text).toContain('&quot;Sid&quot;: &quot;RequireSSE&quot;');
    const decision = await (
      await request(
        '/iam/simulate',
        form({
          user: 'platform',
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::acme-claravine/us/a.csv',
          context: '',
        }),
      )
    ).text();
    expect(decision).toContain('<strong>Allow</strong>');
    expect(decision).toContain('Allowed by statement 1 (Sid &quot;ReadAndWrite&quot;)');
    const badContext = await (
      await request(
        '/iam/simulate',
        form({ user: 'platform', action: 's3:ListBucket', resource: 'arn:aws:s3:::acme-claravine', context: '{nope' }),
      )
    ).text();
    expect(badContext).toContain('The context must be a JSON object of strings such as');
  });

  it('lists the scenario files and runs one', async () => {
    const page = await get('/scenarios');
    expect(page.text).toContain('email-import-and-export.json');
    const run = await (await request('/scenarios/run', form({ file: 'email-import-and-export.json' }))).text();
    expect(run).toContain('1 passed, 0 failed');
    expect(run).toContain('✓ Email: a valid drop becomes a complete submission and an encrypted export');
  });

  it('serves Step 3 forms: the bucket dropdown or the permission warning, a refused save with the problems named, the workspace file', async () => {
    const listed = await get('/connect/bucket-field?account=acme-platform&bucketMode=list&bucket=acme-exports');
    expect(listed.text).toContain('<option selected>acme-exports</option>');
    const warned = await get('/connect/bucket-field?account=acme-custom-policy&bucketMode=list');
    expect(warned.text).toContain('Permission warning</strong>: account "acme-custom-policy" cannot list its buckets');
    expect(warned.text).toContain(
      'Why: Implicitly denied. No statement of identity policy 0 of user claravine allows s3:ListAllMyBuckets',
    );
    const manual = await get(
      '/connect/bucket-field?account=acme-custom-policy&bucketMode=manual&bucket=acme-claravine',
    );
    expect(manual.text).toContain('<input name="bucket" value="acme-claravine"');
    const edit = await get('/templates/Email/inbound/0');
    expect(edit.text).toContain('value="us/submissions/{{template_name}}"');
    // Every detection the workspace takes is offered, SQS with its queue URL; SQS needs a remote account.
    expect(edit.text).toMatch(/<select name="detection" >.*<option>sqs<\/option>/s);
    expect(edit.text).toContain('<input name="queueUrl" value=""');
    const sqsHere = await request(
      '/templates/Email/inbound/new',
      form(
        {
          account: 'acme-platform',
          bucketMode: 'manual',
          bucket: 'acme-claravine',
          prefix: 'sqs/',
          detection: 'sqs',
          queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/drops',
        },
        false,
      ),
    );
    expect(sqsHere.status).toBe(422);
    expect(await sqsHere.text()).toContain('&quot;detection&quot;: &quot;sqs&quot; needs a remote account');
    expect((await get('/templates/Nope/inbound/0')).status).toBe(404);
    expect((await get('/templates/Email/inbound/7')).status).toBe(404);
    // A change that would not validate is refused, named, and changes nothing.
    const refused = await request(
      '/templates/Email/outbound/new',
      form(
        { account: 'acme-platform', bucketMode: 'manual', bucket: 'acme-exports', filename: '/leading/slash' },
        false,
      ),
    );
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain(
      'templates[0].outbound[1]: &quot;filename&quot; must not start with &quot;/&quot;',
    );
    const saved = JSON.parse((await get('/workspace.json')).text) as { templates: { outbound?: unknown[] }[] };
    expect(saved.templates[0]!.outbound).toHaveLength(1);
    const preview = await (
      await request(
        '/templates/Email/outbound/0/preview',
        form({
          account: 'acme-platform',
          bucketMode: 'manual',
          bucket: 'acme-exports',
          filename: 'x/{{submitted_by}}',
          fileType: 'csv',
        }),
      )
    ).text();
    expect(preview).toContain('<code id="preview-key">s3://acme-exports/x_Sample User.csv</code>');
    // The column picker: include, label and order each field and meta field.
    const picked = await (
      await request(
        '/templates/Email/outbound/0/preview',
        form({
          account: 'acme-platform',
          bucketMode: 'manual',
          bucket: 'acme-exports',
          filename: 'x',
          columnsMode: 'custom',
          col_0_source: 'field:Campaign Name',
          col_0_include: 'on',
          col_0_label: 'campaign',
          col_0_order: '2',
          col_1_source: 'field:Channel',
          col_1_order: '3',
          col_2_source: 'meta:Submitter Email',
          col_2_include: 'on',
          col_2_order: '1',
        }),
      )
    ).text();
    expect(picked).toContain(
      '<pre id="preview-lines">Submitter Email,campaign\nsample@example.com,&lt;Campaign Name&gt;</pre>',
    );
    const none = await (
      await request(
        '/templates/Email/outbound/0/preview',
        form({
          account: 'acme-platform',
          bucketMode: 'manual',
          bucket: 'acme-exports',
          columnsMode: 'custom',
          col_0_source: 'field:Channel',
        }),
      )
    ).text();
    expect(none).toContain('a custom column list needs at least one column');
    const editing = await get('/templates/Email/outbound/0');
    expect(editing.text).toContain(
      '<input type="checkbox" name="col_0_include" aria-label="Include Campaign Name" checked>',
    );
    expect(editing.text).toContain('name="col_0_label" value="campaign"');
  });
});
