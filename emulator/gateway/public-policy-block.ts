/** BlockPublicPolicy, applied to PutBucketPolicy (public-access-block.ts keeps the settings). */
import { isPublicPolicy, type PolicyDocument } from '../../core/iam/index.ts';
import type { GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';

/** PutBucketPolicy under BlockPublicPolicy: a public policy is refused, as AWS refuses it. */
export function assertPolicyAllowedByBlock(s: GatewayServices, bucket: string, policy: PolicyDocument): void {
  if (s.state.publicAccessBlockOf(bucket)?.BlockPublicPolicy && isPublicPolicy(policy))
    throw new S3Error(
      'AccessDenied',
      'Access Denied',
      {},
      {
        'x-s3-harness-explanation':
          "The policy is public (an Allow for Principal * with no condition fixing who), and the bucket's Block Public Access sets BlockPublicPolicy.",
      },
    );
}
