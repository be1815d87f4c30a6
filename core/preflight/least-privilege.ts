/**
 * The least-privilege identity policy of a connected account: one statement per thing its integrations
 * need (what the preflight checks), with exact resources (the bucket, the prefix wildcard), the
 * `s3:prefix` condition for listing and the SSE condition for encrypted writes, and nothing else. It is
 * what the product article's custom-policy section asks the customer to write by hand (docs/go-live.md).
 *
 * A need the bucket's policy already grants the user, across the whole resource, gets no statement (it
 * would be superfluous); a need no Allow can satisfy (a Deny, a permissions boundary) is reported, not
 * papered over. The result is
 * checked the way the gateway decides: a user holding exactly the policy is allowed every need.
 */
import {
  type Decision,
  type IamUser,
  type PolicyDocument,
  type PolicyStatement,
  type StatementRef,
} from '../iam/index.ts';
import { accountUser, type Workspace } from '../workspace/index.ts';
import { integrationNeeds, statementFor, type Grant, type IntegrationNeeds, type Need } from './needs.ts';
import { checkPermission, workspaceBucketPolicies } from './preflight.ts';

export interface PolicyOptions {
  /** One account's policy. @default every account an integration uses */
  account?: string;
  /** One policy per account, or one per integration (for customers who attach one per use). @default 'account' */
  per?: 'account' | 'integration';
  /** The bucket mode to write the policy for, whatever the integrations say. @default each integration's own */
  bucketMode?: 'list' | 'manual';
  /** In List Buckets mode, grant s3:ListAllMyBuckets (the dropdown); without it the product falls back to Manual Bucket Entry. @default true */
  listAllMyBuckets?: boolean;
  /** The bucket's policy now. @default the workspace's */
  bucketPolicyOf?: (bucket: string) => PolicyDocument | undefined;
  now?: Date;
}

export interface GeneratedStatement {
  statement: PolicyStatement;
  /** Why it is there: each need it grants, with its integration. */
  reasons: { integration: string; purpose: string }[];
}

export interface UngrantedNeed {
  integration: string;
  action: string;
  resource: string;
  purpose: string;
  /** Why no statement grants it. */
  explanation: string;
  /** The statement that decided (the bucket policy's Allow, or the Deny in the way). */
  statement?: StatementRef;
}

export interface GeneratedPolicy {
  account: string;
  /** The IAM user whose keys the account holds, when the workspace has it. */
  user?: string;
  /** With `per: 'integration'`: whose policy it is. */
  integration?: string;
  document: PolicyDocument;
  statements: GeneratedStatement[];
  /** Needs the bucket policy already grants the user: no statement here. */
  grantedByBucketPolicy: UngrantedNeed[];
  /** Needs no Allow here can satisfy: a Deny or a permissions boundary stands in the way. */
  blocked: UngrantedNeed[];
  /** Needs left out on purpose (List Buckets mode without s3:ListAllMyBuckets). */
  leftOut: UngrantedNeed[];
  /** A user holding exactly this policy is allowed every need not left out. */
  enough: boolean;
}

export type PolicyResult =
  | { ok: true; policies: GeneratedPolicy[] }
  | { ok: false; reason: 'no-such-account' | 'nothing-to-grant'; error: string };

type Decide = (user: IamUser, need: Need) => Decision;

/** Does `wider` grant every request `narrower` does? (same action; a prefix wildcard or the same resource; no stricter condition) */
function covers(wider: Grant, narrower: Grant): boolean {
  if (wider.action !== narrower.action) return false;
  if (wider.condition && JSON.stringify(wider.condition) !== JSON.stringify(narrower.condition)) return false;
  if (wider.resource === narrower.resource) return true;
  return wider.resource.endsWith('*') && narrower.resource.startsWith(wider.resource.slice(0, -1));
}

/** Statements for the grants, each once: a grant another covers joins it, and takes over those it covers. */
function mergeGrants(grants: { grant: Grant; integration: string; purpose: string }[]): GeneratedStatement[] {
  const merged: { grant: Grant; reasons: GeneratedStatement['reasons'] }[] = [];
  for (const { grant, integration, purpose } of grants) {
    const reason = { integration, purpose };
    const wider = merged.find((m) => covers(m.grant, grant));
    if (wider) {
      if (!wider.reasons.some((r) => r.integration === integration && r.purpose === purpose))
        wider.reasons.push(reason);
      continue;
    }
    const narrower = merged.filter((m) => covers(grant, m.grant));
    const entry = { grant, reasons: [...narrower.flatMap((m) => m.reasons), reason] };
    const at = narrower.length ? merged.indexOf(narrower[0]!) : merged.length;
    for (const m of narrower) merged.splice(merged.indexOf(m), 1);
    merged.splice(Math.min(at, merged.length), 0, entry);
  }
  // Sids are unique in a policy: a repeated one gets a number.
  const seen = new Map<string, number>();
  return merged.map(({ grant, reasons }) => {
    const count = (seen.get(grant.sid) ?? 0) + 1;
    seen.set(grant.sid, count);
    return { statement: statementFor({ ...grant, sid: count > 1 ? `${grant.sid}${count}` : grant.sid }), reasons };
  });
}

function ungranted(integration: string, need: Need, explanation: string, statement?: StatementRef): UngrantedNeed {
  return {
    integration,
    action: need.action,
    resource: need.resource,
    purpose: need.purpose,
    explanation,
    ...(statement ? { statement } : {}),
  };
}

/**
 * The need at keys across its grant's wildcard, the sample first: a bucket policy grants the need only if it
 * grants every one of them. One granting part of the prefix (another folder, a name pattern, the sample
 * file alone) would otherwise count, and the drops outside that part would be denied at go-live.
 */
