import { formatDate, parseDate } from '../date-format.ts';
import type { DateField } from '../template-types.ts';
import { fail, quote, requiredIssue, type FieldOutcome } from './types.ts';

/** Accepted input formats are converted to the field's format; anything else is an error. */
export function checkDate(value: string, field: DateField): FieldOutcome {
  if (value === '') return field.required ? requiredIssue(field.name) : { value, issues: [] };
  for (const format of field.inputFormats) {
    const date = parseDate(value, format);
    if (date) return { value: formatDate(date, field.format), issues: [] };
  }
  return fail(
    value,
    'date',
    `${JSON.stringify(value)} is not a date in ${field.inputFormats.length > 1 ? 'any of the formats' : 'the format'} ${quote(field.inputFormats)}`,
  );
}
