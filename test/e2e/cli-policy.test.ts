/** `s3-harness policy`: the least-privilege policy of each account, as a CS engineer hands it over. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { expectGolden } from '../helpers/golden.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-policy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The demo workspace with an edit, written to a file. */
async function demoWith(name: string, edit: (workspace: Record<string, any>) => void): Promise<string> {
  const workspace = JSON.parse(await readFile('fixtures/workspaces/demo.json', 'utf8')) as Record<string, any>;
  edit(workspace);
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(workspace));
  return path;
}

/** A drop-bucket policy letting the platform's user read `resource`. */
const platformReads = (Sid: string, resource: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid,
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::123456789012:user/platform' },
      Action: 's3:GetObject',
      Resource: resource,
    },
  ],
});

describe('s3-harness policy', () => {
  it("writes the demo's custom-policy account the policy the product article's example lacks (golden file)", () => {
    const result = runCli(['policy', '--account', 'acme-custom-policy', '--document']);
    expect(result.status, result.stderr).toBe(0);
    expectGolden('fixtures/expected/policy/acme-custom-policy.json', result.stdout);
  });

  it('prints each policy with why each statement is there, checked, exit 0', () => {
    const result = runCli(['policy']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Policy for account acme-platform (IAM user platform)');
    expect(result.stdout).toContain(
      "  WriteSubmissionFilesEmailExport: Email/Email export writes each submission's file with SSE-S3",
    );
    expect(result.stdout.match(/^Checked: a user holding exactly this policy/gm)).toHaveLength(2);
  });

  it('writes List Buckets mode with the dropdown and the s3:prefix listing, or without the dropdown', () => {
    const list = JSON.parse(runCli(['policy', '--account', 'acme-platform', '--bucket-mode', 'list', '--json']).stdout);
    const statements = list.policies[0].document.Statement as { Sid: string; Action: string; Condition?: object }[];
    expect(statements.map((s) => s.Sid)).toEqual([
      'ListBucketsForTheBucketDropdown',
      'ListTheDropFolderEmailDrop',
      'ReadDroppedFilesEmailDrop',
      'WriteSubmissionFilesEmailExport',
    ]);
    expect(statements[1]!.Condition).toEqual({ StringEquals: { 's3:prefix': 'us/submissions/Email' } });
    const reasons = list.policies[0].statements[0].reasons.map((r: { integration: string }) => r.integration);
    expect(reasons).toEqual(['Email/Email drop', 'Email/Email export']);

    const without = runCli(['policy', '--account', 'acme-platform', '--bucket-mode', 'list', '--no-list-buckets']);
    expect(without.status).toBe(0);
    expect(without.stdout).not.toContain('s3:ListAllMyBuckets"');
    expect(without.stdout).toContain('Left out: s3:ListAllMyBuckets (Email/Email drop): left out on request');
  });

  it('writes one policy per integration', () => {
    const result = JSON.parse(runCli(['policy', '--per', 'integration', '--json']).stdout);
    expect(result.policies.map((p: { integration: string }) => p.integration)).toEqual([
      'Email/Email drop',
      'Email/Email export',
      'Social/Social',
    ]);
  });

  it('names a need a Deny blocks (exit 1): no statement is written for it', async () => {
    const path = await demoWith('sse-off', (w) => (w.templates[0].outbound[0].sse = false));
    const result = runCli(['policy', '--workspace', path, '--account', 'acme-platform']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^BLOCKED: s3:PutObject on arn:aws:s3:::acme-exports\/inbox_us_Email_.*no Allow can change this\. .*RequireSSE/m,
    );
    expect(result.stdout).not.toContain('WriteSubmissionFiles');
    expect(result.stdout).toContain('NOT ENOUGH');
  });

  it('leaves out what the bucket policy already grants, and says so', async () => {
    const path = await demoWith('bucket-grants', (w) => {
      w.buckets[0].policy = platformReads('PlatformReads', 'arn:aws:s3:::acme-claravine/*');
    });
    const result = runCli(['policy', '--workspace', path, '--account', 'acme-platform']);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('ReadDroppedFiles');
    expect(result.stdout).toMatch(
      /^Not in it: s3:GetObject on arn:aws:s3:::acme-claravine\/us\/submissions\/Email\.csv \(Email\/Email drop\): .*PlatformReads/m,
    );
  });

  it('writes the statement when the bucket policy grants only part of the prefix (the sample file, a name pattern)', async () => {
    for (const resource of [
      'arn:aws:s3:::acme-claravine/us/submissions/Email.csv',
      'arn:aws:s3:::acme-claravine/us/submissions/Email.*',
    ]) {
      const path = await demoWith('bucket-grants-part', (w) => {
        w.buckets[0].policy = platformReads('PlatformReadsSome', resource);
      });
      const result = runCli(['policy', '--workspace', path, '--account', 'acme-platform']);
      expect(result.status, resource).toBe(0);
      expect(result.stdout, resource).toContain('ReadDroppedFilesEmailDrop');
      expect(result.stdout, resource).not.toContain('Not in it: s3:GetObject');
    }
  });

  it('refuses what it cannot do (exit 2), naming it', async () => {
    const none = await demoWith('no-integrations', (w) => (w.templates = []));
    const cases: [string[], string][] = [
      [
        ['policy', '--account', 'nope'],
        'no account "nope" in the workspace (its accounts: "acme-platform", "acme-custom-policy")',
      ],
      [['policy', '--per', 'bucket'], '--per takes "account" or "integration", not "bucket"'],
      [['policy', '--document'], '--document prints one policy, and there are 2 (name one with --account)'],
      [['policy', '--workspace', none], 'the workspace has no integration: there is nothing to grant'],
    ];
    for (const [args, message] of cases) {
      const result = runCli(args);
      expect([result.status, result.stderr]).toEqual([2, expect.stringContaining(message)]);
    }
  });
});

describe('s3-harness preflight', () => {
  it('ends a DENIED line with the statement that would allow it, or with the Deny no Allow can change', async () => {
    const denied = runCli(['preflight']);
    expect(denied.status).toBe(1);
    expect(denied.stdout).toContain(
      'Would be allowed by: {"Sid":"ReadDroppedFilesSocial","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-claravine/us/social/*"}',
    );
    const path = await demoWith('sse-off-preflight', (w) => (w.templates[0].outbound[0].sse = false));
    const blocked = runCli(['preflight', '--workspace', path]);
    expect(blocked.stdout).toMatch(/No Allow added to the user's policies can change this: .*RequireSSE/);
  });
});
