/**
 * The caller of a request as IAM sees it: its principal, its identity policies, the global condition
 * keys AWS sets on every request, and the policies that decide (identity plus the bucket's). Used by
 * the gateway for real requests and by the preflight for the requests an integration will make.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { createHash } from 'node:crypto';
import { evaluate } from './evaluate.ts';
import type { AttachedPolicy, ContextValue, Decision, PolicyDocument, RequestPrincipal } from './policy-types.ts';

/** A user as far as IAM is concerned: a name and identity policies. */
export interface IamUser {
  name: string;
  policies: PolicyDocument[];
  /**
   * Keys production requests of this user carry that a local request cannot (`aws:SourceVpce`,
   * `aws:PrincipalTag/team`, ...), declared by the workspace; they override the local values.
   */
  requestContext?: Readonly<Record<string, ContextValue>>;
}

export interface Caller {
  principal: RequestPrincipal;
  user?: IamUser;
}

/** What IAM must know of a request, beyond its action and resource. */
export interface Permission {
  action: string;
  resource: string;
  /** Operation-specific condition keys (`s3:prefix`, `s3:x-amz-server-side-encryption`, ...). */
  context: Record<string, ContextValue>;
}

export interface RequestFacts {
  sourceIp: string;
  secureTransport: boolean;
  now: number;
  authType: 'REST-HEADER' | 'REST-QUERY-STRING' | undefined;
  /** When the request was signed (its `X-Amz-Date`), for `s3:signatureAge`. */
  signedAt?: number;
  /** The `Referer` and `User-Agent` headers, when sent. */
  referer?: string;
  userAgent?: string;
  /** The workspace's region (`aws:RequestedRegion`) and account (`aws:ResourceAccount`: every bucket is the account's). */
  region?: string;
  resourceAccount?: string;
}

/** A stable IAM unique id (`AIDA...`) for a user name, as IAM gives every user one. */
export function userIdOf(accountId: string, userName: string): string {
  return `AIDA${createHash('sha256').update(`${accountId}:${userName}`).digest('hex').slice(0, 17).toUpperCase()}`;
}

export function principalOf(workspace: { accountId: string }, user: IamUser): RequestPrincipal {
  return {
    kind: 'user',
    accountId: workspace.accountId,
    userName: user.name,
    userId: userIdOf(workspace.accountId, user.name),
    arn: `arn:aws:iam::${workspace.accountId}:user/${user.name}`,
  };
}

export function globalContext(caller: Caller, facts: RequestFacts): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {
    'aws:SourceIp': facts.sourceIp.replace(/^::ffff:/, ''),
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:CurrentTime': new Date(facts.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.now / 1000)),
  };
  if (facts.authType) {
    context['s3:authType'] = facts.authType;
    context['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
  }
  // The signature's age in milliseconds.
  // https://docs.aws.amazon.com/AmazonS3/latest/API/bucket-policy-s3-sigv4-conditions.html
  if (facts.signedAt !== undefined) context['s3:signatureAge'] = String(Math.max(0, facts.now - facts.signedAt));
  if (facts.referer !== undefined) context['aws:Referer'] = facts.referer;
  if (facts.userAgent !== undefined) context['aws:UserAgent'] = facts.userAgent;
  if (facts.region !== undefined) context['aws:RequestedRegion'] = facts.region;
  if (facts.resourceAccount !== undefined) {
    context['aws:ResourceAccount'] = facts.resourceAccount;
    context['s3:ResourceAccount'] = facts.resourceAccount;
  }
  if (caller.principal.kind === 'user') {
    Object.assign(context, {
      'aws:username': caller.principal.userName,
      'aws:userid': caller.principal.userId,
      'aws:PrincipalArn': caller.principal.arn,
      'aws:PrincipalAccount': caller.principal.accountId,
      'aws:PrincipalType': 'User',
    });
  }
  // Declared keys win: they are what production requests carry (a key's case never matters).
  for (const [key, value] of Object.entries(caller.user?.requestContext ?? {})) {
    for (const existing of Object.keys(context))
      if (existing.toLowerCase() === key.toLowerCase()) delete context[existing];
    context[key] = value;
  }
  return context;
}

/** The policies that apply to a caller and a bucket: the user's identity policies and the bucket's policy. */
export function applicablePolicies(
  caller: Caller,
  bucket: string | undefined,
  bucketPolicy: PolicyDocument | undefined,
): AttachedPolicy[] {
  const policies: AttachedPolicy[] = (caller.user?.policies ?? []).map((document, index) => ({
    source: { kind: 'identity' as const, userName: caller.user!.name, index },
    document,
  }));
  if (bucket && bucketPolicy) policies.push({ source: { kind: 'bucket', bucket }, document: bucketPolicy });
  return policies;
}

export function decide(
  caller: Caller,
  permission: Permission,
  policies: AttachedPolicy[],
  baseContext: Readonly<Record<string, ContextValue>>,
): Decision {
  const declared = Object.keys(caller.user?.requestContext ?? {});
  return evaluate(
    {
      principal: caller.principal,
      action: permission.action,
      resource: permission.resource,
      context: { ...baseContext, ...permission.context },
      ...(declared.length ? { declaredKeys: new Set(declared.map((k) => k.toLowerCase())) } : {}),
    },
    policies,
  );
}
