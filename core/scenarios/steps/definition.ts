/**
 * What a step kind is, for the loader: the keys it takes, how its JSON is read (every problem named
 * with its path), and what it names that the workspace must have. One module per kind beside this one,
 * registered in index.ts; how a step runs is in emulator/scenarios/steps/ (core/ runs nothing).
 */
import { describeType, isRecord, type InputIssue } from '../../shared/issues.ts';
import { readString, type JsonObject } from '../../shared/read-fields.ts';
import type { Workspace } from '../../workspace/index.ts';
import type { ScenarioStep } from '../scenario-types.ts';

export type StepKind = ScenarioStep['kind'];
export type StepOf<K extends StepKind> = Extract<ScenarioStep, { kind: K }>;

/** A step's JSON body being read: its path for messages, the issues found so far, a string reader. */
export interface StepInput {
  body: JsonObject;
  path: string;
  issues: InputIssue[];
  str(key: string, required?: boolean): string | undefined;
}

export interface StepDefinition<K extends StepKind> {
  /** The keys a step of this kind may have (any other is named as unknown). */
  keys: readonly string[];
  /**
   * The keys a step must have (docs/scenarios.md marks them), and groups of which it must have exactly
   * one (`file` or `text`). test/unit/scenario-steps.test.ts holds both against `parse` and the docs.
   */
  required: readonly string[];
  oneOf?: readonly (readonly string[])[];
  /** Keys required only with some values of others (the parser names the rule: `GetObject needs a "key"`). */
  conditional?: readonly string[];
  parse(input: StepInput): StepOf<K>;
  /** What the step names that the workspace must have: users are checked for every kind that has `as`. */
  references?(step: StepOf<K>, workspace: Workspace): string[];
}

export function stepInput(body: JsonObject, path: string, issues: InputIssue[]): StepInput {
  return { body, path, issues, str: (key, required = false) => readString(body, key, path, issues, { required }) };
}

/** `key` as a list of objects, or undefined (absent, or named as a problem). */
export function readObjects(input: StepInput, key: string): Record<string, unknown>[] | undefined {
  const v = input.body[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(isRecord)) {
    input.issues.push({ path: input.path, message: `"${key}" must be a list of objects, got ${describeType(v)}` });
    return undefined;
  }
  return v;
}

/** `key` as one of `allowed`, or undefined (absent, or named as a problem). */
export function oneOf<T extends string>(
  input: StepInput,
  key: string,
  allowed: readonly T[],
  required = false,
): T | undefined {
  const v = input.body[key];
  const choices = allowed.map((a) => `"${a}"`).join(', ');
  if (v === undefined) {
    if (required) input.issues.push({ path: input.path, message: `"${key}" is required: one of ${choices}` });
    return undefined;
  }
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  input.issues.push({ path: input.path, message: `"${key}" must be one of ${choices}, got ${describeType(v)}` });
  return undefined;
}

export function validRegExp(input: StepInput, pattern: string | undefined): void {
  if (pattern === undefined) return;
  try {
    new RegExp(pattern);
  } catch (error) {
    input.issues.push({
      path: input.path,
      message: `"keyPattern" is not a valid regular expression: ${(error as Error).message}`,
    });
  }
}

/** `"x", "y"`, or `none`. */
export function listed(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ') || 'none';
}
