/** A problem found in user input, named by where it is and what was expected. */
export interface InputIssue {
  /** `iam.users[1].policies[0].Statement[2]` */
  path: string;
  message: string;
}

export function formatIssue(issue: InputIssue): string {
  return issue.path ? `${issue.path}: ${issue.message}` : issue.message;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; issues: InputIssue[] };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
