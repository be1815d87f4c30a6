/** `s3-harness preflight`: the go-live check of every integration's permissions. */
import {
  leastPrivilegePolicies,
  runPreflight,
  workspaceBucketPolicies,
  type PreflightReport,
} from '../../core/preflight/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { loadWorkspaceFile } from '../workspace-file.ts';
import { DEFAULTS } from '../defaults.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { commandArgs } from './command-args.ts';

export const PREFLIGHT_USAGE = `Usage: s3-harness preflight [--workspace FILE] [--json]
                           [--live [--profile P] [--region R] [--probe [--probe-write KEY]] [--generated-policy]]

For every integration of the workspace: the S3 actions it will need with its account's keys (list
the buckets, list under the prefix, read dropped files, write outbound files with or without SSE),
whether the account's policies and the bucket's policy allow each, and the statement that decided.
Nothing is sent to S3. Exit 0 when every needed action is allowed, 1 when one is denied, 2 on a
usage error, an invalid workspace file, or a workspace with no integration to check. --json prints
the report for machines.

--live also asks the customer's real IAM (iam:SimulatePrincipalPolicy, with credentials from the
standard AWS provider chain or --profile) about each needed action of a workspace written by
s3-harness mirror, and prints AWS's decision beside the local one; a disagreement is flagged with
what may explain it. IAM Access Analyzer's ValidatePolicy findings on each policy of the workspace
are listed too. Every call that fails says why in one line (AWS could not be reached, no usable
credentials, throttled, refused). Exit 1 when they differ or any call failed. Nothing is sent to S3,
nothing is written.

--generated-policy (with --live) also checks the policy \`s3-harness policy\` writes for each account,
before anyone attaches it: each need simulated with iam:SimulateCustomPolicy (that policy as the user's
only identity policy, the bucket policy as the resource policy) and the policy validated with
ValidatePolicy. Exit 1 when a need is not answered as the policy means, or a finding is an error or a
security warning. Needs iam:SimulateCustomPolicy and access-analyzer:ValidatePolicy.

--probe (with --live) also makes the harmless real calls the integrations make, with the same
credentials: ListBuckets (List Buckets mode) and ListObjectsV2 under each inbound prefix (MaxKeys 1).
--probe-write KEY also writes one small object under KEY in each outbound bucket (with its SSE):
nothing is written to a customer's bucket without it.`;

export function formatPreflight(report: PreflightReport): string {
  const lines: string[] = [];
  for (const integration of report.integrations) {
    const who = integration.user
      ? `account ${integration.account} (user ${integration.user})`
      : `account ${integration.account} (no IAM user holds its key)`;
    const status = integration.remote ? 'REMOTE' : integration.ok ? 'OK    ' : 'DENIED';
    lines.push(
      `${status} ${integration.id} (${integration.direction}, ${who}, bucket ${integration.bucket}, ${integration.bucketMode} mode)`,
    );
    for (const check of integration.checks) {
      const context = Object.entries(check.context)
        .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
        .join('');
      lines.push(
        `  ${integration.remote ? 'remote ' : check.allowed ? 'allowed' : 'DENIED '}  ${check.action} on ${check.resource}${context}: ${check.purpose}`,
      );
      lines.push(`           ${check.explanation}`);
      if (check.wouldAllow) lines.push(`           Would be allowed by: ${JSON.stringify(check.wouldAllow)}`);
      if (check.noAllowCanFix)
        lines.push(`           No Allow added to the user's policies can change this: ${check.noAllowCanFix}`);
    }
  }
  const { integrations, checks, allowed, denied } = report.counts;
  lines.push('', `${integrations} integration(s), ${checks} needed action(s): ${allowed} allowed, ${denied} denied`);
  return lines.join('\n');
}

