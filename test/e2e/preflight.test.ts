/**
 * The preflight says what the gateway will answer: every needed action it reports is tried for real
 * through the gateway with the account's keys, and allowed ones succeed, denied ones fail with
 * AccessDenied and the same explanation. Then the CLI's output and exit codes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPreflight, type PreflightCheck, type PreflightReport } from '../../core/preflight/index.ts';
import { EXPLANATION_HEADER } from '../../emulator/gateway/index.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { preflightWorkspace } from '../helpers/preflight-workspace.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(preflightWorkspace());
});
afterAll(() => stack.stop());

const keyOf = (resource: string) => resource.replace(/^arn:aws:s3:::[^/]+\/?/, '');
const bucketOf = (resource: string) => /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1] ?? '';

/** Sends the request a check stands for, as `user`; the S3 error (or none) it got. */
async function attempt(client: S3Client, check: PreflightCheck): Promise<{ code?: string; explanation?: string }> {
  const bucket = bucketOf(check.resource);
  const key = keyOf(check.resource);
  try {
    switch (check.action) {
      case 's3:ListAllMyBuckets':
        await client.send(new ListBucketsCommand({}));
        break;
      case 's3:ListBucket':
        await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: check.context['s3:prefix'] as string | undefined }),
        );
        break;
      case 's3:GetObject':
        await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        break;
      case 's3:PutObject':
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: 'x',
            ...(check.context['s3:x-amz-server-side-encryption'] ? { ServerSideEncryption: 'AES256' as const } : {}),
          }),
        );
        break;
      default:
        throw new Error(`no request for ${check.action}`);
    }
    return {};
  } catch (error) {
    const e = error as { name: string; $response?: { headers?: Record<string, string> } };
    const header = e.$response?.headers?.[EXPLANATION_HEADER];
    return { code: e.name, ...(header ? { explanation: decodeURIComponent(header) } : {}) };
  }
}

describe('the preflight against the real gateway', () => {
  it('predicts every answer: allowed requests succeed, denied ones fail with AccessDenied and the same explanation', async () => {
    const report = runPreflight(stack.workspace);
    expect(report.counts.denied).toBeGreaterThan(0);
    expect(report.counts.allowed).toBeGreaterThan(0);
    const admin = stack.client('admin');
    for (const integration of report.integrations) {
      const client = stack.client(integration.user);
      for (const check of integration.checks) {
        // The object a read needs exists, so that only the permission decides.
        if (check.action === 's3:GetObject')
          await admin.send(
            new PutObjectCommand({ Bucket: bucketOf(check.resource), Key: keyOf(check.resource), Body: 'a,b\r\n' }),
          );
        const answer = await attempt(client, check);
        const what = `${integration.id}: ${check.action} on ${check.resource}`;
        if (check.allowed) {
          expect(answer, what).toEqual({});
        } else {
          expect(answer.code, what).toBe('AccessDenied');
          expect(answer.explanation, what).toBe(check.explanation);
        }
      }
    }
  });
});

describe('s3-harness preflight', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-harness-preflight-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 1 on the demo workspace and names the statement or the reason for each action', async () => {
    const result = await runCliAsync(['preflight']);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      'OK     Email/Email drop (inbound, account acme-platform (user platform), bucket acme-claravine, manual mode)',
    );
    expect(result.stdout).toContain(
      'DENIED Social/Social (inbound, account acme-custom-policy (user claravine), bucket acme-claravine, manual mode)',
    );
    expect(result.stdout).toContain(
      'Allowed by statement 1 (Sid "ReadAndWrite") of identity policy 0 of user platform.',
    );
    expect(result.stdout).toContain(
      'DENIED   s3:GetObject on arn:aws:s3:::acme-claravine/us/social/example.csv: reads each dropped file',
    );
    expect(result.stdout).toMatch(/3 integration\(s\), 3 needed action\(s\): 2 allowed, 1 denied\n$/);
  });

  it('exits 0 when every needed action is allowed, and prints the report as JSON with --json', async () => {
    const raw = JSON.parse(await (await import('node:fs/promises')).readFile('fixtures/workspaces/demo.json', 'utf8'));
    raw.templates = raw.templates.filter((t: { name: string }) => t.name === 'Email');
    const file = join(dir, 'email-only.json');
    await writeFile(file, JSON.stringify(raw));
    const result = await runCliAsync(['preflight', '--workspace', file, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as PreflightReport;
    expect(report).toMatchObject({ ok: true, counts: { integrations: 2, checks: 2, allowed: 2, denied: 0 } });
  });

  it('exits 2 with one line on a bad option', async () => {
    const result = await runCliAsync(['preflight', '--nope']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^s3-harness: Unknown option '--nope'.*\(see s3-harness preflight --help\)\n$/);
  });
});
