/** The whole harness on one machine: the gateway in front of s3rver, the engine, the JSON API and the web UI. */
import { startApiServer } from './api/server.ts';
import { startEngine, type Engine } from './engine/engine.ts';
import { startGatewayServer, type RunningGateway } from './gateway/index.ts';
import type { Workspace } from '../core/workspace/index.ts';
import { createWebApp } from './web.ts';

export interface HarnessOptions {
  workspace: Workspace;
  dataDirectory: string;
  /** @default '127.0.0.1' */
  host?: string;
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
}

export interface Harness extends RunningGateway {
  engine: Engine;
  /** The JSON API (under /api) and the web UI (everything else). */
  apiUrl: string;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const host = options.host ?? '127.0.0.1';
  const running = await startGatewayServer({
    workspace: options.workspace, dataDirectory: options.dataDirectory, host, port: options.port ?? 0,
    ...(options.memoryLimitBytes ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
  });
  let engine: Engine | undefined;
  try {
    engine = await startEngine({
      workspace: options.workspace, gateway: running.gateway, endpoint: running.endpoint, dataDirectory: options.dataDirectory,
      ...(options.log ? { log: options.log } : {}), ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}), ...(options.now ? { now: options.now } : {}),
    });
    // The JSON API and the web UI share one port.
    const web = createWebApp({ workspace: options.workspace, engine, gateway: running.gateway, endpoint: running.endpoint });
    const api = await startApiServer(web, host, options.apiPort ?? 0);
    const started = engine;
    return {
      ...running, engine: started, apiUrl: api.url,
      async close() {
        await started.stop();
        await api.close();
        await running.close();
      },
    };
  } catch (error) {
    await engine?.stop();
    await running.close();
    throw error;
  }
}