export async function runPreflightCommand(args: string[]): Promise<number> {
  const { values } = commandArgs('preflight', {
    args,
    strict: true,
    options: {
      workspace: { type: 'string' },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
      profile: { type: 'string' },
      region: { type: 'string' },
      probe: { type: 'boolean' },
      'probe-write': { type: 'string' },
      'generated-policy': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(PREFLIGHT_USAGE);
    return EXIT.ok;
  }
  if (values['probe-write'] !== undefined && !values.probe) throw new UsageError('--probe-write needs --probe');
  if (values.probe && !values.live) throw new UsageError('--probe needs --live');
  if (values['generated-policy'] && !values.live) throw new UsageError('--generated-policy needs --live');
  const file = values.workspace ?? DEFAULTS.demoWorkspace;
  const { workspace } = await loadWorkspaceFile(file);
  const report = runPreflight(workspace);
  // A check of nothing is no pass (a mirrored workspace has no integration until its templates are added).
  if (report.counts.integrations === 0)
    throw new UsageError(
      `${file} has no integration to check: add its templates' inbound and outbound integrations first (docs/go-live.md)`,
    );
  if (!values.live) {
    console.log(values.json ? JSON.stringify(report, null, 2) : formatPreflight(report));
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  const { livePreflight, formatLive, probeIntegrations, formatProbes } = await import('../go-live/live-preflight.ts');
  const access = values.profile ? { profile: values.profile } : {};
  const live = await livePreflight(workspace, report, {
    ...access,
    ...(values.region ? { region: values.region } : {}),
    bucketPolicyOf: workspaceBucketPolicies(workspace),
  });
  const probes = values.probe
    ? await probeIntegrations(workspace, {
        ...(values.profile ? { profile: values.profile } : {}),
        ...(values['probe-write'] !== undefined ? { writeKey: values['probe-write'] } : {}),
      })
    : [];
  const { policyFindings, formatFindings } = await import('../go-live/policy-findings.ts');
  const findings = await policyFindings(workspace, {
    region: values.region ?? workspace.region,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  const generated = values['generated-policy']
    ? await checkGenerated(workspace, { ...access, region: values.region ?? workspace.region })
    : undefined;
  const text = [
    formatPreflight(report),
    `Live (AWS IAM):\n${formatLive(live)}`,
    `Policy findings (IAM Access Analyzer, ValidatePolicy):\n${formatFindings(findings)}`,
    ...(values.probe ? [`Probes (real calls):\n${formatProbes(probes)}`] : []),
    ...(generated ? [generated.text] : []),
  ].join('\n\n');
  console.log(
    values.json
      ? JSON.stringify(
          { report, live, findings, probes, ...(generated ? { generatedPolicy: generated.report } : {}) },
          null,
          2,
        )
      : text,
  );
  const validated = findings.every((f) => f.error === undefined);
  const generatedOk = generated?.report.ok ?? true;
  return report.ok && live.ok && validated && generatedOk && probes.every((p) => p.ok) ? EXIT.ok : EXIT.failed;
}

/** `--generated-policy`: the policy `s3-harness policy` writes, simulated and validated by the real account. */
async function checkGenerated(workspace: Workspace, options: { profile?: string; region: string }) {
  const [{ checkGeneratedPolicies, formatGeneratedPolicyCheck }, { formatFindings }] = await Promise.all([
    import('../go-live/generated-policy-check.ts'),
    import('../go-live/policy-findings.ts'),
  ]);
  const generated = leastPrivilegePolicies(workspace);
  if (!generated.ok) throw new UsageError(generated.error);
  const report = await checkGeneratedPolicies(workspace, generated.policies, {
    ...options,
    bucketPolicyOf: workspaceBucketPolicies(workspace),
  });
  const text = [
    `Generated policy (s3-harness policy), simulated (iam:SimulateCustomPolicy):\n${formatGeneratedPolicyCheck(report)}`,
    `Generated policy findings (ValidatePolicy):\n${formatFindings(report.findings)}`,
  ].join('\n\n');
  return { report, text };
}
