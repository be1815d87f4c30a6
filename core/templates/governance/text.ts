import type { TextField } from '../template-types.ts';
import { applyTransform } from '../text-transform.ts';
import { requiredIssue, type FieldOutcome, type RuleIssue } from './types.ts';

const compiledPatterns = new Map<string, RegExp>();

/** Length rules count characters (code points), not UTF-16 units; min 0 means optional. */
export function checkText(raw: string, field: TextField): FieldOutcome {
  const value = applyTransform(raw, field.transform);
  if (value === '') {
    if (field.required) return requiredIssue(field.name);
    if ((field.minLength ?? 0) === 0) return { value, issues: [] };
  }
  const issues: RuleIssue[] = [];
  const length = [...value].length;
  const { minLength, maxLength } = field;
  if (minLength !== undefined && maxLength !== undefined && minLength === maxLength && length !== minLength) {
    issues.push({ rule: 'minLength', message: `must be exactly ${minLength} characters long, has ${length}` });
  } else {
    if (minLength !== undefined && length < minLength)
      issues.push({ rule: 'minLength', message: `must be at least ${minLength} characters long, has ${length}` });
    if (maxLength !== undefined && length > maxLength)
      issues.push({ rule: 'maxLength', message: `must be at most ${maxLength} characters long, has ${length}` });
  }
  if (field.noSpaces && /\s/.test(value)) issues.push({ rule: 'noSpaces', message: 'must not contain spaces' });
  if (field.pattern !== undefined) {
    let regExp = compiledPatterns.get(field.pattern);
    if (!regExp) {
      regExp = new RegExp(field.pattern, 'u');
      compiledPatterns.set(field.pattern, regExp);
    }
    if (!regExp.test(value))
      issues.push({ rule: 'pattern', message: field.patternMessage ?? `must match the pattern ${field.pattern}` });
  }
  return { value, issues };
}
