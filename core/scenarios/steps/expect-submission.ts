/** `expectSubmission`: the keys it takes and how its JSON is read (docs/scenarios.md). */
import { oneOf, readObjects, type StepDefinition } from './definition.ts';
import { readInteger } from '../../shared/read-fields.ts';

/** Submission fields an `expectSubmission` step may state, compared as a subset. */
const SUBMISSION_FIELDS = [
  'name',
  'template',
  'integration',
  'counts',
  'submittedBy',
  'submittedByEmail',
  'submittedAt',
  'error',
  'issuesNotKept',
  'splitFrom',
];

export const expectSubmission: StepDefinition<'expectSubmission'> = {
  keys: ['bucket', 'key', 'status', 'count', 'issues', 'issuesMatch', 'deliveries', 'timeoutMs', ...SUBMISSION_FIELDS],
  required: ['key'],
  parse(input) {
    const status = oneOf(input, 'status', ['complete', 'failed', 'pending'] as const);
    const bucket = input.str('bucket');
    const issueList = readObjects(input, 'issues');
    const deliveries = readObjects(input, 'deliveries');
    const count = readInteger(input.body, 'count', input.path, input.issues, { min: 1, max: 10_000 });
    const fields = Object.fromEntries(
      SUBMISSION_FIELDS.filter((f) => input.body[f] !== undefined).map((f) => [f, input.body[f]]),
    );
    return {
      kind: 'expectSubmission',
      key: input.str('key', true) ?? '',
      fields,
      issuesMatch: oneOf(input, 'issuesMatch', ['subset', 'exact'] as const) ?? 'subset',
      timeoutMs: readInteger(input.body, 'timeoutMs', input.path, input.issues, { min: 1, max: 600_000 }) ?? 20_000,
      ...(bucket !== undefined ? { bucket } : {}),
      ...(status ? { status } : {}),
      ...(count !== undefined ? { count } : {}),
      ...(issueList ? { issues: issueList } : {}),
      ...(deliveries ? { deliveries } : {}),
    };
  },
};
