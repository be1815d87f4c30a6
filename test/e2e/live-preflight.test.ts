/**
 * `preflight --live` against a customer's IAM played by msw: each needed action is asked with
 * SimulatePrincipalPolicy (the user's ARN, the bucket policy as ResourcePolicy, the request's condition
 * keys), printed beside the local decision; a disagreement is flagged with what may explain it.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
    expect(live.checks[0]!.live).toEqual({ error: expect.stringMatching(/^AccessDenied: /) });
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
    expect(readOnly[0]!.outcome).toMatch(/^AccessDenied: /);
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
      /^AccessDeniedException: User: .* is not authorized to perform: access-analyzer:ValidatePolicy$/,
    );
  });
});
