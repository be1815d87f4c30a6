/**
 * The harness as a library (`import { startHarness } from 's3-harness'`, docs/api-node.md): free ports,
 * a temporary data folder, quiet, and what a test needs at hand: clients with each user's keys, an
 * upload, a wait for the import of a drop to be decided, the submissions, deliveries and denials, a
 * reset between tests, and `await using`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Sdk } from './s3-sdk.ts';
import type { Delivery, Submission } from '../core/submissions/index.ts';
import { parseWorkspace, type Workspace } from '../core/workspace/index.ts';
import { DEFAULTS } from './defaults.ts';
import type { DecisionFilter, LoggedDecision } from './gateway/index.ts';
import { HARNESS_DATA_ENTRIES, startHarness as startFullHarness, type Harness } from './harness.ts';
import type { RunAllOptions } from './scenarios/run-all.ts';
import type { ScenarioResult } from './scenarios/scenario-result.ts';
import { userClients } from './s3-client.ts';
import { WorkspaceFileError, loadWorkspaceFile } from './workspace-file.ts';

export interface EmbedOptions {
  /** A workspace file's path, or the workspace's JSON. @default the bundled demo workspace */
  workspace?: string | Record<string, unknown>;
  /** Where objects and state live, kept after `stop()`. @default a temporary folder, removed by `stop()` */
  dataDirectory?: string;
  /** @default 0: a free port */
  port?: number;
  /** @default 0: a free port */
  apiPort?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The engine's log lines (imports, deliveries, warnings). @default none: quiet */
  log?: (line: string) => void;
  /** The engine's clock (Submitted At, filenames). @default the real one */
  now?: () => Date;
  /** @default 50,000 */
  rowLimit?: number;
}

export interface SubmissionMatch {
  /** The dropped object's key. */
  key?: string;
  /** Its version (the ETag `upload()` returned): an earlier version's submission does not match. */
  etag?: string;
  predicate?: (submission: Submission) => boolean;
  /** @default 10,000 */
  timeoutMs?: number;
}

export interface EmbeddedHarness {
  /** The S3 endpoint (path-style) and the workspace's region. */
  readonly endpoint: string;
  readonly region: string;
  /** The JSON API and the web UI. */
  readonly apiUrl: string;
  readonly workspace: Workspace;
  /** Where objects and state are (a temporary folder unless `dataDirectory` was given). */
  readonly dataDirectory: string;
  /** Each IAM user of the workspace with its keys. */
  readonly users: readonly { name: string; accessKeyId: string; secretAccessKey: string }[];
  /** An S3 client with a user's keys, ready for the endpoint (closed by `stop()`). */
  client(userName: string): S3Client;
  /** PutObject as a user; resolves with the new version's ETag. */
  upload(userName: string, bucket: string, key: string, body: string | Uint8Array): Promise<{ etag: string }>;
  /** The first submission that matches, once its import has decided (now, or when it does). */
  waitForSubmission(match: SubmissionMatch): Promise<Submission>;
  submissions(): Submission[];
  deliveries(): { submissionId: string; index: number; delivery: Delivery }[];
  /** The gateway's latest denials, newest first. */
  denials(filter?: Omit<DecisionFilter, 'decision'>): LoggedDecision[];
  /** Objects and submissions cleared, the workspace kept, the same endpoints. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
  /** Everything `s3-harness start` runs (gateway, engine, editor), for what the above does not cover. */
  readonly harness: Harness;
}

async function workspaceFrom(option: EmbedOptions['workspace']): Promise<Workspace> {
  if (option === undefined || typeof option === 'string')
    return (await loadWorkspaceFile(option ?? DEFAULTS.demoWorkspace)).workspace;
  const parsed = parseWorkspace(option);
  if (!parsed.ok) throw new WorkspaceFileError('(workspace option)', 'the workspace is not valid', parsed.issues);
  return parsed.value;
}

