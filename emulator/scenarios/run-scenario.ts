/**
 * Runs one scenario on its own harness (own data folder, free ports): its steps in order, stopping at
 * the first that fails, with what differed. Nothing a scenario does outlives it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { ScenarioStep } from '../../core/scenarios/index.ts';
import { startHarness, type Harness } from '../harness.ts';
import { clientWithKeys } from '../s3-client.ts';
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
  const clients = new Map<string, S3Client>();
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
    const running = harness;
    const ctx: RunContext = {
      loaded,
      harness: running,
      now,
      client(name) {
        let client = clients.get(name);
        if (!client) {
          const user = workspace.iam.users.find((u) => u.name === name);
          if (!user)
            throw new Mismatch(
              `no user "${name}" in the workspace (its users: ${workspace.iam.users.map((u) => `"${u.name}"`).join(', ')})`,
            );
          client = clientWithKeys(running.endpoint, workspace.region, user);
          clients.set(name, client);
        }
        return client;
      },
    };
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
    for (const client of clients.values()) client.destroy();
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
