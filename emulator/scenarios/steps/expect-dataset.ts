/** Runs an `expectDataset` step (docs/scenarios.md). */
import { differenceOf, jsonDiff, matchesSubset, projectOnto } from '../compare.ts';
import { Mismatch, type RunContext } from '../run-context.ts';
import type { DatasetStep } from '../../../core/scenarios/index.ts';

export async function runExpectDataset(ctx: RunContext, step: DatasetStep): Promise<void> {
  await ctx.harness.engine.idle();
  const template = ctx.loaded.workspace.templates.find((t) => t.name === step.template);
  if (!template) throw new Mismatch(`no template "${step.template}" in the workspace`);
  const rows: unknown[] = [];
  for await (const row of ctx.harness.engine.store.dataset(template.name, template.updateKeys)) rows.push(row);
  if (!matchesSubset(step.rows, rows))
    throw new Mismatch(
      `the dataset of ${step.template} differs`,
      differenceOf(step.rows, rows, () => jsonDiff(step.rows, projectOnto(step.rows, rows))),
    );
}
