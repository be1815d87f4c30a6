/** Runs an `expectNoSubmission` step (docs/scenarios.md). */
import { Mismatch, type RunContext, waitForSubmissions } from '../run-context.ts';
import type { NoSubmissionStep } from '../../../core/scenarios/index.ts';

export async function runExpectNoSubmission(ctx: RunContext, step: NoSubmissionStep): Promise<void> {
  const found = await waitForSubmissions(ctx, step.bucket, step.key, 0, true);
  if (found.length)
    throw new Mismatch(
      `expected no submission of s3://${step.bucket ?? '*'}/${step.key}, found ${found.map((s) => `${s.id} (${s.status})`).join(', ')}`,
    );
}
