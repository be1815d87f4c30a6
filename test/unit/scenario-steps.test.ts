/**
 * Each step kind's required keys (core/scenarios/steps/) are what its parser enforces and what
 * docs/scenarios.md marks in bold: an example of every kind from the scenario suite parses clean,
 * loses an issue naming each required key when that key is taken away, and keeps parsing clean when an
 * optional one is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STEP_DEFINITIONS, parseScenario, type StepKind } from '../../core/scenarios/index.ts';

/** One example of each kind, from the suite's scenario files. */
function examples(): Map<StepKind, Record<string, unknown>> {
  const found = new Map<StepKind, Record<string, unknown>>();
  for (const name of readdirSync('scenarios').filter((n) => n.endsWith('.json'))) {
    const scenario = JSON.parse(readFileSync(join('scenarios', name), 'utf8')) as { steps: Record<string, unknown>[] };
    for (const step of scenario.steps) {
      const [kind] = Object.keys(step) as StepKind[];
      if (!found.has(kind!)) found.set(kind!, step[kind!] as Record<string, unknown>);
    }
  }
  return found;
}

/** The issues of a scenario holding this one step. */
function issuesOf(kind: StepKind, body: Record<string, unknown>): string[] {
  const parsed = parseScenario({ name: 'x', workspace: 'w.json', steps: [{ [kind]: body }] });
  return parsed.ok ? [] : parsed.issues.map((i) => `${i.path}: ${i.message}`);
}

const without = (body: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => !keys.includes(k)));

/** The keys docs/scenarios.md's step table shows in bold for a kind. */
function boldInDocs(kind: StepKind): string[] {
  const row = readFileSync('docs/scenarios.md', 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`| \`${kind}\` |`));
  expect(row, `docs/scenarios.md has a row for ${kind}`).toBeDefined();
  const keys = row!.split('|')[2]!;
  return [...keys.matchAll(/\*\*`([^`]+)`\*\*/g)].map((m) => m[1]!);
}

describe('scenario step keys', () => {
  const found = examples();
  for (const [kind, definition] of Object.entries(STEP_DEFINITIONS) as [
    StepKind,
    (typeof STEP_DEFINITIONS)[StepKind],
  ][]) {
    it(`${kind}: the required keys are enforced and marked in the docs, the optional ones are optional`, () => {
      const example = found.get(kind);
      expect(example, `the scenario suite has an example of ${kind}`).toBeDefined();
      expect(issuesOf(kind, example!)).toEqual([]);
      for (const key of definition.required) {
        const issues = issuesOf(kind, without(example!, key));
        expect(
          issues.some((i) => i.includes(`"${key}"`)),
          `${kind} without "${key}": ${issues.join('; ')}`,
        ).toBe(true);
      }
      for (const group of definition.oneOf ?? []) {
        const present = group.filter((k) => k in example!);
        expect(present, `${kind}'s example has one of ${group.join(', ')}`).toHaveLength(1);
        expect(issuesOf(kind, without(example!, ...group)).length).toBeGreaterThan(0);
      }
      const optional = Object.keys(example!).filter(
        (k) =>
          !definition.required.includes(k) &&
          !(definition.oneOf ?? []).flat().includes(k) &&
          !(definition.conditional ?? []).includes(k),
      );
      for (const key of optional)
        expect(issuesOf(kind, without(example!, key)), `${kind} without "${key}"`).toEqual([]);
      expect(boldInDocs(kind).sort()).toEqual([...definition.required, ...(definition.oneOf ?? []).flat()].sort());
    });
  }
});
