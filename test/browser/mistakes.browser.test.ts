/**
 * The customer mistakes a Customer Success engineer meets before go-live, each made for real against
 * the harness and read where the engineer looks (the submission, the Activity timeline, the S3
 * browser) in Chromium: the cause must be there in words. A failing check saves the page's screenshot
 * to test-results/screenshots/mistake-<name>.png.
 */
import { readFileSync } from 'node:fs';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSession, hasChromium, openSession, saveScreenshot } from '../helpers/browser.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { expectS3Error } from '../helpers/stack.ts';

let h: TestHarness;
let browser: Browser;
let page: Page;

/** Runs a check of a page; where it fails, the page's screenshot is saved before the failure is reported. */
async function onPage(name: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    await saveScreenshot(page, `mistake-${name}`).catch(() => {});
    throw error;
  }
}

const drop = (user: string, key: string, file: string) =>
  h.client(user).send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: readFileSync(file) }));

/** The text of the Activity page's row that mentions `text`, once it is there (the page is opened anew). */
async function activityRow(query: string, text: string): Promise<string> {
  await page.goto(`${h.apiUrl}/activity?${query}`);
  const row = page.locator('#activity tr', { hasText: text }).first();
  await row.waitFor({ timeout: 10_000 });
  return (await row.textContent()) ?? '';
}

/** A submission's page: the engineer follows the link from the Submissions list. */
async function submissionPage(key: string): Promise<string> {
  const [submission] = await h.submissionsOf(key);
  await page.goto(`${h.apiUrl}/submissions/${submission!.id}`);
  return (await page.locator('main').textContent()) ?? '';
}

const signedWith = (accessKeyId: string, secretAccessKey: string) =>
  new S3Client({
    endpoint: h.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey },
  });

