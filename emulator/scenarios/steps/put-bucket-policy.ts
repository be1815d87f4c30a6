/** Runs a `putBucketPolicy` step (docs/scenarios.md). */
import { Mismatch, type RunContext, describeError } from '../run-context.ts';
import type { BucketPolicyStep } from '../../../core/scenarios/index.ts';
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';

export async function runPutBucketPolicy(ctx: RunContext, step: BucketPolicyStep): Promise<void> {
  try {
    const client = ctx.client(step.as);
    if (step.policy === null) await client.send(new DeleteBucketPolicyCommand({ Bucket: step.bucket }));
    else await client.send(new PutBucketPolicyCommand({ Bucket: step.bucket, Policy: JSON.stringify(step.policy) }));
  } catch (error) {
    throw new Mismatch(
      `the bucket policy of ${step.bucket} could not be ${step.policy === null ? 'deleted' : 'set'} as ${step.as}: ${describeError(error)}`,
    );
  }
}
