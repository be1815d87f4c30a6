/**
 * `globalSetup: ['s3-harness/vitest']` in a vitest config: one harness for the whole run, its endpoints
 * and users handed to every test file through `inject('s3Harness')` (docs/api-node.md, "vitest"). When
 * S3_HARNESS_READY_FILE names the ready file of a harness already running (`s3-harness start
 * --ready-file F`), that one is used and left running.
 */
import { readFile } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
// The module augmented below must be part of the program (its declarations are what `inject()` reads).
export type { ProvidedContext } from 'vitest';
import { startHarness } from './embed.ts';

/** What each test file gets from `inject('s3Harness')`. */
export interface ProvidedHarness {
  endpoint: string;
  region: string;
  apiUrl: string;
  users: { name: string; accessKeyId: string; secretAccessKey?: string }[];
  /** true: the harness of S3_HARNESS_READY_FILE, started outside this run. */
  external: boolean;
}

declare module 'vitest' {
  interface ProvidedContext {
    s3Harness: ProvidedHarness;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const readyFile = process.env.S3_HARNESS_READY_FILE;
  if (readyFile) {
    const ready = JSON.parse(await readFile(readyFile, 'utf8')) as {
      s3: { endpoint: string; region: string };
      api: string;
      users: ProvidedHarness['users'];
    };
    project.provide('s3Harness', {
      endpoint: ready.s3.endpoint,
      region: ready.s3.region,
      apiUrl: ready.api,
      users: ready.users,
      external: true,
    });
    return async () => {};
  }
  const workspace = process.env.S3_HARNESS_WORKSPACE;
  const harness = await startHarness(workspace ? { workspace } : {});
  project.provide('s3Harness', {
    endpoint: harness.endpoint,
    region: harness.region,
    apiUrl: harness.apiUrl,
    users: [...harness.users],
    external: false,
  });
  return () => harness.stop();
}
