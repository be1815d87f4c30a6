/**
 * `preflight --live --generated-policy`: the policy `s3-harness policy` writes, checked against the
 * customer's real account before anyone attaches it. Each need of its integrations is simulated with
 * iam:SimulateCustomPolicy (the generated policy as the only identity policy, the user's boundary if
 * the workspace has one, the bucket policy as ResourcePolicy and the user as the caller), and the
 * policy is validated with IAM Access Analyzer's ValidatePolicy. A need the policy is meant to allow
 * must be allowed; one it reports blocked must be denied.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
 */
import { IAMClient, SimulateCustomPolicyCommand } from '@aws-sdk/client-iam';
import { bucketOfResource, type PolicyDocument } from '../../core/iam/index.ts';
import { integrationNeeds, type GeneratedPolicy, type Need } from '../../core/preflight/index.ts';
import { accountUser, type Workspace } from '../../core/workspace/index.ts';
import { attempt, clientConfig, describeError } from './aws-calls.ts';
import { contextEntries, type LiveDecision, type LiveOptions } from './live-preflight.ts';
import { findingsFor, type PolicyFindings } from './policy-findings.ts';

export interface GeneratedPolicyCheck {
  /** Whose policy: the account, and the integration with `--per integration`. */
  policy: string;
  integration: string;
  action: string;
  resource: string;
  /** What the generated policy is meant to do: allow it, or leave it to the Deny that blocks it. */
  expected: 'allowed' | 'denied';
  live: { decision: LiveDecision; missingContext: string[] } | { error: string };
  ok: boolean;
}

export interface GeneratedPolicyReport {
  checks: GeneratedPolicyCheck[];
  findings: PolicyFindings[];
  /** Every need answered as meant, and the policy validated with no error or security warning. */
  ok: boolean;
}

const nameOf = (policy: GeneratedPolicy) =>
  `account ${policy.account}${policy.integration ? `, ${policy.integration}` : ''}`;

async function simulate(
  iam: IAMClient,
  workspace: Workspace,
  policy: GeneratedPolicy,
  userName: string,
  need: Need,
  options: LiveOptions,
): Promise<GeneratedPolicyCheck['live']> {
  const bucket = bucketOfResource(need.resource);
  const resourcePolicy: PolicyDocument | undefined = bucket ? options.bucketPolicyOf(bucket) : undefined;
  const boundary = accountUser(workspace, policy.account)?.permissionsBoundary;
  const answer = await attempt(() =>
    iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [JSON.stringify(policy.document)],
        ...(boundary ? { PermissionsBoundaryPolicyInputList: [JSON.stringify(boundary)] } : {}),
        ActionNames: [need.action],
        ResourceArns: [need.resource],
        // CallerArn is required with a ResourcePolicy: its Principal elements are matched against it.
        ...(resourcePolicy
          ? {
              ResourcePolicy: JSON.stringify(resourcePolicy),
              CallerArn: `arn:aws:iam::${workspace.accountId}:user/${userName}`,
            }
          : {}),
        ContextEntries: contextEntries(need, userName),
      }),
    ),
  );
  if (!answer.ok) return { error: describeError(answer.error) };
  const result = answer.value.EvaluationResults?.[0];
  return {
    decision: (result?.EvalDecision ?? 'implicitDeny') as LiveDecision,
    missingContext: result?.MissingContextValues ?? [],
  };
}

export async function checkGeneratedPolicies(
  workspace: Workspace,
  policies: GeneratedPolicy[],
  options: LiveOptions & { now?: Date },
): Promise<GeneratedPolicyReport> {
  const region = options.region ?? workspace.region;
  const iam = new IAMClient(clientConfig(region, options));
  const integrations = integrationNeeds(workspace, options.now ?? new Date());
  const checks: GeneratedPolicyCheck[] = [];
  try {
    for (const policy of policies) {
      const userName = policy.user ?? policy.account;
      const left = new Set(policy.leftOut.map((n) => `${n.integration} ${n.action}`));
      const blocked = new Set(policy.blocked.map((n) => `${n.integration} ${n.action} ${n.resource}`));
      const own = integrations.filter(
        (i) => i.account === policy.account && (policy.integration === undefined || i.id === policy.integration),
      );
      for (const integration of own) {
        for (const need of integration.needs(userName)) {
          if (left.has(`${integration.id} ${need.action}`)) continue;
          const expected = blocked.has(`${integration.id} ${need.action} ${need.resource}`) ? 'denied' : 'allowed';
          const live = await simulate(iam, workspace, policy, userName, need, options);
          const ok = 'decision' in live && (live.decision === 'allowed') === (expected === 'allowed');
          checks.push({
            policy: nameOf(policy),
            integration: integration.id,
            action: need.action,
            resource: need.resource,
            expected,
            live,
            ok,
          });
        }
      }
    }
  } finally {
    iam.destroy();
  }
  const findings = await findingsFor(
    policies.map((p) => ({ name: `generated policy of ${nameOf(p)}`, document: p.document, type: 'IDENTITY_POLICY' })),
    { ...options, region },
  );
  const clean = findings.every(
    (f) =>
      f.error === undefined &&
      !f.findings.some((x) => x.findingType === 'ERROR' || x.findingType === 'SECURITY_WARNING'),
  );
  return { checks, findings, ok: checks.every((c) => c.ok) && clean };
}

export function formatGeneratedPolicyCheck(report: GeneratedPolicyReport): string {
  const lines: string[] = [];
  for (const check of report.checks) {
    const answer = 'error' in check.live ? `not asked (${check.live.error})` : check.live.decision;
    lines.push(
      `${check.ok ? 'ok      ' : 'FAILED  '} ${check.integration}: ${check.action} on ${check.resource}: meant ${check.expected}, AWS ${answer}`,
    );
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push(
    `${report.checks.length} need(s) simulated with the generated policy: ${report.checks.length - failed} as meant, ${failed} not`,
  );
  return lines.join('\n');
}
