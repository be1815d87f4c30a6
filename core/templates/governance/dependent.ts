import type { DependentField } from '../template-types.ts';
import { fail, requiredIssue, type FieldOutcome, type RowValues } from './types.ts';

/** Filled from the source field through the map; an imported value that conflicts is an error. */
export function checkDependent(value: string, field: DependentField, row: RowValues): FieldOutcome {
  const sourceValue = row.get(field.source) ?? '';
  const mapped = Object.hasOwn(field.map, sourceValue) ? field.map[sourceValue] : undefined;
  if (value === '') {
    const filled = mapped ?? '';
    return filled === '' && field.required ? requiredIssue(field.name) : { value: filled, issues: [] };
  }
  if (mapped === undefined) {
    return fail(
      value,
      'dependent',
      sourceValue === ''
        ? `cannot be set while "${field.source}" is empty`
        : `"${field.source}" = ${JSON.stringify(sourceValue)} has no mapped value for "${field.name}"`,
    );
  }
  if (value !== mapped) {
    return fail(
      value,
      'dependent',
      `conflicts with ${JSON.stringify(mapped)}, the value "${field.source}" = ${JSON.stringify(sourceValue)} maps to (leave it blank to fill it)`,
    );
  }
  return { value, issues: [] };
}
