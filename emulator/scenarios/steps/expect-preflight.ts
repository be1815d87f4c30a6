/** Runs an `expectPreflight` step (docs/scenarios.md). */
import { runPreflight } from '../../../core/preflight/index.ts';
import { jsonDiff, matchesSubset, projectOnto } from '../compare.ts';
import { Mismatch, type RunContext } from '../run-context.ts';
import type { PreflightStep } from '../../../core/scenarios/index.ts';

export function expectPreflight(ctx: RunContext, step: PreflightStep): void {
  const report = runPreflight(ctx.loaded.workspace, {
    bucketPolicyOf: (bucket) => ctx.harness.gateway.bucketPolicy(bucket),
    now: ctx.now(),
  });
  if (step.ok !== undefined && report.ok !== step.ok) {
    const denied = report.integrations.flatMap((i) =>
      i.checks.filter((c) => !c.allowed).map((c) => `${i.id}: ${c.action} on ${c.resource}: ${c.explanation}`),
    );
    throw new Mismatch(
      `expected the preflight to be ${step.ok ? 'all allowed' : 'denied somewhere'}, it is ${report.ok ? 'all allowed' : 'denied'}`,
      denied.join('\n'),
    );
  }
  if (step.integration === undefined) return;
  const integration = report.integrations.find((i) => i.id === step.integration);
  if (!integration)
    throw new Mismatch(
      `the preflight has no integration "${step.integration}" (it has ${report.integrations.map((i) => `"${i.id}"`).join(', ')})`,
    );
  const check = integration.checks.find((c) => c.action === step.action);
  if (!check)
    throw new Mismatch(
      `integration "${step.integration}" does not need ${step.action} (it needs ${integration.checks.map((c) => c.action).join(', ')})`,
    );
  const actual = { allowed: check.allowed, statement: check.decidingStatement?.sid, explanation: check.explanation };
  const expected = {
    ...(step.allowed !== undefined ? { allowed: step.allowed } : {}),
    ...(step.statement !== undefined ? { statement: step.statement } : {}),
  };
  if (
    !matchesSubset(expected, actual) ||
    (step.explanation !== undefined && !check.explanation.includes(step.explanation))
  ) {
    throw new Mismatch(
      `the preflight of ${step.integration}, ${step.action}, differs`,
      jsonDiff(
        { ...expected, ...(step.explanation ? { explanation: step.explanation } : {}) },
        projectOnto({ ...expected, ...(step.explanation ? { explanation: '' } : {}) }, actual),
      ),
    );
  }
}
