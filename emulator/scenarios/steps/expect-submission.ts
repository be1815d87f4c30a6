/** Runs an `expectSubmission` step (docs/scenarios.md). */
import { differenceOf, jsonDiff, matchIssues, matchesSubset, projectOnto, sideBySide } from '../compare.ts';
import { Mismatch, type RunContext, formatIssue, waitForSubmissions } from '../run-context.ts';
import type { SubmissionStep } from '../../../core/scenarios/index.ts';
import type { Submission } from '../../../core/submissions/index.ts';

export async function expectSubmission(ctx: RunContext, step: SubmissionStep): Promise<void> {
  const where = `s3://${step.bucket ?? '*'}/${step.key}`;
  // Several submissions of one key (auto-submit's halves, overlapping integrations, the key written
  // again): "status" and "integration" pick, "count" says how many there are and compares the latest.
  const integration = step.fields.integration;
  const pick = (all: readonly Submission[]) =>
    all.filter(
      (s) =>
        (step.status === undefined || s.status === step.status) &&
        (integration === undefined || s.integration === integration),
    );
  const wanted = step.count ?? 1;
  const deadline = Date.now() + step.timeoutMs;
  let all = await waitForSubmissions(ctx, step.bucket, step.key, step.timeoutMs, false);
  while (pick(all).length < wanted && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    all = await waitForSubmissions(ctx, step.bucket, step.key, 0, true);
  }
  if (all.length === 0) throw new Mismatch(`no submission of ${where} after ${step.timeoutMs} ms`);
  const candidates = pick(all);
  if (candidates.length !== wanted) {
    const found = all.map((s) => `${s.status} (integration "${s.integration}")`).join(', ');
    const what =
      [step.status, integration === undefined ? '' : `integration "${String(integration)}"`]
        .filter(Boolean)
        .join(', ') || 'submission';
    throw new Mismatch(
      `expected ${wanted === 1 ? 'one' : wanted} ${what} submission${wanted === 1 ? '' : 's'} of ${where}; it has ${candidates.length} of ${all.length}: ${found}; "status" and "integration" pick, "count" says how many`,
    );
  }
  const submission = candidates[candidates.length - 1]!;
  if (!matchesSubset(step.fields, submission))
    throw new Mismatch(
      `submission ${submission.id} of ${where} differs`,
      differenceOf(step.fields, submission, () => jsonDiff(step.fields, projectOnto(step.fields, submission))),
    );
  if (step.issues) {
    const expected = step.issues;
    const actual = submission.issues as unknown as Record<string, unknown>[];
    const exact = step.issuesMatch === 'exact';
    // Actual issues are shown with the fields the expected ones name, so that alike issues read alike.
    const keys = [...new Set(expected.flatMap((e) => Object.keys(e)))];
    const shown = (issue: Record<string, unknown>) =>
      formatIssue(keys.length ? Object.fromEntries(keys.map((k) => [k, issue[k]])) : issue);
    if (exact) {
      // Exact: the same issues, in any order; what is missing and what is extra, each named.
      const { missing, extra } = matchIssues(expected, actual);
      if (missing.length || extra.length)
        throw new Mismatch(
          `the issues of submission ${submission.id} of ${where} differ (the lists must hold the same issues)`,
          [
            ...missing.map((e) => `missing: ${formatIssue(e as Record<string, unknown>)}`),
            ...extra.map((a) => `extra:   ${shown(a)}`),
          ].join('\n'),
        );
    }
    // Subset: each expected issue against any actual one.
    const found = (e: Record<string, unknown>) => actual.some((a) => matchesSubset(e, a));
    if (!expected.every(found)) {
      const rows = Array.from({ length: Math.max(expected.length, actual.length) }, (_, i) => ({
        ...(expected[i] ? { expected: formatIssue(expected[i]!) } : {}),
        ...(actual[i] ? { actual: shown(actual[i]!) } : {}),
        differs: expected[i] ? !found(expected[i]!) : false,
      }));
      throw new Mismatch(
        `the issues of submission ${submission.id} of ${where} differ (each expected issue must be found)`,
        sideBySide(rows, ['expected issues', 'actual issues']),
      );
    }
  }
  if (step.deliveries && !matchesSubset(step.deliveries, submission.deliveries ?? [])) {
    throw new Mismatch(
      `the deliveries of submission ${submission.id} of ${where} differ`,
      differenceOf(step.deliveries, submission.deliveries ?? [], () =>
        jsonDiff(step.deliveries, projectOnto(step.deliveries, submission.deliveries ?? [])),
      ),
    );
  }
}
