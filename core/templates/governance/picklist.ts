import type { PicklistField } from '../template-types.ts';
import { quote, requiredIssue, type FieldOutcome } from './types.ts';

/** A near match that differs only by case or surrounding spaces: the usual reason a value is refused. */
function hint(value: string, allowed: readonly string[]): string {
  const near = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  return near ? ` (did you mean ${JSON.stringify(near)}? case and spaces must match exactly)` : '';
}

/** Values must be in the list with exact case; multi-select cells split on the delimiter. */
export function checkPicklist(value: string, field: PicklistField): FieldOutcome {
  if (value === '') return field.required ? requiredIssue(field.name) : { value, issues: [] };
  const parts = field.multiple ? value.split(field.delimiter) : [value];
  const issues = [];
  for (const part of parts) {
    if (part === '')
      issues.push({
        rule: 'picklist',
        message: `has an empty choice between ${JSON.stringify(field.delimiter)} delimiters`,
      });
    else if (!field.values.includes(part))
      issues.push({
        rule: 'picklist',
        message: `${JSON.stringify(part)} is not one of ${quote(field.values)}${hint(part, field.values)}`,
      });
  }
  if (field.multiple && new Set(parts).size !== parts.length)
    issues.push({ rule: 'picklist', message: 'lists a choice twice' });
  return issues.length ? { value, issues } : { value, issues: [] };
}
