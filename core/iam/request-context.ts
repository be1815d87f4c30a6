/**
 * `requestContext`: the condition keys production requests of a user (or of the platform's account)
 * carry that a request to this machine cannot, declared in the workspace (docs/workspace.md).
 */
import { declarableKeyProblem } from './context-keys.ts';
import type { ContextValue } from './policy-types.ts';
import { dictionary, type Dictionary } from '../shared/dictionary.ts';
import { describeType, isRecord, type InputIssue } from '../shared/issues.ts';

/** A value is a string, a boolean or number (kept as IAM compares them: text), or a list of strings. */
function contextValue(value: unknown): ContextValue | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  return undefined;
}

export function parseRequestContext(
  value: unknown,
  path: string,
  issues: InputIssue[],
): Dictionary<ContextValue> | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    issues.push({
      path,
      message: `"requestContext" must be an object such as {"aws:SourceVpce": "vpce-1a2b3c4d"}, got ${describeType(value)}`,
    });
    return undefined;
  }
  const context = dictionary<ContextValue>();
  const seen = new Set<string>();
  for (const [key, raw] of Object.entries(value)) {
    const problem = declarableKeyProblem(key);
    if (problem) issues.push({ path: `${path}.requestContext`, message: problem });
    if (seen.has(key.toLowerCase()))
      issues.push({ path: `${path}.requestContext`, message: `"${key}" is declared twice (keys ignore case)` });
    seen.add(key.toLowerCase());
    const parsed = contextValue(raw);
    if (parsed === undefined)
      issues.push({
        path: `${path}.requestContext`,
        message: `"${key}" must be a string, a boolean, a number or a list of strings, got ${describeType(raw)}`,
      });
    else context[key] = parsed;
  }
  return context;
}

/** A user's context with an account's (the account signs with the user's keys) merged over it. */
export function mergeRequestContext(
  base: Readonly<Record<string, ContextValue>> | undefined,
  over: Readonly<Record<string, ContextValue>>,
): Dictionary<ContextValue> {
  const merged = dictionary<ContextValue>();
  const overKeys = new Set(Object.keys(over).map((k) => k.toLowerCase()));
  for (const [key, value] of Object.entries(base ?? {})) if (!overKeys.has(key.toLowerCase())) merged[key] = value;
  for (const [key, value] of Object.entries(over)) merged[key] = value;
  return merged;
}
