/** What every governance rule returns: the value to store, and what is wrong with it. */
export interface RuleIssue {
  /** `required`, `minLength`, `maxLength`, `noSpaces`, `pattern`, `picklist`, `dependent`, `drilldown`, `date` */
  rule: string;
  message: string;
}

export interface FieldOutcome {
  value: string;
  issues: RuleIssue[];
}

/** Values of the row's fields computed so far, by field name. */
export type RowValues = ReadonlyMap<string, string>;

/** What derived fields need from outside: counters, the clock, randomness. */
export interface DerivationContext {
  /** The next number of a counter (first call returns `start`). */
  nextNumber(counter: string, start: number): number;
  now(): Date;
  /** A whole number in [0, below). */
  randomInt(below: number): number;
}

export function ok(value: string): FieldOutcome {
  return { value, issues: [] };
}

export function fail(value: string, rule: string, message: string): FieldOutcome {
  return { value, issues: [{ rule, message }] };
}

export function requiredIssue(name: string): FieldOutcome {
  return fail('', 'required', `"${name}" is required`);
}

export function quote(values: readonly string[], limit = 8): string {
  const shown = values
    .slice(0, limit)
    .map((v) => JSON.stringify(v))
    .join(', ');
  return values.length > limit ? `${shown} and ${values.length - limit} more` : shown;
}
