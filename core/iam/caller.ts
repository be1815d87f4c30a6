/**
 * The caller of a request as IAM sees it: its principal, its identity policies, the global condition
 * keys AWS sets on every request, and the policies that decide (identity plus the bucket's). Used by
 * the gateway for real requests and by the preflight for the requests an integration will make.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { createHash } from 'node:crypto';
import { describeStatement, evaluate } from './evaluate.ts';
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
  /** The managed policy set as the user's permissions boundary: the most its identity policies may grant. */
  permissionsBoundary?: PolicyDocument;
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
  const request = {
    principal: caller.principal,
    action: permission.action,
    resource: permission.resource,
    context: { ...baseContext, ...permission.context },
    ...(declared.length ? { declaredKeys: new Set(declared.map((k) => k.toLowerCase())) } : {}),
  };
  const decision = evaluate(request, policies);
  const boundary = caller.user?.permissionsBoundary;
  return boundary ? withinBoundary(decision, evaluate(request, [boundaryOf(caller.user!.name, boundary)])) : decision;
}

function boundaryOf(userName: string, document: PolicyDocument): AttachedPolicy {
  return { source: { kind: 'boundary', userName }, document };
}

/**
 * A permissions boundary caps what identity policies grant: an identity Allow counts only if the
 * boundary allows too, and a Deny in the boundary denies. A bucket policy that grants to the user
 * itself is not capped by it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
function withinBoundary(decision: Decision, boundary: Decision): Decision {
  if (boundary.effect === 'ExplicitDeny')
    return { ...boundary, matchedStatements: [...decision.matchedStatements, ...boundary.matchedStatements] };
  if (!decision.allowed || boundary.allowed) return decision;
  // An allowed decision matched no Deny: a bucket statement among those that applied is an Allow.
  const bucketGrant = decision.matchedStatements.find((ref) => ref.source.kind === 'bucket');
  if (bucketGrant)
    return {
      ...decision,
      decidingStatement: bucketGrant,
      explanation: `Allowed by ${describeStatement(bucketGrant)}.`,
    };
  const { decidingStatement: _allowedBy, ...rest } = decision;
  return {
    ...rest,
    effect: 'ImplicitDeny',
    deniedByBoundary: true,
    allowed: false,
    nearMisses: [...decision.nearMisses, ...boundary.nearMisses],
    unmodelledKeys: [...decision.unmodelledKeys, ...boundary.unmodelledKeys],
    explanation: `Implicitly denied: ${decision.explanation.replace(/\.$/, '')}, but the user's permissions boundary does not allow it. ${boundary.explanation}`,
  };
}
