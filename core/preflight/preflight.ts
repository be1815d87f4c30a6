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
  type PolicyStatement,
  type StatementRef,
} from '../iam/index.ts';
import { accountUser, type Workspace } from '../workspace/index.ts';
import { integrationNeeds, statementFor, type Need } from './needs.ts';

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
  /** Denied, and no Deny stands in the way: the identity-policy statement that would allow it (`s3-harness policy` writes them all). */
  wouldAllow?: PolicyStatement;
  /** Denied, and no Allow added to the user's policies would change it: why (a Deny, a permissions boundary). */
  noAllowCanFix?: string;
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

/** The workspace's own bucket policies: what the preflight and the policy writer decide with when no running gateway's are given. */
export function workspaceBucketPolicies(
  workspace: Pick<Workspace, 'buckets'>,
): (bucket: string) => PolicyDocument | undefined {
  return (bucket) => workspace.buckets.find((b) => b.name === bucket)?.policy;
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

/**
 * What a denied need's user lacks: the statement that would allow it, or why no Allow can (a Deny in
 * a policy, a permissions boundary), found by deciding again with the statement added.
 */
function remedyFor(
  workspace: Workspace,
  user: IamUser,
  need: Need,
  options: { now: Date; bucketPolicyOf(bucket: string): PolicyDocument | undefined },
): Pick<PreflightCheck, 'wouldAllow' | 'noAllowCanFix'> {
  const statement = statementFor(need.grant);
  const withIt = { ...user, policies: [...user.policies, { Version: '2012-10-17', Statement: [statement] }] };
  const again = checkPermission(workspace, withIt, need, options);
  return again.allowed ? { wouldAllow: statement } : { noAllowCanFix: again.explanation };
}

function decideNeed(
  workspace: Workspace,
  user: IamUser,
  need: Need,
  options: { now: Date; bucketPolicyOf(bucket: string): PolicyDocument | undefined },
): PreflightCheck {
  const { purpose, grant: _grant, ...permission } = need;
  const decision = checkPermission(workspace, user, permission, options);
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
    ...(decision.allowed ? {} : remedyFor(workspace, user, need, options)),
  };
}

export function runPreflight(workspace: Workspace, options: PreflightOptions = {}): PreflightReport {
  const now = options.now ?? new Date();
  const bucketPolicyOf = options.bucketPolicyOf ?? workspaceBucketPolicies(workspace);
  const integrations = integrationNeeds(workspace, now).map(({ needs, ...base }): IntegrationPreflight => {
    const account = workspace.accounts.find((a) => a.name === base.account);
    const user = accountUser(workspace, base.account);
    let checks: PreflightCheck[];
    if (account?.remote) {
      // Its policies are the real account's: preflight --live asks them (docs/go-live.md).
      checks = needs(base.account).map(({ purpose, grant: _grant, ...permission }) => ({
        ...permission,
        purpose,
        allowed: true,
        effect: 'Allow',
        explanation: `Not decided here: account ${base.account} is remote, and its policies are the real account's (s3-harness preflight --live asks them).`,
      }));
    } else if (!user) {
      checks = needs(base.account).map(({ purpose, grant: _grant, ...permission }) => ({
        ...permission,
        purpose,
        allowed: false,
        effect: 'ImplicitDeny',
        explanation: `The account's access key ${account?.accessKeyId ?? '(none)'} belongs to no IAM user of the workspace: every request fails with InvalidAccessKeyId.`,
      }));
    } else {
      checks = needs(user.name).map((need) => decideNeed(workspace, user, need, { now, bucketPolicyOf }));
    }
    return {
      ...base,
      user: user?.name ?? '',
      checks,
      ok: checks.every((c) => c.allowed),
      ...(account?.remote ? { remote: true } : {}),
    };
  });
  const all = integrations.flatMap((i) => i.checks);
  const allowed = all.filter((c) => c.allowed).length;
  return {
    integrations,
    ok: integrations.every((i) => i.ok),
    counts: { integrations: integrations.length, checks: all.length, allowed, denied: all.length - allowed },
  };
}
