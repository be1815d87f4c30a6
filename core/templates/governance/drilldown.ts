import type { DrilldownField } from '../template-types.ts';
import { fail, quote, requiredIssue, type FieldOutcome, type RowValues } from './types.ts';

/** Each level must be a valid child of the level above (Region > Country > Agency). */
export function checkDrilldown(value: string, field: DrilldownField, row: RowValues): FieldOutcome {
  if (value === '') return field.required ? requiredIssue(field.name) : { value, issues: [] };
  const parentValue = row.get(field.parent) ?? '';
  if (parentValue === '') return fail(value, 'drilldown', `needs "${field.parent}" to be chosen first`);
  const children = Object.hasOwn(field.options, parentValue) ? field.options[parentValue]! : [];
  if (!children.includes(value)) {
    return fail(
      value,
      'drilldown',
      children.length
        ? `${JSON.stringify(value)} is not a child of "${field.parent}" = ${JSON.stringify(parentValue)} (expected one of ${quote(children)})`
        : `"${field.parent}" = ${JSON.stringify(parentValue)} has no "${field.name}" choices`,
    );
  }
  return { value, issues: [] };
}
