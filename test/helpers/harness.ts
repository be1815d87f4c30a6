/** The whole harness (gateway, engine, API) on free ports in a temporary folder. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Submission } from '../../core/submissions/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import { startHarness, type Harness } from '../../emulator/harness.ts';
import { runScenarios } from '../../emulator/scenarios/run-all.ts';
import { loadWorkspace } from './stack.ts';

export interface TestHarness extends Harness {
  workspace: Workspace;
  dataDirectory: string;
  logs: string[];
  client(userName: string): S3Client;
  /** Waits until the submissions of a key are recorded (all of them, once the engine is idle). */
  submissionsOf(key: string, timeoutMs?: number): Promise<Submission[]>;
  api<T>(path: string): Promise<T>;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestHarness(
  workspace?: Workspace,
  options: {
    dataDirectory?: string;
    rowLimit?: number;
    now?: () => Date;
    source?: Record<string, unknown>;
    host?: string;
  } = {},
): Promise<TestHarness> {
  // The demo by default, with its JSON, so that the web UI can edit it.
  const source =
    options.source ??
    (workspace
      ? undefined
      : (JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8')) as Record<string, unknown>));
  workspace ??= loadWorkspace();
  const dataDirectory = options.dataDirectory ?? (await mkdtemp(join(tmpdir(), 's3-harness-engine-')));
  const logs: string[] = [];
  const harness = await startHarness({
    workspace,
    dataDirectory,
    log: (line) => logs.push(line),
    runScenarios: (files) => runScenarios(files),
    ...(source ? { source, editsFile: join(dataDirectory, 'workspace.json') } : {}),
    ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.host ? { host: options.host } : {}),
  });
  return {
    ...harness,
    workspace,
    dataDirectory,
    logs,
    // The engine changes when the workspace is edited in the UI.
    get engine() {
      return harness.engine;
    },
    client(userName) {
      const user = workspace.iam.users.find((u) => u.name === userName)!;
      return new S3Client({
        endpoint: harness.endpoint,
        region: workspace.region,
        forcePathStyle: true,
        credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      });
    },
    async submissionsOf(key, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await harness.engine.idle();
        const found = harness.engine.store.submissions().filter((s) => s.source.key === key);
        if (found.length) return found.sort((a, b) => (a.status < b.status ? -1 : 1));
        if (Date.now() > deadline)
          throw new Error(`no submission for ${key} after ${timeoutMs} ms; logs:\n${logs.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async api(path) {
      const response = await fetch(`${harness.apiUrl}${path}`);
      return (await response.json()) as never;
    },
    async stop({ keepData = false } = {}) {
      await harness.close();
      if (!keepData) await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}
