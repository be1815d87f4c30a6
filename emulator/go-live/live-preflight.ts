/**
 * `s3-harness preflight --live`: each action an integration needs, asked of the customer's real IAM
 * with iam:SimulatePrincipalPolicy (the user's policies, its boundary, and the bucket policy passed as
 * ResourcePolicy, with the request's condition keys as ContextEntries), beside the local decision. A
 * disagreement is flagged with what may explain it: a key the workspace does not model, a policy it
 * lacks (an SCP, a boundary, a policy mirrored before it changed). Nothing is sent to S3 but the
 * opt-in probes (`probeIntegrations`).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
import {
  IAMClient,
  SimulatePrincipalPolicyCommand,
  type ContextEntry,
  type ContextKeyTypeEnum,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { compilePrefix } from '../../core/inbound/index.ts';
import type { ContextValue, PolicyDocument } from '../../core/iam/index.ts';
import type { IntegrationPreflight, PreflightCheck, PreflightReport } from '../../core/preflight/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { attempt, clientConfig, describeError, type AwsAccess } from './aws-calls.ts';

export interface LiveOptions extends AwsAccess {
  region?: string;
  bucketPolicyOf(bucket: string): PolicyDocument | undefined;
}

export type LiveDecision = 'allowed' | 'explicitDeny' | 'implicitDeny';

export interface LiveCheck {
  integration: string;
  check: PreflightCheck;
  /** AWS's answer, or why it could not be asked. */
  live: { decision: LiveDecision; missingContext: string[] } | { error: string };
  agree: boolean;
  /** When they disagree: what may explain it. */
  why?: string;
}

export interface LiveReport {
  checks: LiveCheck[];
  /** Every check was answered by AWS and agrees with the local decision. */
  ok: boolean;
}

/**
 * The condition keys of a production request, as SimulatePrincipalPolicy takes them: the operation's
 * own keys, HTTPS, and the user's name.
 */
export function contextEntries(check: Pick<PreflightCheck, 'context'>, userName: string): ContextEntry[] {
  const entry = (key: string, value: ContextValue, type: ContextKeyTypeEnum): ContextEntry => ({
    ContextKeyName: key,
    ContextKeyValues: typeof value === 'string' ? [value] : [...value],
    ContextKeyType: type,
  });
  return [
    ...Object.entries(check.context).map(([key, value]) =>
      entry(key, value, typeof value === 'string' ? 'string' : 'stringList'),
    ),
    entry('aws:SecureTransport', 'true', 'boolean'),
    entry('aws:username', userName, 'string'),
  ];
}

const localDecision = (check: PreflightCheck): LiveDecision =>
  check.allowed ? 'allowed' : check.effect === 'ExplicitDeny' ? 'explicitDeny' : 'implicitDeny';

function explainDisagreement(check: PreflightCheck, live: LiveDecision, missing: string[]): string {
  const reasons: string[] = [];
  if (check.unmodelledKeys?.length)
    reasons.push(
      `the local decision depended on ${check.unmodelledKeys.join(', ')}, which the workspace does not set (declare production's values in requestContext)`,
    );
  if (missing.length) reasons.push(`AWS lacked context values for ${missing.join(', ')}`);
  if (live !== 'allowed' && check.allowed)
    reasons.push(
      'AWS applies policies the workspace does not have: a service control policy, a permissions boundary, or a policy changed since it was mirrored (run s3-harness mirror again)',
    );
  if (live === 'allowed' && !check.allowed)
    reasons.push('the workspace has a policy or statement AWS does not (edited after mirroring?)');
  return reasons.join('; ');
}

