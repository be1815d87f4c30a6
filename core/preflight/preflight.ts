/**
 * The permission preflight, the go-live check the product does not have: for every integration, the
 * S3 actions it will need with its account's keys, whether the account's identity policies and the
 * bucket's policy allow each, and the statement that decided (or why none applied). It evaluates the
 * same requests the gateway would see, with the same condition keys, without sending any.
 */
import {
  callerOf,
  decideForCaller,
  localRequestFacts,
  type ContextValue,
  type Decision,
  type IamUser,
  type Permission,
  type PolicyDocument,
  type StatementRef,
} from '../iam/index.ts';
import { compilePrefix, type InboundIntegration } from '../inbound/index.ts';
import { objectKeyFor, sampleSubmission, type OutboundIntegration } from '../outbound/index.ts';
import { accountUser, type Workspace, type WorkspaceTemplate } from '../workspace/index.ts';

export interface PreflightCheck {
  action: string;
  resource: string;
  /** Why the integration needs it. */
  purpose: string;
  /** The operation's own condition keys (`s3:prefix`, `s3:x-amz-server-side-encryption`). */
  context: Record<string, ContextValue>;
  allowed: boolean;
  effect: Decision['effect'];
  decidingStatement?: StatementRef;
  explanation: string;
  /** Condition keys the decision depended on that the workspace does not model (a live check may differ on them). */
  unmodelledKeys?: string[];
}

export interface IntegrationPreflight {
  /** `Template/Name`, as in /api/integrations. */
  id: string;
  direction: 'inbound' | 'outbound';
  template: string;
  name: string;
  account: string;
  /** The IAM user whose access key the account holds. */
  user: string;
  bucket: string;
  bucketMode: 'list' | 'manual';
  checks: PreflightCheck[];
  /** Every needed action is allowed. */
  ok: boolean;
  /** The account is remote: nothing was decided here (preflight --live asks the real account). */
  remote?: boolean;
}

export interface PreflightReport {
  integrations: IntegrationPreflight[];
  ok: boolean;
  counts: { integrations: number; checks: number; allowed: number; denied: number };
}

export interface PreflightOptions {
  /** The bucket's policy now (a running gateway's may differ from the workspace's). @default the workspace's */
  bucketPolicyOf?: (bucket: string) => PolicyDocument | undefined;
  now?: Date;
}

/** The resource ListBuckets is authorised on, as the gateway does (docs/gateway.md, "Operations, actions and resources"). */
const LIST_BUCKETS_RESOURCE = 'arn:aws:s3:::*';
const arn = (bucket: string, key?: string) => `arn:aws:s3:::${bucket}${key === undefined ? '' : `/${key}`}`;

/** A key an inbound prefix matches: its dynamic values filled with examples, then a file name. */
export function sampleInboundKey(prefix: string, templateName: string): string {
  const rendered = prefix.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (_, name: string) =>
    name === 'template_name' ? templateName : 'example',
  );
  return rendered === '' || rendered.endsWith('/') ? `${rendered}example.csv` : `${rendered}.csv`;
}

type Need = Permission & { purpose: string };

function inboundNeeds(template: WorkspaceTemplate, integration: InboundIntegration): Need[] {
  const needs: Need[] = [];
  const { staticPrefix } = compilePrefix(integration.prefix, template.name);
  if (integration.bucketMode === 'list') {
    needs.push({
      action: 's3:ListAllMyBuckets',
      resource: LIST_BUCKETS_RESOURCE,
      context: {},
      purpose: '"List Buckets" mode lists the account\'s buckets (the bucket dropdown)',
    });
  }
  if (integration.bucketMode === 'list' || integration.detection === 'poll') {
    const why =
      integration.detection === 'poll'
        ? 'poll detection lists new objects under the prefix'
        : '"List Buckets" mode lists under the prefix';
    needs.push({
      action: 's3:ListBucket',
      resource: arn(integration.bucket),
      context: { 's3:prefix': staticPrefix },
      purpose: why,
    });
  }
  needs.push({
    action: 's3:GetObject',
    resource: arn(integration.bucket, sampleInboundKey(integration.prefix, template.name)),
    context: {},
    purpose: 'reads each dropped file',
  });
  return needs;
}

