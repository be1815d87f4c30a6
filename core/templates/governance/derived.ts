/** Fields the platform computes: constant, auto fill, concatenation, autonumber, pattern. */
import { calendarDateOf, formatDate } from '../date-format.ts';
import type { DerivedField, PatternPart } from '../template-types.ts';
import { applyTransform } from '../text-transform.ts';
import { requiredIssue, type DerivationContext, type FieldOutcome, type RowValues } from './types.ts';

const CHARACTER_CLASSES = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
};

/** Zero-padded to the width; grows past it (999 -> 1000). */
export function padNumber(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function patternPart(part: PatternPart, field: string, index: number, row: RowValues, ctx: DerivationContext): string {
  if ('constant' in part) return part.constant;
  if ('delimiter' in part) return part.delimiter;
  if ('field' in part) return row.get(part.field) ?? '';
  if ('date' in part) return formatDate(calendarDateOf(ctx.now()), part.date);
  if ('autonumber' in part)
    return padNumber(ctx.nextNumber(`${field}#${index}`, part.autonumber.start), part.autonumber.width);
  const alphabet = part.random.characters.map((c) => CHARACTER_CLASSES[c]).join('');
  return Array.from({ length: part.random.length }, () => alphabet[ctx.randomInt(alphabet.length)]).join('');
}

export function deriveField(field: DerivedField, row: RowValues, ctx: DerivationContext): FieldOutcome {
  let value: string;
  switch (field.type) {
    case 'constant':
      value = field.value;
      break;
    case 'autofill':
      value = applyTransform(row.get(field.source) ?? '', field.transform);
      break;
    case 'concatenation':
      // Empty parts are skipped, so that no doubled separators appear.
      value = field.fields
        .map((f) => row.get(f) ?? '')
        .filter((v) => v !== '')
        .join(field.separator);
      break;
    case 'autonumber':
      // One counter per field name, shared by every template that has the field.
      value = padNumber(ctx.nextNumber(field.name, field.start), field.width);
      break;
    case 'pattern':
      value = field.parts.map((part, i) => patternPart(part, field.name, i, row, ctx)).join('');
      break;
  }
  return value === '' && field.required ? requiredIssue(field.name) : { value, issues: [] };
}
