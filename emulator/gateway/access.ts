/** Authorisation steps shared by the handlers, including S3's 403-versus-404 rule. */
import { decideForCaller, type Decision } from '../../core/iam/index.ts';
import { accessDenied } from './authorizer.ts';
import type { GatewayRequest, GatewayServices } from './context.ts';
import { bucketArn } from './operations/arn.ts';
import type { RequiredPermission } from './operations/permissions.ts';
import { S3Error } from './s3-errors.ts';

/** Evaluates one permission for the caller (identity policies plus the bucket's policy) and reports it. */
export function evaluatePermission(s: GatewayServices, g: GatewayRequest, permission: RequiredPermission): Decision {
  const { decision } = decideForCaller(g.caller, permission, {
    bucketPolicyOf: (bucket) => s.state.policyOf(bucket),
    restrictsPublicBuckets: (bucket) => s.state.publicAccessBlockOf(bucket)?.RestrictPublicBuckets === true,
    baseContext: g.baseContext,
  });
  s.events.emit('decision', {
    requestId: g.requestId,
    operation: g.operation.name,
    action: permission.action,
    resource: permission.resource,
    context: permission.context,
    decision,
    ...(g.caller.user ? { userName: g.caller.user.name } : {}),
  });
  return decision;
}

export function authorize(s: GatewayServices, g: GatewayRequest, permission: RequiredPermission): void {
  const decision = evaluatePermission(s, g, permission);
  if (!decision.allowed) throw accessDenied(g.caller, permission, decision);
}

export function assertBucketExists(s: GatewayServices, bucket: string): void {
  if (!s.store.hasBucket(bucket)) {
    throw new S3Error('NoSuchBucket', undefined, { BucketName: bucket });
  }
}

/**
 * A missing key is 404 NoSuchKey only for a caller allowed to list the bucket; otherwise S3
 * answers 403 AccessDenied, so that keys cannot be probed.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Permissions)
 */
export function missingObject(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): S3Error {
  const permission: RequiredPermission = { action: 's3:ListBucket', resource: bucketArn(bucket), context: {} };
  const decision = evaluatePermission(s, g, permission);
  if (decision.allowed) return new S3Error('NoSuchKey', undefined, { Key: key });
  const denied = accessDenied(g.caller, permission, decision);
  return new S3Error(
    'AccessDenied',
    'Access Denied',
    {},
    {
      ...denied.headers,
      'x-s3-harness-explanation': `The key does not exist, and the caller may not list the bucket, so S3 answers AccessDenied rather than NoSuchKey. ${denied.headers['x-s3-harness-explanation'] ?? ''}`,
    },
  );
}