function outboundNeeds(template: WorkspaceTemplate, integration: OutboundIntegration, user: string, now: Date): Need[] {
  const needs: Need[] = [];
  if (integration.bucketMode === 'list') {
    needs.push({
      action: 's3:ListAllMyBuckets',
      resource: LIST_BUCKETS_RESOURCE,
      context: {},
      purpose: '"List Buckets" mode lists the account\'s buckets (the bucket dropdown)',
    });
  }
  // The key of a file this user's submission would make (only the template, the time, the name and the user count).
  const key = objectKeyFor(template, integration, { ...sampleSubmission(template, now).submission, submittedBy: user });
  needs.push({
    action: 's3:PutObject',
    resource: arn(integration.bucket, key),
    context: integration.sse ? { 's3:x-amz-server-side-encryption': 'AES256' } : {},
    purpose: `writes each submission's file ${integration.sse ? 'with SSE-S3 (x-amz-server-side-encryption: AES256)' : 'without server-side encryption'}`,
  });
  return needs;
}

/** One check: what the user's keys would be answered for this permission, asked the one way (core/iam). */
export function checkPermission(
  workspace: Workspace,
  user: IamUser,
  permission: Permission,
  options: { now: Date; bucketPolicyOf(bucket: string): PolicyDocument | undefined },
): Decision {
  const { caller, baseContext } = callerOf(workspace, user, localRequestFacts(options.now.getTime()));
  return decideForCaller(caller, permission, { bucketPolicyOf: options.bucketPolicyOf, baseContext }).decision;
}

export function runPreflight(workspace: Workspace, options: PreflightOptions = {}): PreflightReport {
  const now = options.now ?? new Date();
  const bucketPolicyOf =
    options.bucketPolicyOf ?? ((bucket: string) => workspace.buckets.find((b) => b.name === bucket)?.policy);
  const integrations: IntegrationPreflight[] = [];

  const check = (
    accountName: string,
    needs: (user: string) => Need[],
    base: Omit<IntegrationPreflight, 'account' | 'user' | 'checks' | 'ok'>,
  ) => {
    const account = workspace.accounts.find((a) => a.name === accountName);
    const user = accountUser(workspace, accountName);
    let checks: PreflightCheck[];
    if (account?.remote) {
      // Its policies are the real account's: preflight --live asks them (docs/go-live.md).
      checks = needs(accountName).map(({ purpose, ...permission }) => ({
        ...permission,
        purpose,
        allowed: true,
        effect: 'Allow',
        explanation: `Not decided here: account ${accountName} is remote, and its policies are the real account's (s3-harness preflight --live asks them).`,
      }));
    } else if (!user) {
      checks = needs(accountName).map(({ purpose, ...permission }) => ({
        ...permission,
        purpose,
        allowed: false,
        effect: 'ImplicitDeny',
        explanation: `The account's access key ${account?.accessKeyId ?? '(none)'} belongs to no IAM user of the workspace: every request fails with InvalidAccessKeyId.`,
      }));
    } else {
      checks = needs(user.name).map(({ purpose, ...permission }) => {
        const decision = checkPermission(workspace, user, permission, { now, bucketPolicyOf });
        return {
          ...permission,
          purpose,
          allowed: decision.allowed,
          effect: decision.effect,
          explanation: decision.explanation,
          ...(decision.decidingStatement ? { decidingStatement: decision.decidingStatement } : {}),
          ...(decision.unmodelledKeys.length
            ? { unmodelledKeys: [...new Set(decision.unmodelledKeys.map((u) => u.key))] }
            : {}),
        };
      });
    }
    integrations.push({
      ...base,
      account: accountName,
      user: user?.name ?? '',
      checks,
      ok: checks.every((c) => c.allowed),
      ...(account?.remote ? { remote: true } : {}),
    });
  };

  for (const template of workspace.templates) {
    for (const integration of template.inbound) {
      check(integration.account, () => inboundNeeds(template, integration), {
        id: `${template.name}/${integration.name}`,
        direction: 'inbound',
        template: template.name,
        name: integration.name,
        bucket: integration.bucket,
        bucketMode: integration.bucketMode,
      });
    }
    for (const integration of template.outbound) {
      check(integration.account, (user) => outboundNeeds(template, integration, user, now), {
        id: `${template.name}/${integration.name}`,
        direction: 'outbound',
        template: template.name,
        name: integration.name,
        bucket: integration.bucket,
        bucketMode: integration.bucketMode,
      });
    }
  }
  const all = integrations.flatMap((i) => i.checks);
  const allowed = all.filter((c) => c.allowed).length;
  return {
    integrations,
    ok: integrations.every((i) => i.ok),
    counts: { integrations: integrations.length, checks: all.length, allowed, denied: all.length - allowed },
  };
}
