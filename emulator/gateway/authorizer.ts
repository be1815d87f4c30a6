/**
 * Who is calling, and may they: the workspace's users, their identity policies and the buckets'
 * policies, evaluated by core/iam. Denials become AWS's AccessDenied with AWS's message form.
 */
import type { Caller, Decision } from '../../core/iam/index.ts';
import type { RequiredPermission } from './operations/permissions.ts';
import { S3Error } from './s3-errors.ts';

export {
  applicablePolicies,
  decide,
  globalContext,
  principalOf,
  type Caller,
  type RequestFacts,
} from '../../core/iam/index.ts';

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
    const source = decision.decidingStatement?.source.kind;
    if (decision.effect === 'ExplicitDeny') {
      const where =
        source === 'bucket'
          ? 'a resource-based policy'
          : source === 'boundary'
            ? 'a permissions boundary'
            : 'an identity-based policy';
      message = `${base} with an explicit deny in ${where}`;
    } else if (decision.deniedByBoundary) {
      message = `${base} because no permissions boundary allows the ${permission.action} action`;
    } else {
      message = `${base} because no identity-based policy allows the ${permission.action} action`;
    }
  }
  return new S3Error('AccessDenied', message, {}, { [EXPLANATION_HEADER]: headerSafe(decision.explanation) });
}
