/**
 * Small readers for validating JSON objects by hand, each recording an issue with its path and what
 * was expected, and returning a usable value so that validation can go on and list every problem.
 */
import { describeType, isRecord, type InputIssue } from './issues.ts';

export type JsonObject = Record<string, unknown>;

export function unknownKeys(value: JsonObject, allowed: readonly string[], path: string, issues: InputIssue[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      issues.push({
        path,
        message: `unknown key "${key}" (expected ${allowed.filter((k) => !k.startsWith('$')).join(', ')})`,
      });
  }
}

export function readString(
  value: JsonObject,
  key: string,
  path: string,
  issues: InputIssue[],
  options: { required?: boolean; pattern?: { test: RegExp; expected: string }; allowEmpty?: boolean } = {},
): string | undefined {
  const v = value[key];
  if (v === undefined) {
    if (options.required) issues.push({ path, message: `"${key}" is required` });
    return undefined;
  }
  if (typeof v !== 'string' || (!options.allowEmpty && v.length === 0)) {
    issues.push({
      path,
      message: `"${key}" must be a ${options.allowEmpty ? '' : 'non-empty '}string, got ${describeType(v)}`,
    });
    return undefined;
  }
  if (options.pattern && !options.pattern.test.test(v))
    issues.push({ path, message: `"${key}" ${options.pattern.expected}, got ${JSON.stringify(v)}` });
  return v;
}

/** `"a"`, `"a" or "b"`, `"a", "b" or "c"`: the choices a message names. */
export function quotedChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => `"${c}"`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/** One of a fixed set of strings, or `fallback` when absent (and, with an issue, when it is none of them). */
export function readOneOf<T extends string>(
  value: JsonObject,
  key: string,
  allowed: readonly T[],
  fallback: T,
  path: string,
  issues: InputIssue[],
): T {
  const v = value[key];
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  issues.push({ path, message: `"${key}" must be ${quotedChoices(allowed)}, got ${describeType(v)}` });
  return fallback;
}

export function readBoolean(
  value: JsonObject,
  key: string,
  path: string,
  issues: InputIssue[],
  fallback: boolean,
): boolean {
  const v = value[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') {
    issues.push({ path, message: `"${key}" must be true or false, got ${describeType(v)}` });
    return fallback;
  }
  return v;
}

export function readInteger(
  value: JsonObject,
  key: string,
  path: string,
  issues: InputIssue[],
  options: { min?: number; max?: number } = {},
): number | undefined {
  const v = value[key];
  if (v === undefined) return undefined;
  if (
    typeof v !== 'number' ||
    !Number.isInteger(v) ||
    (options.min !== undefined && v < options.min) ||
    (options.max !== undefined && v > options.max)
  ) {
    const range =
      options.max !== undefined
        ? ` from ${options.min ?? 0} to ${options.max}`
        : options.min !== undefined
          ? ` of at least ${options.min}`
          : '';
    issues.push({ path, message: `"${key}" must be a whole number${range}, got ${describeType(v)}` });
    return undefined;
  }
  return v;
}

export function readStringList(
  value: JsonObject,
  key: string,
  path: string,
  issues: InputIssue[],
  options: { required?: boolean; minItems?: number; unique?: boolean } = {},
): string[] {
  const v = value[key];
  if (v === undefined) {
    if (options.required) issues.push({ path, message: `"${key}" is required` });
    return [];
  }
  if (!Array.isArray(v) || v.some((item) => typeof item !== 'string')) {
    issues.push({ path, message: `"${key}" must be a list of strings, got ${describeType(v)}` });
    return [];
  }
  if (options.minItems !== undefined && v.length < options.minItems)
    issues.push({ path, message: `"${key}" must have at least ${options.minItems} item(s)` });
  if (options.unique) {
    const seen = new Set<string>();
    for (const item of v as string[]) {
      if (seen.has(item)) issues.push({ path, message: `"${key}" lists ${JSON.stringify(item)} twice` });
      seen.add(item);
    }
  }
  return v as string[];
}

export function readList(value: JsonObject, key: string, path: string, issues: InputIssue[]): unknown[] {
  const v = value[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    issues.push({ path, message: `"${key}" must be a list, got ${describeType(v)}` });
    return [];
  }
  return v;
}

/**
 * A list of objects at `path` (`buckets`, `iam.users`, ...): each item that is an object goes to
 * `parseItem` with its own path (`buckets[2]`); anything else is named with an example.
 */
export function readObjectList<T>(
  value: unknown,
  path: string,
  describe: { item: string; example: string },
  issues: InputIssue[],
  parseItem: (item: JsonObject, itemPath: string) => T | undefined,
): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.push({ path, message: `must be a list of ${describe.item}s, got ${describeType(value)}` });
    return [];
  }
  return value.flatMap((item, i): T[] => {
    const itemPath = `${path}[${i}]`;
    if (!isRecord(item)) {
      issues.push({
        path: itemPath,
        message: `${/^[aeiou]/.test(describe.item) ? 'an' : 'a'} ${describe.item} must be an object such as ${describe.example}, got ${describeType(item)}`,
      });
      return [];
    }
    const parsed = parseItem(item, itemPath);
    return parsed === undefined ? [] : [parsed];
  });
}