function acrossTheGrant(need: Need): Need[] {
  const pattern = need.grant.resource;
  // Object resources only (`arn:aws:s3:::bucket/prefix*`); ListAllMyBuckets's `*` is no prefix.
  if (!/^arn:aws:s3:::[^/]+\/.*\*$/.test(pattern)) return [need];
  const base = pattern.slice(0, -1);
  // Same extension as the sample: a policy on `*.csv` grants every drop of a CSV integration.
  const extension = /\.[A-Za-z0-9]+$/.exec(need.resource)?.[0] ?? '';
  const tails = ['0', 'a', 'Z', '~', 'zz/zz/z'].map((start) => `${start}-probe${extension}`);
  return [need, ...tails.map((tail) => ({ ...need, resource: `${base}${tail}` }))];
}

function policyFor(
  integrations: IntegrationNeeds[],
  user: IamUser,
  decide: Decide,
  options: Required<Pick<PolicyOptions, 'listAllMyBuckets'>>,
): Omit<GeneratedPolicy, 'account' | 'user' | 'integration'> {
  const withoutPolicies: IamUser = { ...user, policies: [] };
  const grants: { grant: Grant; integration: string; purpose: string }[] = [];
  const needed: { integration: string; need: Need }[] = [];
  const result = {
    grantedByBucketPolicy: [] as UngrantedNeed[],
    blocked: [] as UngrantedNeed[],
    leftOut: [] as UngrantedNeed[],
  };
  for (const integration of integrations) {
    for (const need of integration.needs(user.name)) {
      if (need.action === 's3:ListAllMyBuckets' && !options.listAllMyBuckets) {
        result.leftOut.push(
          ungranted(
            integration.id,
            need,
            'left out on request: the bucket dropdown stays empty, and the product falls back to Manual Bucket Entry',
          ),
        );
        continue;
      }
      const alone = decide(withoutPolicies, need);
      if (alone.allowed && acrossTheGrant(need).every((probe) => decide(withoutPolicies, probe).allowed)) {
        result.grantedByBucketPolicy.push(ungranted(integration.id, need, alone.explanation, alone.decidingStatement));
        needed.push({ integration: integration.id, need });
        continue;
      }
      // Its statement alone: an Allow satisfies it, or a Deny or a boundary refuses it (and a statement would be superfluous).
      const own = { ...withoutPolicies, policies: [{ Version: '2012-10-17', Statement: [statementFor(need.grant)] }] };
      const granted = decide(own, need);
      if (!granted.allowed) {
        result.blocked.push(ungranted(integration.id, need, granted.explanation, granted.decidingStatement));
        continue;
      }
      grants.push({ grant: need.grant, integration: integration.id, purpose: need.purpose });
      needed.push({ integration: integration.id, need });
    }
  }
  const statements = mergeGrants(grants);
  const document: PolicyDocument = { Version: '2012-10-17', Statement: statements.map((s) => s.statement) };
  const holder: IamUser = { ...user, policies: [document] };
  // The proof: a user holding exactly the document is allowed every need (merging only widens, so it holds by construction; checked anyway).
  const verified = needed.every(({ need }) => decide(holder, need).allowed);
  return { document, statements, ...result, enough: verified && result.blocked.length === 0 };
}

/** The workspace with every integration in the bucket mode asked for. */
function inBucketMode(workspace: Workspace, mode: PolicyOptions['bucketMode']): Workspace {
  if (!mode) return workspace;
  return {
    ...workspace,
    templates: workspace.templates.map((t) => ({
      ...t,
      inbound: t.inbound.map((i) => ({ ...i, bucketMode: mode })),
      outbound: t.outbound.map((o) => ({ ...o, bucketMode: mode })),
    })),
  };
}

export function leastPrivilegePolicies(workspace: Workspace, options: PolicyOptions = {}): PolicyResult {
  const now = options.now ?? new Date();
  const bucketPolicyOf = options.bucketPolicyOf ?? workspaceBucketPolicies(workspace);
  const all = integrationNeeds(inBucketMode(workspace, options.bucketMode), now);
  const used = [...new Set(all.map((i) => i.account))];
  if (options.account !== undefined && !workspace.accounts.some((a) => a.name === options.account)) {
    const names = workspace.accounts.map((a) => `"${a.name}"`).join(', ') || 'none';
    return {
      ok: false,
      reason: 'no-such-account',
      error: `no account "${options.account}" in the workspace (its accounts: ${names})`,
    };
  }
  const accounts = options.account !== undefined ? [options.account] : used;
  if (accounts.length === 0 || !used.includes(accounts[0]!))
    return {
      ok: false,
      reason: 'nothing-to-grant',
      error: `${options.account !== undefined ? `account "${options.account}" has` : 'the workspace has'} no integration: there is nothing to grant`,
    };
  const decide: Decide = (user, need) => checkPermission(workspace, user, need, { now, bucketPolicyOf });
  const listAllMyBuckets = options.listAllMyBuckets ?? true;
  const policies = accounts.flatMap((account) => {
    const integrations = all.filter((i) => i.account === account);
    const holder = accountUser(workspace, account);
    // A remote account's user is the real one: its name stands in for the checks here.
    const user: IamUser = holder ?? { name: account, policies: [] };
    const who = { account, ...(holder ? { user: holder.name } : {}) };
    return options.per === 'integration'
      ? integrations.map((i) => ({ ...who, integration: i.id, ...policyFor([i], user, decide, { listAllMyBuckets }) }))
      : [{ ...who, ...policyFor(integrations, user, decide, { listAllMyBuckets }) }];
  });
  return { ok: true, policies };
}
