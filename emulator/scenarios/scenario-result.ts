/** What running a scenario gives: pass or fail, the failing step and what differed; and its one-paragraph report. */
import { relative } from 'node:path';
import type { ScenarioStep } from '../../core/scenarios/index.ts';

export interface StepFailure {
  /** 0-based index in `steps`; -1 when the scenario failed before its steps (its file, its harness). */
  step: number;
  kind?: ScenarioStep['kind'];
  message: string;
  /** What differed: a diff, cells, or issue lists side by side. */
  detail?: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  passed: boolean;
  durationMs: number;
  stepsRun: number;
  failure?: StepFailure;
  /** The harness's log lines, for a failure's context. */
  logs: string[];
}

/** Runs scenario files, each on its own harness (the CLI's `scenario run` and the UI's Scenarios page). */
export type ScenarioRunner = (files: readonly string[]) => Promise<ScenarioResult[]>;

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');

export function formatResult(result: ScenarioResult): string {
  const time = `${(result.durationMs / 1000).toFixed(1)} s`;
  if (result.passed) return `✓ ${result.name} (${time})`;
  const lines = [`✗ ${result.name} (${relative(process.cwd(), result.file)}, ${time})`];
  const failure = result.failure!;
  lines.push(
    indent(`${failure.step >= 0 ? `step ${failure.step + 1} (${failure.kind}): ` : ''}${failure.message}`, '    '),
  );
  if (failure.detail) lines.push(indent(failure.detail, '      '));
  return lines.join('\n');
}
