/** `s3-harness preflight`: the go-live check of every integration's permissions. */
import { parseArgs } from 'node:util';
import { runPreflight, type PreflightReport } from '../../core/preflight/index.ts';
import { loadWorkspaceFile } from '../workspace-file.ts';
import { DEFAULTS } from '../defaults.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { parseError } from './workspace-options.ts';

export const PREFLIGHT_USAGE = `Usage: s3-harness preflight [--workspace FILE] [--json]
                           [--live [--profile P] [--region R] [--probe [--probe-write KEY]]]

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
  let values;
  try {
    ({ values } = parseArgs({
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
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw parseError(error, 'preflight');
  }
  if (values.help) {
    console.log(PREFLIGHT_USAGE);
    return EXIT.ok;
  }
  if (values['probe-write'] !== undefined && !values.probe) throw new UsageError('--probe-write needs --probe');
  if (values.probe && !values.live) throw new UsageError('--probe needs --live');
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
  const live = await livePreflight(workspace, report, {
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values.region ? { region: values.region } : {}),
    bucketPolicyOf: (bucket) => workspace.buckets.find((b) => b.name === bucket)?.policy,
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
  const text = [
    formatPreflight(report),
    `Live (AWS IAM):\n${formatLive(live)}`,
    `Policy findings (IAM Access Analyzer, ValidatePolicy):\n${formatFindings(findings)}`,
    ...(values.probe ? [`Probes (real calls):\n${formatProbes(probes)}`] : []),
  ].join('\n\n');
  console.log(values.json ? JSON.stringify({ report, live, findings, probes }, null, 2) : text);
  const validated = findings.every((f) => f.error === undefined);
  return report.ok && live.ok && validated && probes.every((p) => p.ok) ? EXIT.ok : EXIT.failed;
}
