/** Finds scenario files and runs them, several at once, each on its own harness. */
import { readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, relative } from 'node:path';
import { formatIssue } from '../../core/shared/issues.ts';
import { WorkspaceFileError } from '../workspace-file.ts';
import { loadScenarioFile } from './load-scenario.ts';
import { runScenario, type ScenarioResult } from './run-scenario.ts';

/** Folders that hold a suite's data (golden files, files to drop), not scenarios. */
const DATA_FOLDERS = new Set(['expected', 'files']);

/** `*.json` files under the given files and folders (but not in data folders), sorted, each once. */
export async function findScenarioFiles(paths: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (path: string, named: boolean): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      if (!named && DATA_FOLDERS.has(basename(path))) return;
      for (const entry of (await readdir(path)).sort()) await visit(join(path, entry), false);
    } else if (named || path.endsWith('.json')) {
      found.add(path);
    }
  };
  for (const path of paths) await visit(path, true);
  return [...found].sort();
}

export interface RunAllOptions {
  /** Only scenarios whose name or file contains this text. */
  filter?: string;
  /** Stop starting scenarios after the first failure. */
  bail?: boolean;
  /** @default the number of cores */
  concurrency?: number;
  onResult?: (result: ScenarioResult) => void;
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
    for (let file = queue.shift(); file !== undefined && !stop; file = queue.shift()) {
      const result = await loadAndRun(file, options.filter);
      if (!result) continue;
      results.push(result);
      options.onResult?.(result);
      if (!result.passed && options.bail) stop = true;
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  return results.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
