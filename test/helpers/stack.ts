/** Starts the real gateway in front of the real s3rver on a free port, in a temporary folder. */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { startGatewayServer, type RunningGateway } from '../../emulator/gateway/index.ts';

export function loadWorkspace(path = 'fixtures/workspaces/demo.json'): Workspace {
  const result = parseWorkspace(JSON.parse(readFileSync(path, 'utf8')));
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return result.value;
}

export interface TestStack extends RunningGateway {
  workspace: Workspace;
  dataDirectory: string;
  client(userName: string, overrides?: { secretAccessKey?: string; region?: string }): S3Client;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startStack(
  workspace: Workspace = loadWorkspace(),
  dataDirectory?: string,
  options: { memoryLimitBytes?: number } = {},
): Promise<TestStack> {
  const dir = dataDirectory ?? (await mkdtemp(join(tmpdir(), 's3-harness-test-')));
  const running = await startGatewayServer({ workspace, dataDirectory: dir, ...options });
  return {
    ...running,
    workspace,
    dataDirectory: dir,
    client(userName, overrides = {}) {
      const user = workspace.iam.users.find((u) => u.name === userName);
      if (!user) throw new Error(`no user ${userName} in the workspace`);
      // Default SDK settings on purpose (checksums included): they send aws-chunked bodies.
      return new S3Client({
        endpoint: running.endpoint,
        region: overrides.region ?? workspace.region,
        forcePathStyle: true,
        credentials: {
          accessKeyId: user.accessKeyId,
          secretAccessKey: overrides.secretAccessKey ?? user.secretAccessKey,
        },
      });
    },
    async stop({ keepData = false } = {}) {
      await running.close();
      if (!keepData) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Expects an SDK call to fail with an S3 error code (and, for HEAD, the status). */
export async function expectS3Error(
  promise: Promise<unknown>,
  code: string,
  status?: number,
): Promise<Error & { $metadata?: { httpStatusCode?: number; requestId?: string }; $response?: unknown }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { name: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(error, `expected ${code}, but the call succeeded`).toBeDefined();
  if (status !== undefined) expect(error!.$metadata?.httpStatusCode).toBe(status);
  if (code !== 'Unknown' || status === undefined) expect(error!.name).toBe(code);
  return error!;
}
