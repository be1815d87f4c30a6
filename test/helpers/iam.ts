import type { AttachedPolicy, AuthorizationRequest, PolicyStatement, RequestPrincipal } from '../../core/iam/index.ts';

export const ACCOUNT = '123456789012';

export function user(name: string): RequestPrincipal {
  return {
    kind: 'user',
    accountId: ACCOUNT,
    userName: name,
    userId: `AIDA${name.toUpperCase()}`,
    arn: `arn:aws:iam::${ACCOUNT}:user/${name}`,
  };
}

export function identity(statements: PolicyStatement[], userName = 'uma', index = 0): AttachedPolicy {
  return { source: { kind: 'identity', userName, index }, document: { Version: '2012-10-17', Statement: statements } };
}

export function bucketPolicy(bucket: string, statements: PolicyStatement[]): AttachedPolicy {
  return { source: { kind: 'bucket', bucket }, document: { Version: '2012-10-17', Statement: statements } };
}

export function request(
  action: string,
  resource: string,
  context: AuthorizationRequest['context'] = {},
  principal = user('uma'),
): AuthorizationRequest {
  const base =
    principal.kind === 'user'
      ? { 'aws:username': principal.userName, 'aws:userid': principal.userId, 'aws:PrincipalArn': principal.arn }
      : {};
  return { principal, action, resource, context: { ...base, ...context } };
}