describe.skipIf(!hasChromium)('each customer mistake, told in words where the engineer looks (Chromium)', () => {
  beforeAll(async () => ({ h, browser, page } = await openSession(() => startTestHarness())), 60_000);
  afterAll(() => closeSession({ h, browser }));

  it('a wrong header: the submission lists the header problems, each with its fix', async () => {
    await drop('uploader', 'us/submissions/Email-badheader.csv', 'fixtures/files/Email-badheader.csv');
    await onPage('wrong-header', async () => {
      const text = await submissionPage('us/submissions/Email-badheader.csv');
      expect(text).toContain('Problems with the file');
      expect(text).toMatch(
        /Header \(row 1\): column "Campaign Name" is missing \(the file has "campaign name": names must match exactly\)/,
      );
      expect(text).toMatch(/Header \(row 1\): .*"Budget"/);
    });
  });

  it('a file delimited by semicolons: the submission says so and how to save it', async () => {
    await drop('uploader', 'us/submissions/Email-semicolons.csv', 'fixtures/files/Email-semicolons.csv');
    await onPage('semicolons', async () => {
      const text = await submissionPage('us/submissions/Email-semicolons.csv');
      expect(text).toMatch(/the file is delimited by semicolons \(";"\), not commas: .*save it as CSV with commas/);
    });
  });

  it('a file in the wrong folder: the S3 browser and the Activity page name the nearest integration and the folder', async () => {
    await drop('uploader', 'us/Email.csv', 'fixtures/files/Email.csv');
    await onPage('wrong-folder', async () => {
      await page.goto(`${h.apiUrl}/s3/acme-claravine?prefix=us/`);
      const row = page.locator('#objects tr', { hasText: 'Email.csv' });
      await row.waitFor();
      expect(await row.textContent()).toMatch(
        /no integration takes it; nearest Email\/Email drop: another folder: .* takes keys in "us\/submissions\/", this key is in "us\/"/,
      );
      expect(await activityRow('outcome=unmatched', 'us/Email.csv')).toMatch(
        /nearest: Email\/Email drop .*another folder/,
      );
    });
  });

  it('a file name in the wrong case: the Activity page says S3 prefixes are case-sensitive', async () => {
    await drop('uploader', 'us/submissions/email.csv', 'fixtures/files/Email.csv');
    await onPage('wrong-case', async () => {
      expect(await activityRow('user=uploader&outcome=unmatched', 'us/submissions/email.csv')).toMatch(
        /the case differs: .*takes keys starting "us\/submissions\/Email", and S3 prefixes are case-sensitive/,
      );
      await page.goto(`${h.apiUrl}/s3/acme-claravine?prefix=us/submissions/`);
      expect(await page.locator('#objects tr', { hasText: 'email.csv' }).first().textContent()).toMatch(
        /the case differs/,
      );
    });
  });

  it('an unknown access key id: the Activity page names the key no user has', async () => {
    await expectS3Error(
      signedWith('AKIATYPO000000000001', 'whatever').send(
        new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv', Body: 'x' }),
      ),
      'InvalidAccessKeyId',
      403,
    );
    await onPage('unknown-key', async () => {
      const text = await activityRow('outcome=refused', 'AKIATYPO000000000001');
      expect(text).toMatch(/key AKIATYPO000000000001 \(no user\)/);
      expect(text).toMatch(/no user of the workspace has the access key id AKIATYPO000000000001/);
    });
  });

  it("a wrong secret: the Activity page says whose key it is and shows AWS's string to sign", async () => {
    await expectS3Error(
      signedWith('AKIADEMOUPLOADER0001', 'not-the-secret').send(
        new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv', Body: 'x' }),
      ),
      'SignatureDoesNotMatch',
      403,
    );
    await onPage('wrong-secret', async () => {
      const text = await activityRow('user=uploader&outcome=refused', 'SignatureDoesNotMatch');
      expect(text).toMatch(/uploader's key AKIADEMOUPLOADER0001 \(not authenticated\)/);
      expect(text).toMatch(/the client's secret key is wrong/);
      const details = page.locator('#activity details').first();
      await details.locator('summary').click();
      expect(await details.locator('pre').first().textContent()).toMatch(/^AWS4-HMAC-SHA256\n/);
      // The open details stay open through the page's refresh, to be read.
      await page.waitForTimeout(3_500);
      expect(await page.locator('#activity details[open]').count()).toBe(1);
      await saveScreenshot(page, 'activity');
    });
  });

  it('a ListBucket outside what the policy allows: the Activity page names the condition that did not match', async () => {
    await expectS3Error(
      h.client('uploader').send(new ListObjectsV2Command({ Bucket: 'acme-claravine', Prefix: 'eu/' })),
      'AccessDenied',
      403,
    );
    await onPage('list-denied', async () => {
      const text = await activityRow('user=uploader&outcome=denied', 'ListObjectsV2');
      expect(text).toMatch(/s3:ListBucket/);
      expect(text).toMatch(/s3:prefix/);
    });
  });

  it('an upload without the SSE the bucket requires: the Activity page names the statement', async () => {
    await expectS3Error(
      h.client('admin').send(new PutObjectCommand({ Bucket: 'acme-exports', Key: 'plain.csv', Body: 'x' })),
      'AccessDenied',
      403,
    );
    await onPage('sse-required', async () => {
      const text = await activityRow('user=admin&outcome=denied&bucket=acme-exports', 'plain.csv');
      expect(text).toMatch(/Explicitly denied: statement 0 \(Sid "RequireSSE"\) of the bucket policy of acme-exports/);
    });
  });

  it('the same bytes dropped again: a second submission, and the Activity page shows both imports', async () => {
    for (let i = 0; i < 2; i++) await drop('uploader', 'us/submissions/Email-again.csv', 'fixtures/files/Email.csv');
    await expect.poll(async () => (await h.submissionsOf('us/submissions/Email-again.csv')).length).toBe(2);
    await onPage('same-bytes-again', async () => {
      await page.goto(`${h.apiUrl}/activity?user=uploader&outcome=imported`);
      const rows = page.locator('#activity tr', { hasText: 'us/submissions/Email-again.csv' });
      await expect.poll(() => rows.count()).toBe(2);
      expect(await rows.first().textContent()).toMatch(/imported by Email\/Email drop as submission .*COMPLETE/);
      await page.goto(`${h.apiUrl}/submissions`);
      await expect.poll(() => page.locator('#submission-rows tr', { hasText: 'Email-again.csv' }).count()).toBe(2);
    });
  });
});
