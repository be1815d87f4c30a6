/**
 * The web UI in a real browser: playwright-core driving Debian's Chromium (`/usr/bin/chromium`,
 * headless), against the real harness. Screenshots of the main pages go to test-results/screenshots/
 * (not committed). Skipped, loudly, where Chromium is missing; `.ci/run` installs it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { closeSession, hasChromium, openSession, saveScreenshot } from '../helpers/browser.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';

const shot = saveScreenshot;

describe.skipIf(!hasChromium)('the web UI in Chromium', () => {
  let h: TestHarness;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => saveScreenshot(page, name);

  beforeAll(async () => ({ h, browser, page } = await openSession(() => startTestHarness())), 60_000);
  afterAll(() => closeSession({ h, browser }));

  it('uploads a valid file as a user from the S3 browser, and its submission appears without a reload', async () => {
    await page.goto(`${h.apiUrl}/submissions`);
    await expect.poll(() => page.locator('#submission-rows').textContent()).toContain('No submissions yet');
    const submissions = page;
    const upload = await browser.newPage();
    await upload.goto(`${h.apiUrl}/s3/acme-claravine?prefix=us/submissions/`);
    await upload.getByLabel('As user').selectOption('uploader');
    await upload.getByLabel('Key').fill('us/submissions/Email.csv');
    await upload.getByLabel('File').setInputFiles('fixtures/files/Email.csv');
    await upload.getByRole('button', { name: 'Upload' }).click();
    await expect
      .poll(() => upload.locator('#upload-result').textContent())
      .toContain('Uploaded s3://acme-claravine/us/submissions/Email.csv as uploader');
    await upload.close();
    // The list polls: the row appears in the page opened before the upload.
    const row = submissions.locator('#submission-rows tr', { hasText: 'Email.csv' });
    await row.waitFor({ timeout: 10_000 });
    await expect.poll(() => row.textContent()).toContain('complete');
    await shot('submissions');
  });

  it("shows a denied upload with AWS's error and the statement that decided", async () => {
    await page.goto(`${h.apiUrl}/s3`);
    await page.getByLabel('As user').selectOption('uploader');
    await page.getByLabel('Bucket').selectOption('acme-exports');
    await page.getByLabel('Key').fill('sneaky.csv');
    await page.getByLabel('File').setInputFiles('fixtures/files/Email.csv');
    await page.getByRole('button', { name: 'Upload' }).click();
    const alert = page.locator('#upload-result [role="alert"]');
    await alert.waitFor();
    // Without the SSE box the bucket policy's explicit deny decides (the uploader has no grant there either).
    expect(await alert.textContent()).toMatch(
      /AccessDenied: User: arn:aws:iam::123456789012:user\/uploader is not authorized to perform: s3:PutObject[\s\S]*Why: Explicitly denied: statement 0 \(Sid "RequireSSE"\) of the bucket policy of acme-exports/,
    );
    await shot('s3-browser');
  });

  it("shows a bad file's failing cells in red with their messages", async () => {
    await h.client('uploader').send(
      new PutObjectCommand({
        Bucket: 'acme-claravine',
        Key: 'us/submissions/Email-bad.csv',
        Body: readFileSync('fixtures/files/Email-bad.csv'),
      }),
    );
    const [submission] = await h.submissionsOf('us/submissions/Email-bad.csv');
    await page.goto(`${h.apiUrl}/submissions/${submission!.id}`);
    const bad = page.locator('td.bad');
    expect(await bad.count()).toBeGreaterThan(0);
    const france = page.locator('td.bad', { hasText: 'France' });
    expect(await france.textContent()).toContain('"France" is not a child of "Region" = "AMER"');
    // Runs in the page (the project's TypeScript has no DOM types).
    const colourOf = (td: unknown) =>
      (globalThis as unknown as { getComputedStyle(element: unknown): { color: string } }).getComputedStyle(td).color;
    expect(await france.evaluate(colourOf)).toBe('rgb(179, 38, 30)');
    await shot('submission-failed');
  });

  it('renders a <script> cell as text', async () => {
    const csv =
      'Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\r\n<script>window.pwned=1</script>,Email,,EMEA,France,2026-03-01,\r\n';
    await h
      .client('uploader')
      .send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email-script.csv', Body: csv }));
    const [submission] = await h.submissionsOf('us/submissions/Email-script.csv');
    await page.goto(`${h.apiUrl}/submissions/${submission!.id}`);
    const cell = page.locator('td.bad', { hasText: '<script>' });
    expect(await cell.textContent()).toContain('<script>window.pwned=1</script>');
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('td script').count()).toBe(0);
  });

  it('retries a failed delivery from the submission page', async () => {
    await h.client('admin').send(
      new PutObjectCommand({
        Bucket: 'acme-claravine',
        Key: 'us/submissions/Email-retry.csv',
        Body: readFileSync('fixtures/files/Email.csv'),
      }),
    );
    const [submission] = await h.submissionsOf('us/submissions/Email-retry.csv');
    expect(submission!.deliveries![0]!.status).toBe('delivered');
    // Fail it on purpose: the page's Retry button must show the new attempt.
    await h.engine.store.setDelivery(submission!.id, 0, {
      ...submission!.deliveries![0]!,
      status: 'failed',
      error: { code: 'AccessDenied', message: 'denied for the test' },
    });
    await page.goto(`${h.apiUrl}/submissions/${submission!.id}`);
    await page.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => page.locator('#deliveries').textContent()).toMatch(/delivered[\s\S]*2/);
    await shot('submission-delivered');
  });

  it("shows the preflight on the accounts page and the simulator's decision on the IAM page", async () => {
    await page.goto(`${h.apiUrl}/accounts`);
    expect(await page.locator('main').textContent()).toContain('1 of 3 needed actions are denied');
    expect(await page.locator('main').textContent()).not.toContain('demoPlatformSecretKey');
    await shot('accounts');
    await page.goto(`${h.apiUrl}/iam`);
    await page.getByLabel('User').selectOption('claravine');
    await page.getByLabel('Action').fill('s3:GetObject');
    await page.getByLabel('Resource').fill('arn:aws:s3:::acme-claravine/us/social/a.csv');
    await page.getByRole('button', { name: 'Decide' }).click();
    await expect.poll(() => page.locator('#decision').textContent()).toContain('ImplicitDeny');
    await shot('iam');
    await page.goto(`${h.apiUrl}/templates`);
    await shot('templates');
    await page.goto(`${h.apiUrl}/scenarios`);
    await shot('scenarios');
  });

  it("copies an account's least-privilege policy to the clipboard with its button", async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.apiUrl });
    const policyPage = await context.newPage();
    try {
      await policyPage.goto(`${h.apiUrl}/accounts/acme-custom-policy/policy`);
      const shown = await policyPage.locator('#policy-0').textContent();
      await policyPage.getByRole('button', { name: 'Copy the policy' }).click();
      // The button says so once the clipboard has it (its name changes: found by its new one).
      await policyPage.getByRole('button', { name: 'Copied' }).waitFor({ timeout: 5_000 });
      const copied = (await policyPage.evaluate('navigator.clipboard.readText()')) as string;
      expect(copied).toBe(shown);
      expect(JSON.parse(copied).Statement[0]).toMatchObject({ Action: 's3:GetObject' });
    } finally {
      await context.close();
    }
  });
});

describe.skipIf(!hasChromium)('Step 3 Connect in Chromium', () => {
  let h: TestHarness;
  let browser: Browser;
  let page: Page;

  beforeAll(
    async () =>
      ({ h, browser, page } = await openSession(() => {
        // The demo plus an account with the intern's keys: it may read its home folder but not list buckets.
        const source = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')) as { accounts: object[] };
        source.accounts.push({
          name: 'acme-intern',
          description: 'Reads home/intern/ only',
          accessKeyId: 'AKIADEMOINTERN000001',
        });
        const parsed = parseWorkspace(source);
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
        return startTestHarness(parsed.value, { source: source as unknown as Record<string, unknown> });
      })),
    60_000,
  );
  afterAll(() => closeSession({ h, browser }));

  it('adds an inbound integration whose account cannot list buckets: the warning, Manual Bucket Entry, and an import', async () => {
    await page.goto(`${h.apiUrl}/templates`);
    await page.getByRole('link', { name: 'Add an inbound integration' }).nth(1).click(); // Social
    await page.getByLabel('Name').fill('Intern notes');
    await page.getByLabel('Account').selectOption('acme-intern');
    const warning = page.locator('#bucket-field [role="alert"]');
    await warning.waitFor();
    expect(await warning.textContent()).toContain('Permission warning: account "acme-intern" cannot list its buckets');
    expect(await page.locator('#bucket-field select[name="bucket"]').count()).toBe(0);
    await shot(page, 'connect-permission-warning');
    await page.getByLabel('Manual Bucket Entry').check();
    await page.getByLabel('Bucket name').fill('acme-claravine');
    await page.getByLabel('File prefix').fill('home/intern/');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${h.apiUrl}/templates`);
    expect(await page.locator('li', { hasText: 'Intern notes' }).textContent()).toContain('Manual Bucket Entry');
    expect(await page.locator('li', { hasText: 'Intern notes' }).locator('.badge').textContent()).toBe('active');

    await h.client('intern').send(
      new PutObjectCommand({
        Bucket: 'acme-claravine',
        Key: 'home/intern/posts.csv',
        Body: 'Post Name,Network\r\nHello,LinkedIn\r\n',
      }),
    );
    const [submission] = await h.submissionsOf('home/intern/posts.csv');
    expect(submission).toMatchObject({ template: 'Social', integration: 'Intern notes', status: 'complete' });
    // Saved in the data folder, to be used at the next start.
    const saved = JSON.parse(readFileSync(`${h.dataDirectory}/workspace.json`, 'utf8')) as {
      templates: { name: string; inbound: { name?: string; bucketMode?: string }[] }[];
    };
    expect(saved.templates.find((t) => t.name === 'Social')!.inbound[1]).toMatchObject({
      name: 'Intern notes',
      bucketMode: 'manual',
      bucket: 'acme-claravine',
    });
  });

  it('previews an outbound file as the filename is typed', async () => {
    await page.goto(`${h.apiUrl}/templates/Email/outbound/0`);
    const key = page.locator('#preview-key');
    await expect
      .poll(() => key.textContent())
      .toMatch(/^s3:\/\/acme-exports\/inbox_us_Email_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.csv$/);
    expect(await page.locator('#preview-lines').textContent()).toContain('CAMPAIGN;TRACKING CODE;BY;NOTES');
    await page.getByLabel('Filename', { exact: true }).fill('weekly/{{template_name}}');
    await expect.poll(() => key.textContent()).toBe('s3://acme-exports/weekly_Email.csv');
    await page.getByLabel('File type').selectOption('json');
    await expect.poll(() => key.textContent()).toBe('s3://acme-exports/weekly_Email.json');
    expect(await page.locator('#preview-lines').textContent()).toContain('"summary"');
    expect(await page.locator('#preview-lines').textContent()).toContain('"TRACKING CODE"');
    // The column picker: leave a column out and the preview follows.
    await page.getByLabel('Include Tracking Code').uncheck();
    await expect.poll(() => page.locator('#preview-lines').textContent()).not.toContain('TRACKING CODE');
    await shot(page, 'connect-outbound-preview');
  });
});

describe.skipIf(!hasChromium)('a new user\'s walk-through in Chromium (the issue\'s "done when")', () => {
  let h: TestHarness;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => ({ h, browser, page } = await openSession(() => startTestHarness())), 60_000);
  afterAll(() => closeSession({ h, browser }));

  const drop = async (key: string) => {
    await page.goto(`${h.apiUrl}/`);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'S3 browser' }).click();
    await page.getByRole('link', { name: 's3://acme-claravine/us/submissions/Email.csv' }).click();
    await page.getByLabel('As user').selectOption('uploader');
    await page.getByLabel('Key').fill(key);
    await page.getByLabel('File').setInputFiles('fixtures/files/Email.csv');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('#upload-result', { hasText: 'Uploaded' }).waitFor();
    await nav.getByRole('link', { name: 'Submissions' }).click();
    await page.locator('#submission-rows a', { hasText: key.split('/').pop()! }).click();
  };

  it('drops the demo file, sees the submission and its export, breaks a policy and sees why the next drop fails', async () => {
    await drop('us/submissions/Email.csv');
    await expect.poll(() => page.locator('dl').textContent()).toContain('complete');
    const exported = page.locator('#deliveries a', { hasText: 's3://acme-exports/inbox_us_Email_' });
    await exported.click();
    expect(await page.locator('main').textContent()).toContain('AES256');
    expect(await page.locator('table.rows').textContent()).toContain('Spring Sale');

    // Break the platform's policy: take s3:GetObject away, as a customer might.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'IAM' }).click();
    await page.getByRole('link', { name: 'Edit' }).nth(2).click(); // platform's policy
    const textarea = page.getByLabel('Policy (JSON)');
    await textarea.fill((await textarea.inputValue()).replace('"s3:GetObject",', ''));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(`${h.apiUrl}/iam`);

    await drop('us/submissions/Email-after.csv');
    const alert = page.locator('[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /AccessDenied[\s\S]*Why: Implicitly denied\. No statement of identity policy 0 of user platform allows s3:GetObject/,
    );
    await shot(page, 'walk-through-broken-policy');
  });
});

describe.skipIf(!hasChromium)('another site open in the same browser', () => {
  let h: TestHarness;
  let browser: Browser;
  let page: Page;
  let attacker: Server;
  let attackerUrl: string;

  beforeAll(async () => {
    ({ h, browser, page } = await openSession(() => startTestHarness()));
    // A second origin, served by the test: its page tries what the security review found possible.
    const evil = `<!doctype html><html><body>
<form id="grant" method="post" action="${h.apiUrl}/iam/users/uploader/policies/0">
  <input name="policy" value='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'>
</form>
<script>
  fetch('${h.apiUrl}/accounts', { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ name: 'evil', accessKeyId: 'AKIADEMOADMIN0000001', secretAccessKey: 'x' }) })
    .finally(() => document.getElementById('grant').submit());
</script></body></html>`;
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(evil));
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => attacker?.close(resolve));
    await closeSession({ h, browser });
  });

  it("cannot change the harness through the operator's browser: its form and its fetch are refused", async () => {
    const before = JSON.stringify(h.editor.json());
    await page.goto(attackerUrl);
    await page.waitForURL(`${h.apiUrl}/iam/users/uploader/policies/0`);
    // Another port of the same machine is another origin of the same site: refused all the same.
    expect(await page.locator('body').textContent()).toContain(
      'cross-site request refused (Sec-Fetch-Site: same-site)',
    );
    expect(JSON.stringify(h.editor.json())).toBe(before);
    expect(JSON.stringify(h.workspace.iam.users.find((u) => u.name === 'uploader')!.policies)).not.toContain('"s3:*"');
  });
});
