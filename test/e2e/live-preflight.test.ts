/**
 * `preflight --live` against a customer's IAM played by msw: each needed action is asked with
 * SimulatePrincipalPolicy (the user's ARN, the bucket policy as ResourcePolicy, the request's condition
 * keys), printed beside the local decision; a disagreement is flagged with what may explain it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runPreflightCommand } from '../../emulator/cli/preflight.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { runPreflight } from '../../core/preflight/index.ts';
import { formatLive, livePreflight, probeIntegrations } from '../../emulator/go-live/live-preflight.ts';
import { formatFindings, policyFindings } from '../../emulator/go-live/policy-findings.ts';
import { fakeAws, type FakeAccount } from '../helpers/fake-aws.ts';
import { loadWorkspace } from '../helpers/stack.ts';
import type { SetupServerApi } from 'msw/node';

const credentials = { accessKeyId: 'AKIACUSTOMERREALKEY1', secretAccessKey: 'customer-secret' };
let server: SetupServerApi | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

function account(simulate: FakeAccount['simulate'], denied: string[] = []): FakeAccount {
  return { accountId: '123456789012', caller: 'cs-engineer', users: [], managed: {}, buckets: {}, simulate, denied };
}

describe('preflight --live', () => {
  it("asks AWS about every needed action, with the user's ARN, the bucket policy and the request's keys, and flags a disagreement", async () => {
    // The real account has an SCP the workspace cannot know of: PutObject is denied there.
    const fake = fakeAws(account((action) => (action === 's3:PutObject' ? 'explicitDeny' : 'allowed')));
    server = fake.server;
    const workspace = loadWorkspace();
    const report = runPreflight(workspace);
    const bucketPolicyOf = (bucket: string) => workspace.buckets.find((b) => b.name === bucket)?.policy;
    const live = await livePreflight(workspace, report, { credentials, bucketPolicyOf });

    const rows = live.checks.map((c) => [
      c.integration,
      c.check.action,
      c.check.allowed,
      'decision' in c.live ? c.live.decision : 'error',
      c.agree,
    ]);
    expect(rows).toEqual([
      ['Email/Email drop', 's3:GetObject', true, 'allowed', true],
      ['Email/Email export', 's3:PutObject', true, 'explicitDeny', false],
      ['Social/Social', 's3:GetObject', false, 'allowed', false],
    ]);
    expect(live.ok).toBe(false);
    expect(live.checks[1]!.why).toContain(
      'a service control policy, a permissions boundary, or a policy changed since it was mirrored',
    );
    expect(live.checks[2]!.why).toContain('the workspace has a policy or statement AWS does not');

    // What was asked: the export's PutObject with the bucket policy and its SSE header.
    const asked = fake.iamForms.find((f) => f.get('ActionNames.member.1') === 's3:PutObject')!;
    expect(asked.get('Action')).toBe('SimulatePrincipalPolicy');
    expect(asked.get('PolicySourceArn')).toBe('arn:aws:iam::123456789012:user/platform');
    expect(asked.get('ResourceArns.member.1')).toMatch(/^arn:aws:s3:::acme-exports\/inbox_us_Email_/);
    expect(JSON.parse(asked.get('ResourcePolicy')!)).toEqual(bucketPolicyOf('acme-exports'));
    const context = new Map<string, string>();
    for (let i = 1; asked.get(`ContextEntries.member.${i}.ContextKeyName`); i++)
      context.set(
        asked.get(`ContextEntries.member.${i}.ContextKeyName`)!,
        asked.get(`ContextEntries.member.${i}.ContextKeyValues.member.1`)!,
      );
    expect(Object.fromEntries(context)).toEqual({
      's3:x-amz-server-side-encryption': 'AES256',
      'aws:SecureTransport': 'true',
      'aws:username': 'platform',
    });
    expect(formatLive(live)).toContain('DIFFER   Email/Email export: s3:PutObject');
  });

  it('credentials that may not simulate are reported per check, with what they need', async () => {
    server = fakeAws(account(() => 'allowed', ['iam:SimulatePrincipalPolicy'])).server;
    const workspace = loadWorkspace();
    const live = await livePreflight(workspace, runPreflight(workspace), {
      credentials,
      bucketPolicyOf: () => undefined,
    });
    expect(live.ok).toBe(false);
    expect(live.checks[0]!.live).toEqual({ error: expect.stringMatching(/^refused: AccessDenied: /) });
    expect(live.checks[0]!.why).toContain('may not call iam:SimulatePrincipalPolicy');
  });

  it('--probe makes the harmless real calls; nothing is written unless --probe-write names a key', async () => {
    const buckets: FakeAccount['buckets'] = {
      'acme-claravine': { region: 'us-east-1', objects: ['us/submissions/Email/a.csv'] },
      'acme-exports': { region: 'us-east-1' },
    };
    const fake = fakeAws({ ...account(() => 'allowed', ['s3:ListBucket']), buckets });
    server = fake.server;
    const workspace = loadWorkspace();
    // The Social integration in List Buckets mode: its probe lists the buckets first.
    workspace.templates.find((t) => t.name === 'Social')!.inbound[0]!.bucketMode = 'list';
    const readOnly = await probeIntegrations(workspace, { credentials });
    expect(readOnly.map((p) => [p.integration, p.call, p.ok])).toEqual([
      ['Email/Email drop', 'ListObjectsV2 s3://acme-claravine/us/submissions/Email (MaxKeys 1)', false],
      ['Social/Social', 'ListBuckets', true],
      ['Social/Social', 'ListObjectsV2 s3://acme-claravine/us/social/ (MaxKeys 1)', false],
    ]);
    expect(readOnly[0]!.outcome).toMatch(/^refused: AccessDenied: /);
    expect(readOnly[1]!.outcome).toBe('ok: acme-claravine is listed');
    expect(buckets['acme-exports']!.written).toBeUndefined();
    const writing = await probeIntegrations(workspace, { credentials, writeKey: 'go-live/probe.txt' });
    expect(writing.filter((p) => p.call.startsWith('PutObject')).map((p) => [p.integration, p.call, p.ok])).toEqual([
      ['Email/Email export', 'PutObject s3://acme-exports/go-live/probe.txt', true],
    ]);
    expect(buckets['acme-exports']!.written).toEqual({ 'go-live/probe.txt': 's3-harness probe\n' });
  });

  it("lists Access Analyzer's findings on each policy (a signed ValidatePolicy per policy), or why it could not", async () => {
    const fake = fakeAws(account(() => 'allowed'));
    server = fake.server;
    const workspace = loadWorkspace();
    workspace.buckets[0]!.policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-claravine/*' },
      ],
    };
    const results = await policyFindings(workspace, { region: 'us-east-1', credentials });
    expect(results.map((r) => [r.policy, r.findings.map((f) => f.findingType)])).toEqual([
      ['bucket policy of acme-claravine', ['SECURITY_WARNING']],
      ['bucket policy of acme-exports', []],
      ...workspace.iam.users.map((u) => [`identity policy 0 of user ${u.name}`, []]),
    ]);
    expect(formatFindings(results)).toContain('bucket policy of acme-exports: no findings');
    server.close();
    server = fakeAws(account(() => 'allowed', ['access-analyzer:ValidatePolicy'])).server;
    const refused = await policyFindings(workspace, { region: 'us-east-1', credentials });
    expect(refused[0]!.error).toMatch(
      /^refused: AccessDeniedException: User: .* is not authorized to perform: access-analyzer:ValidatePolicy$/,
    );
  });

  it('AWS unreachable or no credentials: one line per check, a non-zero exit, never a stack', async () => {
    const home = mkdtempSync(join(tmpdir(), 'live-home-'));
    const saved = { ...process.env };
    const printed: string[] = [];
    const [log, error] = [console.log, console.error];
    console.log = (line: string) => printed.push(line);
    console.error = (...args: unknown[]) => printed.push(args.map(String).join(' '));
    try {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      server = fakeAws({ ...account(() => 'allowed'), unreachable: ['iam', 'access-analyzer', 's3'] }).server;
      expect(await runPreflightCommand(['--live', '--probe'])).toBe(1);
      const text = printed.join('\n');
      const checks = runPreflight(loadWorkspace()).counts.checks;
      expect(text.match(/local \w+, AWS not asked \(AWS could not be reached: /g)).toHaveLength(checks);
      expect(text).toMatch(/bucket policy of acme-exports: not validated \(AWS could not be reached: /);
      expect(text).toMatch(/FAILED {3}Email\/Email drop: ListObjectsV2 .*: AWS could not be reached: /);
      expect(text).not.toMatch(/\n\s+at /);

      printed.length = 0;
      process.env = { PATH: saved.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
      expect(await runPreflightCommand(['--live'])).toBe(1);
      expect(printed.join('\n').match(/not asked \(no usable credentials: CredentialsProviderError: /g)).toHaveLength(
        checks,
      );
      expect(printed.join('\n')).not.toMatch(/\n\s+at /);
    } finally {
      console.log = log;
      console.error = error;
      process.env = saved;
    }
  });

  it('a workspace with no integration to check says so and exits 2 (a check of nothing is no pass)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-integrations-'));
    const file = join(dir, 'mirrored.json');
    const demo = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...demo, templates: [] }));
    const result = await runCliAsync(['preflight', '--workspace', file]);
    expect([result.status, result.stderr.trim()]).toEqual([
      2,
      `s3-harness: ${file} has no integration to check: add its templates' inbound and outbound integrations first (docs/go-live.md)`,
    ]);
  });
});
