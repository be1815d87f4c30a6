/**
 * Who is calling, and may they: the workspace's users, their identity policies and the buckets'
 * policies, evaluated by core/iam. Denials become AWS's AccessDenied with AWS's message form.
 */
import { createHash } from 'node:crypto';
import { evaluate, type AttachedPolicy, type Decision, type PolicyDocument, type RequestPrincipal } from '../../core/iam/index.ts';
import type { Workspace, WorkspaceUser } from '../../core/workspace/index.ts';
import type { RequiredPermission } from './operations.ts';
import { S3Error } from './s3-errors.ts';

export interface Caller {
  principal: RequestPrincipal;
  user?: WorkspaceUser;
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

export function principalOf(workspace: Workspace, user: WorkspaceUser): RequestPrincipal {
  return {
    kind: 'user', accountId: workspace.accountId, userName: user.name,
    userId: userIdOf(workspace.accountId, user.name), arn: `arn:aws:iam::${workspace.accountId}:user/${user.name}`,
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

export interface AuthorizationOutcome {
  permission: RequiredPermission;
  decision: Decision;
}

/** The policies that apply to a caller and a bucket: the user's identity policies and the bucket's policy. */
export function applicablePolicies(caller: Caller, bucket: string | undefined, bucketPolicy: PolicyDocument | undefined): AttachedPolicy[] {
  const policies: AttachedPolicy[] = (caller.user?.policies ?? []).map((document, index) => ({
    source: { kind: 'identity' as const, userName: caller.user!.name, index }, document,
  }));
  if (bucket && bucketPolicy) policies.push({ source: { kind: 'bucket', bucket }, document: bucketPolicy });
  return policies;
}

export function decide(caller: Caller, permission: RequiredPermission, policies: AttachedPolicy[], baseContext: Record<string, string>): Decision {
  return evaluate({ principal: caller.principal, action: permission.action, resource: permission.resource, context: { ...baseContext, ...permission.context } }, policies);
}

/** Header values must be printable ASCII. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
}

export const EXPLANATION_HEADER = 'x-s3-harness-explanation';

/**
 * AWS's same-account AccessDenied message.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html
 */
export function accessDenied(caller: Caller, permission: RequiredPermission, decision: Decision): S3Error {
  let message = 'Access Denied';
  if (caller.principal.kind === 'user') {
    const base = `User: ${caller.principal.arn} is not authorized to perform: ${permission.action} on resource: "${permission.resource}"`;
    if (decision.effect === 'ExplicitDeny') {
      const where = decision.decidingStatement?.source.kind === 'bucket' ? 'a resource-based policy' : 'an identity-based policy';
      message = `${base} with an explicit deny in ${where}`;
    } else {
      message = `${base} because no identity-based policy allows the ${permission.action} action`;
    }
  }
  return new S3Error('AccessDenied', message, {}, { [EXPLANATION_HEADER]: headerSafe(decision.explanation) });
}
