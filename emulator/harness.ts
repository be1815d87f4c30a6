/** The whole harness on one machine: the gateway and its object store, the engine, the JSON API and the web UI. */
import { createActivityLog, type ActivityLog } from './activity.ts';
import { startApiServer } from './api/server.ts';
import { lockDataFolder, type DataFolderLock } from './data-folder-lock.ts';
import { DEFAULTS } from './defaults.ts';
import { startEngine, type CreatedObject, type Engine } from './engine/engine.ts';
import { startGatewayServer, type RunningGateway } from './gateway/index.ts';
import type { ScenarioRunner } from './scenarios/scenario-result.ts';
import type { Workspace } from '../core/workspace/index.ts';
import { createWebApp } from './web.ts';
import { allowedHostsFor, newToken, type WebGuardOptions } from './web-guard.ts';
import { createWorkspaceEditor, type WorkspaceEditor, type WorkspaceJson } from './workspace-editor.ts';

/**
 * What a harness writes in its data folder: the object store (gateway/store/layout.ts), the buckets'
 * policies and versioning (gateway/gateway.ts), the engine's state (engine/engine.ts). Anything else
 * there is someone else's (`reset()` leaves it).
 */
export const HARNESS_DATA_ENTRIES = ['store', 'state.json', 'engine'] as const;
// Beside them while the harness runs: harness.lock (data-folder-lock.ts), removed on close.

export interface HarnessOptions {
  workspace: Workspace;
  dataDirectory: string;
  /** Where the S3 endpoint listens. @default '127.0.0.1' */
  host?: string;
  /** Where the UI and JSON API listen, apart from the S3 endpoint: they have no login. @default '127.0.0.1' */
  apiHost?: string;
  /** S3 endpoint port; 0 picks a free one. @default 0 */
  port?: number;
  /** API port; 0 picks a free one. @default 0 */
  apiPort?: number;
  log?: (line: string) => void;
  /** Request bodies above this size are spooled to disk. */
  memoryLimitBytes?: number;
  rowLimit?: number;
  /** The engine's clock (Submitted At, derived dates); the gateway keeps real time for signatures. */
  now?: () => Date;
  /** The workspace's JSON as written (the UI edits and downloads it). Without it, editing is off. */
  source?: WorkspaceJson;
  /** Where the UI's edits are saved (DATA/workspace.json). @default nowhere: edits last until stop */
  editsFile?: string;
  /** What the UI's Scenarios page runs them with (each on a harness of its own). @default none: the page lists them only */
  runScenarios?: ScenarioRunner;
}

export interface Harness extends RunningGateway {
  /** The engine now (a workspace edited in the UI starts a new one). */
  readonly engine: Engine;
  /** Every request answered and what became of every drop, newest first (activity.ts). */
  readonly activity: ActivityLog;
  /** The JSON API (under /api) and the web UI (everything else). */
  apiUrl: string;
  /** The workspace as the web UI edits it. */
  readonly editor: WorkspaceEditor;
  /** The hosts the UI/API answers and its per-process form token (a client may send it as `x-s3-harness-token`). */
  readonly web: WebGuardOptions;
}

/** The engine now, its events followed by the activity log; a workspace edited in the UI replaces it. */
class LiveEngine {
  #unfollow: () => void;

  private constructor(
    public current: Engine,
    readonly gateway: RunningGateway['gateway'],
    readonly activity: ActivityLog,
    readonly engineFor: (workspace: Workspace) => Promise<Engine>,
  ) {
    this.#unfollow = activity.followEngine(current.events);
  }

  static async start(
    workspace: Workspace,
    gateway: RunningGateway['gateway'],
    activity: ActivityLog,
    engineFor: (workspace: Workspace) => Promise<Engine>,
  ): Promise<LiveEngine> {
    return new LiveEngine(await engineFor(workspace), gateway, activity, engineFor);
  }

  async replace(workspace: Workspace): Promise<void> {
    this.current = await replaceEngine(this.gateway, this.current, workspace, this.engineFor);
    this.#unfollow();
    this.#unfollow = this.activity.followEngine(this.current.events);
  }

  async stop(): Promise<void> {
    await this.current.stop();
    this.#unfollow();
  }
}

