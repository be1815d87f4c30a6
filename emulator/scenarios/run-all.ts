/** Runs scenario files, several at once, each on its own harness. */
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { formatIssue } from '../../core/shared/issues.ts';
import { WorkspaceFileError } from '../workspace-file.ts';
import { loadScenarioFile } from './load-scenario.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';

export interface RunAllOptions {
  /** Only scenarios whose name or file contains this text. */
  filter?: string;
  /** Stop starting scenarios after the first failure. */
  bail?: boolean;
  /** @default the number of cores */
  concurrency?: number;
  onResult?: (result: ScenarioResult) => void;
  /** A file not run: its scenario does not match `filter`, or `bail` stopped the run before it. */
  onSkipped?: (file: string, reason: 'filter' | 'bail') => void;
}

/** A scenario that could not be loaded is a failed result, named by its file, like any other failure. */
async function loadAndRun(file: string, filter: string | undefined): Promise<ScenarioResult | undefined> {
  const started = performance.now();
  let loaded;
  try {
    loaded = await loadScenarioFile(file);
  } catch (error) {
    if (!(error instanceof WorkspaceFileError)) throw error;
    if (filter && !file.includes(filter)) return undefined;
    return {
      name: relative(process.cwd(), file),
      file,
      passed: false,
      durationMs: performance.now() - started,
      stepsRun: 0,
      logs: [],
      failure: {
        step: -1,
        message: error.issues.length
          ? `${error.message.split('\n')[0]}\n${error.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`
          : error.message,
      },
    };
  }
  if (filter && !loaded.scenario.name.includes(filter) && !file.includes(filter)) return undefined;
  return runScenario(loaded);
}

export async function runScenarios(files: readonly string[], options: RunAllOptions = {}): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  const queue = [...files];
  let stop = false;
  const worker = async () => {
    // `stop` is read before a file is taken: one that is not run stays in the queue, counted below.
    for (let file = stop ? undefined : queue.shift(); file !== undefined; file = stop ? undefined : queue.shift()) {
      const result = await loadAndRun(file, options.filter);
      if (!result) {
        options.onSkipped?.(file, 'filter');
        continue;
      }
      results.push(result);
      options.onResult?.(result);
      if (!result.passed && options.bail) stop = true;
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  for (const file of queue) options.onSkipped?.(file, 'bail');
  return results.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
