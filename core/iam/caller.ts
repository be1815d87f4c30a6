/**
 * The caller of a request as IAM sees it: its principal, its identity policies, the global condition
 * keys AWS sets on every request, and the policies that decide (identity plus the bucket's). Used by
 * the gateway for real requests and by the preflight for the requests an integration will make.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { createHash } from 'node:crypto';
import { evaluate } from './evaluate.ts';
import type { AttachedPolicy, Decision, PolicyDocument, RequestPrincipal } from './policy-types.ts';

/** A user as far as IAM is concerned: a name and identity policies. */
export interface IamUser {
  name: string;
  policies: PolicyDocument[];
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
  context: Record<string, string>;
}

export interface RequestFacts {
  sourceIp: string;
  secureTransport: boolean;
  now: number;
  authType: 'REST-HEADER' | 'REST-QUERY-STRING' | undefined;
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

export function globalContext(caller: Caller, facts: RequestFacts): Record<string, string> {
  const context: Record<string, string> = {
    'aws:SourceIp': facts.sourceIp.replace(/^::ffff:/, ''),
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:CurrentTime': new Date(facts.now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.now / 1000)),
  };
  if (facts.authType) {
    context['s3:authType'] = facts.authType;
    context['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
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
  baseContext: Record<string, string>,
): Decision {
  return evaluate(
    {
      principal: caller.principal,
      action: permission.action,
      resource: permission.resource,
      context: { ...baseContext, ...permission.context },
    },
    policies,
  );
}