/** The JSON API and the web UI on one port, over the engine now; an edited workspace gets a new app. */
async function startWeb(
  options: HarnessOptions,
  running: RunningGateway,
  engines: LiveEngine,
): Promise<{ url: string; guard: WebGuardOptions; editor: WorkspaceEditor; close(): Promise<void> }> {
  const apiHost = options.apiHost ?? DEFAULTS.apiHost;
  const guard: WebGuardOptions = { allowedHosts: [], token: newToken() };
  let web: ReturnType<typeof createWebApp> | undefined;
  const webFor = (workspace: Workspace) =>
    createWebApp({
      workspace,
      engine: engines.current,
      gateway: running.gateway,
      endpoint: running.endpoint,
      editor,
      guard,
      activity: engines.activity,
      ...(options.runScenarios ? { runScenarios: options.runScenarios } : {}),
    });
  const editor = createWorkspaceEditor({
    ...(options.source ? { json: options.source } : {}),
    workspace: options.workspace,
    ...(options.editsFile ? { file: options.editsFile } : {}),
    async apply(workspace) {
      await engines.replace(workspace);
      web = webFor(workspace);
      options.log?.('[workspace] changed in the web UI; integrations re-checked');
    },
  });
  const api = await startApiServer({ fetch: (request: Request) => web!.fetch(request) }, apiHost, options.apiPort ?? 0);
  guard.allowedHosts = allowedHostsFor(apiHost, api.port);
  web = webFor(options.workspace);
  return { url: api.url, guard, editor, close: () => api.close() };
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const lock = await lockDataFolder(options.dataDirectory);
  if (lock.tookOverFrom) {
    const { pid, startedAt } = lock.tookOverFrom;
    options.log?.(
      `[data] ${options.dataDirectory} was locked by pid ${pid} (started ${startedAt}), which is gone: lock taken over`,
    );
  }
  try {
    return await startOnLockedFolder(options, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startOnLockedFolder(options: HarnessOptions, lock: DataFolderLock): Promise<Harness> {
  const running = await startGatewayServer({
    workspace: options.workspace,
    dataDirectory: options.dataDirectory,
    host: options.host ?? DEFAULTS.host,
    port: options.port ?? 0,
    ...(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
  });
  const engineFor = (workspace: Workspace) =>
    startEngine({
      workspace,
      gateway: running.gateway,
      endpoint: running.endpoint,
      dataDirectory: options.dataDirectory,
      ...(options.log ? { log: options.log } : {}),
      ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  const activity = createActivityLog(DEFAULTS.activityLogSize);
  const unfollowGateway = activity.follow(running.gateway.events);
  let engines: LiveEngine | undefined;
  try {
    engines = await LiveEngine.start(options.workspace, running.gateway, activity, engineFor);
    const live = engines;
    const web = await startWeb(options, running, live);
    return {
      ...running,
      apiUrl: web.url,
      editor: web.editor,
      web: web.guard,
      activity,
      get engine() {
        return live.current;
      },
      async close() {
        try {
          await live.stop();
          unfollowGateway();
          await web.close();
          await running.close();
        } finally {
          await lock.release();
        }
      },
    };
  } catch (error) {
    await engines?.stop();
    unfollowGateway();
    await running.close();
    throw error;
  }
}

/**
 * A workspace edited in the UI: the engine's integrations and queues are built from the workspace, so
 * it is stopped and a new one started on the same data (unfinished imports and deliveries resume); the
 * gateway takes the new users and policies in between. Drops that arrive meanwhile are handed to the new
 * engine (detecting twice is harmless: the ledger keeps one).
 */
async function replaceEngine(
  gateway: RunningGateway['gateway'],
  current: Engine,
  workspace: Workspace,
  engineFor: (workspace: Workspace) => Promise<Engine>,
): Promise<Engine> {
  const meanwhile: CreatedObject[] = [];
  const keep = (event: CreatedObject) => meanwhile.push(event);
  gateway.events.on('objectCreated', keep);
  let next: Engine;
  try {
    await current.stop();
    await gateway.reconfigure(workspace);
    next = await engineFor(workspace);
  } finally {
    gateway.events.off('objectCreated', keep);
  }
  for (const event of meanwhile) next.noticeCreated(event);
  return next;
}
