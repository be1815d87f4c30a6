/**
 * `preflight --live --generated-policy`: the policy `s3-harness policy` writes, checked against a
 * customer's account played by msw before anyone attaches it: each need simulated with
 * SimulateCustomPolicy (the generated policy, the bucket policy as ResourcePolicy, the user as caller),
 * the policy validated with ValidatePolicy; a simulation that denies, a finding and a refusal each fail it.
 */
import type { SetupServerApi } from 'msw/node';
import { afterEach, describe, expect, it } from 'vitest';
import { leastPrivilegePolicies } from '../../core/preflight/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { runPreflightCommand } from '../../emulator/cli/preflight.ts';
import { checkGeneratedPolicies, formatGeneratedPolicyCheck } from '../../emulator/go-live/generated-policy-check.ts';
import { fakeAws, type CustomSimulation, type FakeAccount } from '../helpers/fake-aws.ts';
import { loadWorkspace } from '../helpers/stack.ts';

const credentials = { accessKeyId: 'AKIACUSTOMERREALKEY1', secretAccessKey: 'customer-secret' };
let server: SetupServerApi | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** The fake's IAM, deciding on the policy it is given (not the harness's evaluator): an Allow naming the action on a covering resource. */
function grants({ policies, action, resource }: CustomSimulation): 'allowed' | 'implicitDeny' {
  const covers = (pattern: string) =>
    pattern === resource || (pattern.endsWith('*') && resource.startsWith(pattern.slice(0, -1)));
  const statements = policies.flatMap((p) => p.Statement) as { Effect: string; Action: string; Resource: string }[];
  return statements.some((s) => s.Effect === 'Allow' && s.Action === action && covers(s.Resource))
    ? 'allowed'
    : 'implicitDeny';
}

function account(extra: Partial<FakeAccount>): FakeAccount {
  return { accountId: '123456789012', caller: 'cs-engineer', users: [], managed: {}, buckets: {}, ...extra };
}

async function check(workspace: Workspace, fake: FakeAccount) {
  const started = fakeAws(fake);
  server = started.server;
  const generated = leastPrivilegePolicies(workspace);
  if (!generated.ok) throw new Error(generated.error);
  const report = await checkGeneratedPolicies(workspace, generated.policies, {
    credentials,
    bucketPolicyOf: (bucket) => workspace.buckets.find((b) => b.name === bucket)?.policy,
  });
  return { report, generated: generated.policies, ...started };
}

describe('preflight --live --generated-policy', () => {
  it('simulates each need with the generated policy, the bucket policy and the caller, and validates the policy', async () => {
    const workspace = loadWorkspace();
    const { report, generated, iamForms, seen } = await check(workspace, account({ simulateCustom: grants }));
    expect(report.checks.map((c) => [c.integration, c.action, c.expected, c.ok])).toEqual([
      ['Email/Email drop', 's3:GetObject', 'allowed', true],
      ['Email/Email export', 's3:PutObject', 'allowed', true],
      ['Social/Social', 's3:GetObject', 'allowed', true],
    ]);
    expect(report.ok).toBe(true);

    const put = iamForms.find((f) => f.get('ActionNames.member.1') === 's3:PutObject')!;
    expect(put.get('Action')).toBe('SimulateCustomPolicy');
    expect(JSON.parse(put.get('PolicyInputList.member.1')!)).toEqual(generated[0]!.document);
    expect(JSON.parse(put.get('ResourcePolicy')!)).toEqual(
      workspace.buckets.find((b) => b.name === 'acme-exports')!.policy,
    );
    expect(put.get('CallerArn')).toBe('arn:aws:iam::123456789012:user/platform');
    // No bucket policy on acme-claravine: no ResourcePolicy, no caller needed.
    const get = iamForms.find((f) => f.get('ActionNames.member.1') === 's3:GetObject')!;
    expect([get.get('ResourcePolicy'), get.get('CallerArn')]).toEqual([null, null]);
    expect(seen.filter((s) => s === 'access-analyzer:ValidatePolicy')).toHaveLength(generated.length);
    expect(formatGeneratedPolicyCheck(report)).toContain(
      '3 need(s) simulated with the generated policy: 3 as meant, 0 not',
    );
  });

  it('fails when AWS denies what the policy means to allow (an SCP the workspace cannot see)', async () => {
    const scp = (input: CustomSimulation) => (input.action === 's3:PutObject' ? 'explicitDeny' : grants(input));
    const { report } = await check(loadWorkspace(), account({ simulateCustom: scp }));
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.action, 'decision' in c.live && c.live.decision])).toEqual([
      ['s3:PutObject', 'explicitDeny'],
    ]);
    expect(formatGeneratedPolicyCheck(report)).toMatch(
      /FAILED {3}Email\/Email export: s3:PutObject .*: meant allowed, AWS explicitDeny/,
    );
  });

  it('lists ValidatePolicy findings, and an error finding fails it while a suggestion does not', async () => {
    const suggestion = { findingType: 'SUGGESTION', issueCode: 'EXAMPLE_SUGGESTION', findingDetails: 'a suggestion' };
    const mild = await check(loadWorkspace(), account({ simulateCustom: grants, findings: () => [suggestion] }));
    expect(mild.report.findings.map((f) => [f.policy, f.findings.map((x) => x.issueCode)])).toEqual([
      ['generated policy of account acme-platform', ['EXAMPLE_SUGGESTION']],
      ['generated policy of account acme-custom-policy', ['EXAMPLE_SUGGESTION']],
    ]);
    expect(mild.report.ok).toBe(true);
    server?.close();

    const error = { findingType: 'ERROR', issueCode: 'EXAMPLE_ERROR', findingDetails: 'an error' };
    const { report } = await check(loadWorkspace(), account({ simulateCustom: grants, findings: () => [error] }));
    expect(report.ok).toBe(false);
  });

  it('says per need when the credentials may not simulate, and fails', async () => {
    const { report } = await check(loadWorkspace(), account({ denied: ['iam:SimulateCustomPolicy'] }));
    expect(report.checks.every((c) => !c.ok && 'error' in c.live && c.live.error.startsWith('refused'))).toBe(true);
    expect(report.ok).toBe(false);
  });

  it('needs --live', async () => {
    await expect(runPreflightCommand(['--generated-policy'])).rejects.toThrow('--generated-policy needs --live');
  });
});
