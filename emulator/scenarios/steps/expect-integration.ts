/** Runs an `expectIntegration` step (docs/scenarios.md). */
import { Mismatch, type RunContext } from '../run-context.ts';
import type { IntegrationStep } from '../../../core/scenarios/index.ts';

export async function runExpectIntegration(ctx: RunContext, step: IntegrationStep): Promise<void> {
  const status = ctx.harness.engine
    .integrations()
    .find((i) => i.id === step.id && (step.direction === undefined || i.direction === step.direction));
  if (!status)
    throw new Mismatch(
      `no integration "${step.id}" (there are ${ctx.harness.engine
        .integrations()
        .map((i) => `"${i.id}" (${i.direction})`)
        .join(', ')})`,
    );
  if (status.status !== step.status)
    throw new Mismatch(
      `integration "${step.id}" is ${status.status}, expected ${step.status}`,
      status.warnings.map((w) => w.message).join('\n'),
    );
  if (step.warning && !status.warnings.some((w) => w.message.includes(step.warning!))) {
    throw new Mismatch(
      `no warning of integration "${step.id}" contains the expected text`,
      [`expected text: ${step.warning}`, ...status.warnings.map((w) => `warning: ${w.message}`)].join('\n'),
    );
  }
}
