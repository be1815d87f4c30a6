/**
 * Runs one scenario on its own harness (own data folder, free ports): its steps in order, stopping at
 * the first that fails, with what differed. Nothing a scenario does outlives it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioStep } from '../../core/scenarios/index.ts';
import { startHarness, type Harness } from '../harness.ts';
import { userClients, type UserClients } from '../s3-client.ts';
import type { LoadedScenario } from './load-scenario.ts';
import { Mismatch, type RunContext } from './run-context.ts';
import type { ScenarioResult, StepFailure } from './scenario-result.ts';
import { STEP_RUNNERS } from './steps/index.ts';

export type { ScenarioResult, StepFailure } from './scenario-result.ts';

/** Runs one step with its kind's runner (emulator/scenarios/steps/). */
function runStep(ctx: RunContext, step: ScenarioStep): Promise<void> | void {
  const run = STEP_RUNNERS[step.kind] as (ctx: RunContext, step: ScenarioStep) => Promise<void> | void;
  return run(ctx, step);
}

export interface RunOptions {
  /** Where the scenario's data folder is made. @default the system's temporary folder */
  temporaryDirectory?: string;
}

export async function runScenario(loaded: LoadedScenario, options: RunOptions = {}): Promise<ScenarioResult> {
  const started = performance.now();
  const { scenario, workspace } = loaded;
  const dataDirectory = await mkdtemp(join(options.temporaryDirectory ?? tmpdir(), 's3-harness-scenario-'));
  const logs: string[] = [];
  const now = () => (scenario.clock ? new Date(scenario.clock) : new Date());
  let harness: Harness | undefined;
  let clients: UserClients | undefined;
  let stepsRun = 0;
  let failure: StepFailure | undefined;
  try {
    harness = await startHarness({
      workspace,
      dataDirectory,
      log: (line) => logs.push(line),
      now,
      ...(scenario.rowLimit ? { rowLimit: scenario.rowLimit } : {}),
    });
    clients = userClients(workspace, harness.endpoint, (message) => new Mismatch(message));
    const ctx: RunContext = { loaded, harness, now, client: clients.client };
    for (const [index, step] of scenario.steps.entries()) {
      try {
        await runStep(ctx, step);
        stepsRun++;
      } catch (error) {
        failure =
          error instanceof Mismatch
            ? {
                step: index,
                kind: step.kind,
                message: error.message,
                ...(error.detail ? { detail: error.detail } : {}),
              }
            : {
                step: index,
                kind: step.kind,
                message: `the step could not run: ${(error as Error).stack ?? String(error)}`,
              };
        break;
      }
    }
  } catch (error) {
    failure = { step: -1, message: `the harness could not start: ${(error as Error).message}` };
  } finally {
    clients?.destroy();
    await harness?.close();
    await rm(dataDirectory, { recursive: true, force: true });
  }
  return {
    name: scenario.name,
    file: loaded.file,
    passed: failure === undefined,
    durationMs: performance.now() - started,
    stepsRun,
    logs,
    ...(failure ? { failure } : {}),
  };
}
