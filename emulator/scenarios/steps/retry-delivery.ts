/** Runs a `retryDelivery` step (docs/scenarios.md). */
import { Mismatch, type RunContext, waitForSubmissions } from '../run-context.ts';
import type { RetryStep } from '../../../core/scenarios/index.ts';

export async function runRetryDelivery(ctx: RunContext, step: RetryStep): Promise<void> {
  const [submission] = (await waitForSubmissions(ctx, step.bucket, step.key, 0, true)).filter(
    (s) => s.status === 'complete',
  );
  if (!submission)
    throw new Mismatch(`no complete submission of s3://${step.bucket ?? '*'}/${step.key} to retry a delivery of`);
  const index = (submission.deliveries ?? []).findIndex((d) => d.integration === step.integration);
  if (index < 0) throw new Mismatch(`submission ${submission.id} has no delivery of integration "${step.integration}"`);
  const result = await ctx.harness.engine.retryDelivery({ submissionId: submission.id, index });
  if (!result.ok) throw new Mismatch(`the retry was refused: ${result.message}`);
}