export async function startHarness(options: EmbedOptions = {}): Promise<EmbeddedHarness> {
  const workspace = await workspaceFrom(options.workspace);
  const ephemeral = options.dataDirectory === undefined;
  const dataDirectory = options.dataDirectory ?? (await mkdtemp(join(tmpdir(), 's3-harness-')));
  const start = (ports: { port: number; apiPort: number }) =>
    startFullHarness({
      workspace,
      dataDirectory,
      ...ports,
      ...(options.host ? { host: options.host } : {}),
      ...(options.log ? { log: options.log } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
    });
  let harness: Harness;
  try {
    harness = await start({ port: options.port ?? 0, apiPort: options.apiPort ?? 0 });
  } catch (error) {
    // A start that fails (a busy port) leaves nothing behind: no server, no temporary folder.
    if (ephemeral) await rm(dataDirectory, { recursive: true, force: true });
    throw error;
  }
  const clients = userClients(workspace, harness.endpoint);
  const users = workspace.iam.users.map(({ name, accessKeyId, secretAccessKey }) => ({
    name,
    accessKeyId,
    secretAccessKey,
  }));
  const { client } = clients;
  // Once: a second stop() must not close again what another harness in this process may now be using.
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      clients.destroy();
      await harness.close();
      if (ephemeral) await rm(dataDirectory, { recursive: true, force: true });
    })());
  return {
    endpoint: harness.endpoint,
    region: workspace.region,
    apiUrl: harness.apiUrl,
    workspace,
    dataDirectory,
    users,
    client,
    async upload(userName, bucket, key, body) {
      const answer = await client(userName).send(
        new (s3Sdk().PutObjectCommand)({ Bucket: bucket, Key: key, Body: body }),
      );
      return { etag: answer.ETag ?? '' };
    },
    waitForSubmission: (match) => waitForSubmission(harness, match),
    submissions: () => harness.engine.store.newest({ limit: Number.MAX_SAFE_INTEGER }).submissions,
    deliveries: () =>
      harness.engine.store
        .submissions()
        .flatMap((s) => (s.deliveries ?? []).map((delivery, index) => ({ submissionId: s.id, index, delivery }))),
    denials: (filter = {}) => harness.gateway.decisions({ ...filter, decision: 'deny' }),
    async reset() {
      const ports = { port: Number(new URL(harness.endpoint).port), apiPort: Number(new URL(harness.apiUrl).port) };
      await harness.close();
      // Only what the harness writes: a data folder the caller chose may hold files of theirs.
      for (const entry of HARNESS_DATA_ENTRIES) await rm(join(dataDirectory, entry), { recursive: true, force: true });
      harness = await start(ports);
    },
    stop,
    [Symbol.asyncDispose]: stop,
    get harness() {
      return harness;
    },
  };
}

/** Resolves on the first matching submission, checking those decided already, then each one decided after. */
function waitForSubmission(harness: Harness, match: SubmissionMatch): Promise<Submission> {
  const etag = match.etag?.replace(/"/g, '');
  const matches = (s: Submission) =>
    (match.key === undefined || s.source.key === match.key) &&
    (etag === undefined || s.source.etag === etag) &&
    (match.predicate === undefined || match.predicate(s));
  const { engine } = harness;
  const found = engine.store.submissions().find(matches);
  if (found) return Promise.resolve(found);
  const timeoutMs = match.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const onSubmission = (submission: Submission) => {
      if (!matches(submission)) return;
      clearTimeout(timer);
      engine.events.off('submission', onSubmission);
      resolve(submission);
    };
    const timer = setTimeout(() => {
      engine.events.off('submission', onSubmission);
      const what = [match.key && `key ${match.key}`, etag && `ETag ${etag}`, match.predicate && 'the predicate']
        .filter(Boolean)
        .join(', ');
      reject(new Error(`no submission matching ${what || 'anything'} within ${timeoutMs} ms`));
    }, timeoutMs);
    engine.events.on('submission', onSubmission);
  });
}

/**
 * Runs scenario files and folders (`*.json` under them), each on its own harness: the results the CLI's
 * `scenario run` prints and writes as JUnit XML (`formatResult` gives its text).
 */
export async function runScenarios(paths: readonly string[], options: RunAllOptions = {}): Promise<ScenarioResult[]> {
  // The runner (and what only it needs) is loaded when scenarios run, not with every harness.
  const [{ runScenarios: runFiles }, { findScenarioFiles }] = await Promise.all([
    import('./scenarios/run-all.ts'),
    import('./scenarios/scenario-files.ts'),
  ]);
  return runFiles(await findScenarioFiles(paths), options);
}