/** One needed action asked of AWS, beside the local decision. */
async function askAws(
  iam: IAMClient,
  workspace: Workspace,
  integration: IntegrationPreflight,
  check: PreflightCheck,
  policy: PolicyDocument | undefined,
): Promise<LiveCheck> {
  const answer = await attempt(() =>
    iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${workspace.accountId}:user/${integration.user}`,
        ActionNames: [check.action],
        ResourceArns: [check.resource],
        ...(policy ? { ResourcePolicy: JSON.stringify(policy) } : {}),
        ContextEntries: contextEntries(check, integration.user),
      }),
    ),
  );
  if (!answer.ok)
    return {
      integration: integration.id,
      check,
      live: { error: describeError(answer.error) },
      agree: false,
      why:
        answer.error.kind === 'refused'
          ? 'the credentials may not call iam:SimulatePrincipalPolicy on this user (docs/go-live.md lists what they need)'
          : 'AWS could not be asked: the check is not done',
    };
  const result = answer.value.EvaluationResults?.[0];
  const decision = (result?.EvalDecision ?? 'implicitDeny') as LiveDecision;
  const missingContext = result?.MissingContextValues ?? [];
  const agree = decision === localDecision(check);
  return {
    integration: integration.id,
    check,
    live: { decision, missingContext },
    agree,
    ...(agree ? {} : { why: explainDisagreement(check, decision, missingContext) }),
  };
}

export async function livePreflight(
  workspace: Workspace,
  report: PreflightReport,
  options: LiveOptions,
): Promise<LiveReport> {
  const iam = new IAMClient(clientConfig(options.region ?? workspace.region, options));
  const checks: LiveCheck[] = [];
  for (const integration of report.integrations) {
    if (!integration.user) continue;
    const policy = options.bucketPolicyOf(integration.bucket);
    for (const check of integration.checks) checks.push(await askAws(iam, workspace, integration, check, policy));
  }
  return { checks, ok: checks.every((c) => c.agree) };
}

export function formatLive(live: LiveReport): string {
  const lines: string[] = [];
  for (const { integration, check, live: answer, agree, why } of live.checks) {
    const local = localDecision(check);
    const remote = 'error' in answer ? `not asked (${answer.error})` : answer.decision;
    lines.push(`${agree ? 'agree   ' : 'DIFFER  '} ${integration}: ${check.action} on ${check.resource}`);
    lines.push(`           local ${local}, AWS ${remote}`);
    if (why) lines.push(`           why: ${why}`);
  }
  const differ = live.checks.filter((c) => !c.agree).length;
  lines.push('', `${live.checks.length} check(s) asked of AWS: ${live.checks.length - differ} agree, ${differ} differ`);
  return lines.join('\n');
}

export interface ProbeOptions extends AwsAccess {
  /** A key each outbound integration's bucket gets a small object under; nothing is written without it. */
  writeKey?: string;
}

export interface Probe {
  integration: string;
  call: string;
  /** `ok: ...` or the error AWS answered. */
  outcome: string;
  ok: boolean;
}

/**
 * `--probe`: the harmless real calls an integration makes, with the credentials of the provider chain:
 * ListBuckets (List Buckets mode), ListObjectsV2 under an inbound prefix with MaxKeys 1, and, only when
 * `--probe-write KEY` names a key, one small PutObject per outbound integration (with its SSE).
 */
export async function probeIntegrations(workspace: Workspace, options: ProbeOptions): Promise<Probe[]> {
  const probes: Probe[] = [];
  const clients = new Map<string, S3Client>();
  const s3 = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new S3Client(clientConfig(region, options));
      clients.set(region, client);
    }
    return client;
  };
  const probe = async (integration: string, call: string, run: () => Promise<string>) => {
    const answer = await attempt(run);
    probes.push({
      integration,
      call,
      outcome: answer.ok ? `ok: ${answer.value}` : describeError(answer.error),
      ok: answer.ok,
    });
  };
  for (const template of workspace.templates) {
    for (const inbound of template.inbound) {
      const id = `${template.name}/${inbound.name}`;
      if (inbound.bucketMode === 'list')
        await probe(id, 'ListBuckets', async () => {
          const names = ((await s3(inbound.region).send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
          return names.includes(inbound.bucket) ? `${inbound.bucket} is listed` : `${inbound.bucket} is NOT listed`;
        });
      const prefix = compilePrefix(inbound.prefix, template.name).staticPrefix;
      await probe(id, `ListObjectsV2 s3://${inbound.bucket}/${prefix} (MaxKeys 1)`, async () => {
        const listed = await s3(inbound.region).send(
          new ListObjectsV2Command({ Bucket: inbound.bucket, Prefix: prefix, MaxKeys: 1 }),
        );
        return `${listed.KeyCount ?? 0} key(s)`;
      });
    }
    for (const outbound of template.outbound) {
      if (options.writeKey === undefined) continue;
      const key = options.writeKey;
      await probe(`${template.name}/${outbound.name}`, `PutObject s3://${outbound.bucket}/${key}`, async () => {
        const put = await s3(outbound.region).send(
          new PutObjectCommand({
            Bucket: outbound.bucket,
            Key: key,
            Body: 's3-harness probe\n',
            ...(outbound.sse ? { ServerSideEncryption: 'AES256' as const } : {}),
          }),
        );
        return `written (ETag ${put.ETag})`;
      });
    }
  }
  for (const client of clients.values()) client.destroy();
  return probes;
}

export function formatProbes(probes: Probe[]): string {
  return probes.map((p) => `${p.ok ? 'ok      ' : 'FAILED  '} ${p.integration}: ${p.call}: ${p.outcome}`).join('\n');
}
