/** What every step's runner gets (the scenario, its harness, clients by user) and the helpers they share. */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Submission } from '../../core/submissions/index.ts';
import { toS3Failure } from '../engine/account-s3.ts';
import { describeFailure } from '../engine/report.ts';
import type { Harness } from '../harness.ts';
import type { LoadedScenario } from './load-scenario.ts';

/** A step's failure, thrown inside the runner and turned into data at its edge. */
export class Mismatch extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

export const describeError = (error: unknown) => describeFailure(toS3Failure(error));

export interface RunContext {
  loaded: LoadedScenario;
  harness: Harness;
  client(user: string): S3Client;
  now(): Date;
}

/**
 * Sends a write and waits for the gateway's object-created event too: the event follows the response,
 * and the engine must have seen it before a later step asks whether it is idle.
 */
export async function write(ctx: RunContext, bucket: string, key: string, send: () => Promise<unknown>): Promise<void> {
  const { events } = ctx.harness.gateway;
  let listener: ((event: { bucket: string; key: string }) => void) | undefined;
  const created = new Promise<void>((resolve) => {
    listener = (event) => {
      if (event.bucket === bucket && event.key === key) resolve();
    };
    events.on('objectCreated', listener);
  });
  try {
    await send();
    await Promise.race([created, new Promise((resolve) => setTimeout(resolve, 5000))]);
  } finally {
    events.off('objectCreated', listener!);
  }
}

export async function waitForSubmissions(
  ctx: RunContext,
  bucket: string | undefined,
  key: string,
  timeoutMs: number,
  settle: boolean,
): Promise<Submission[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await ctx.harness.engine.idle();
    const found = ctx.harness.engine.store
      .submissions()
      .filter((s) => s.source.key === key && (bucket === undefined || s.source.bucket === bucket));
    if (found.length || settle || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function formatIssue(issue: Record<string, unknown>): string {
  return ['row', 'column', 'value', 'rule', 'message']
    .filter((k) => issue[k] !== undefined)
    .map((k) => `${k}=${JSON.stringify(issue[k])}`)
    .join(' ');
}
