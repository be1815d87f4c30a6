/**
 * Runs one scenario on its own harness (own data folder, free ports): its steps in order, stopping at
 * the first that fails, with what differed. Nothing a scenario does outlives it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import { DELIMITERS, type Delimiter } from '../../core/outbound/index.ts';
import { runPreflight } from '../../core/preflight/index.ts';
import type {
  AccessStep,
  ObjectStep,
  PreflightStep,
  ScenarioStep,
  SubmissionStep,
} from '../../core/scenarios/index.ts';
import type { Submission } from '../../core/submissions/index.ts';
import { toS3Failure } from '../engine/account-s3.ts';
import { describeFailure } from '../engine/report.ts';
import { startHarness, type Harness } from '../harness.ts';
import { clientWithKeys } from '../s3-client.ts';
import { cellDiff, jsonDiff, matchIssues, matchesSubset, projectOnto, sideBySide, unifiedDiff } from './compare.ts';
import { readScenarioText, type LoadedScenario } from './load-scenario.ts';
import { readXlsx } from './xlsx-cells.ts';
import type { ScenarioResult, StepFailure } from './scenario-result.ts';

export type { ScenarioResult, StepFailure } from './scenario-result.ts';

/** A step's failure, thrown inside the runner and turned into data at its edge. */
class Mismatch extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

const describeError = (error: unknown) => describeFailure(toS3Failure(error));

interface RunContext {
  loaded: LoadedScenario;
  harness: Harness;
  client(user: string): S3Client;
  now(): Date;
}

/**
 * Sends a write and waits for the gateway's object-created event too: the event follows the response,
 * and the engine must have seen it before a later step asks whether it is idle.
 */
async function write(ctx: RunContext, bucket: string, key: string, send: () => Promise<unknown>): Promise<void> {
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

async function waitForSubmissions(
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

function formatIssue(issue: Record<string, unknown>): string {
  return ['row', 'column', 'value', 'rule', 'message']
    .filter((k) => issue[k] !== undefined)
    .map((k) => `${k}=${JSON.stringify(issue[k])}`)
    .join(' ');
}

async function expectSubmission(ctx: RunContext, step: SubmissionStep): Promise<void> {
  const all = await waitForSubmissions(ctx, step.bucket, step.key, step.timeoutMs, false);
  const where = `s3://${step.bucket ?? '*'}/${step.key}`;
  if (all.length === 0) throw new Mismatch(`no submission of ${where} after ${step.timeoutMs} ms`);
  // Several submissions of one key (auto-submit's halves, overlapping integrations): "status" and "integration" pick one.
  const integration = step.fields.integration;
  const candidates = all.filter(
    (s) =>
      (step.status === undefined || s.status === step.status) &&
      (integration === undefined || s.integration === integration),
  );
  if (candidates.length !== 1) {
    const found = all.map((s) => `${s.status} (integration "${s.integration}")`).join(', ');
    throw new Mismatch(
      `expected one ${[step.status, integration === undefined ? '' : `integration "${String(integration)}"`].filter(Boolean).join(', ') || 'submission'} submission of ${where}; it has ${candidates.length} of ${all.length}: ${found}; "status" and "integration" pick one`,
    );
  }
  const submission = candidates[0]!;
  if (!matchesSubset(step.fields, submission))
    throw new Mismatch(
      `submission ${submission.id} of ${where} differs`,
      jsonDiff(step.fields, projectOnto(step.fields, submission)),
    );
  if (step.issues) {
    const expected = step.issues;
    const actual = submission.issues as unknown as Record<string, unknown>[];
    const exact = step.issuesMatch === 'exact';
    // Actual issues are shown with the fields the expected ones name, so that alike issues read alike.
    const keys = [...new Set(expected.flatMap((e) => Object.keys(e)))];
    const shown = (issue: Record<string, unknown>) =>
      formatIssue(keys.length ? Object.fromEntries(keys.map((k) => [k, issue[k]])) : issue);
    if (exact) {
      // Exact: the same issues, in any order; what is missing and what is extra, each named.
      const { missing, extra } = matchIssues(expected, actual);
      if (missing.length || extra.length)
        throw new Mismatch(
          `the issues of submission ${submission.id} of ${where} differ (the lists must hold the same issues)`,
          [
            ...missing.map((e) => `missing: ${formatIssue(e as Record<string, unknown>)}`),
            ...extra.map((a) => `extra:   ${shown(a)}`),
          ].join('\n'),
        );
    }
    // Subset: each expected issue against any actual one.
    const found = (e: Record<string, unknown>) => actual.some((a) => matchesSubset(e, a));
    if (!expected.every(found)) {
      const rows = Array.from({ length: Math.max(expected.length, actual.length) }, (_, i) => ({
        ...(expected[i] ? { expected: formatIssue(expected[i]!) } : {}),
        ...(actual[i] ? { actual: shown(actual[i]!) } : {}),
        differs: expected[i] ? !found(expected[i]!) : false,
      }));
      throw new Mismatch(
        `the issues of submission ${submission.id} of ${where} differ (each expected issue must be found)`,
        sideBySide(rows, ['expected issues', 'actual issues']),
      );
    }
  }
  if (step.deliveries && !matchesSubset(step.deliveries, submission.deliveries ?? [])) {
    throw new Mismatch(
      `the deliveries of submission ${submission.id} of ${where} differ`,
      jsonDiff(step.deliveries, projectOnto(step.deliveries, submission.deliveries ?? [])),
    );
  }
}

async function tryAccess(ctx: RunContext, step: AccessStep): Promise<void> {
  const client = ctx.client(step.as);
  const bucket = step.bucket ?? '';
  const key = step.key ?? '';
  const request = (() => {
    switch (step.operation) {
      case 'ListBuckets':
        return client.send(new ListBucketsCommand({}));
      case 'ListObjectsV2':
        return client.send(
          new ListObjectsV2Command({ Bucket: bucket, ...(step.prefix !== undefined ? { Prefix: step.prefix } : {}) }),
        );
      case 'GetObject':
        return client
          .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
          .then((r) => r.Body?.transformToByteArray());
      case 'HeadObject':
        return client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      case 'PutObject':
        return write(ctx, bucket, key, () =>
          client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: 'scenario',
              ...(step.sse ? { ServerSideEncryption: 'AES256' as const } : {}),
            }),
          ),
        );
      case 'DeleteObject':
        return client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
  })();
  const what = `${step.operation} as ${step.as}${step.bucket ? ` on s3://${bucket}/${key || step.prefix || ''}` : ''}`;
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (step.allowed) {
    if (error) throw new Mismatch(`${what}: expected it to be allowed, but it failed with ${describeError(error)}`);
    return;
  }
  if (!error) throw new Mismatch(`${what}: expected it to be denied, but it succeeded`);
  const failure = toS3Failure(error);
  const code = step.code ?? 'AccessDenied';
  if (failure.code !== code) throw new Mismatch(`${what}: expected ${code}, got ${describeError(error)}`);
  if (step.explanation && !(failure.explanation ?? '').includes(step.explanation)) {
    throw new Mismatch(
      `${what}: the explanation does not contain the expected text`,
      unifiedDiff(`${step.explanation}\n`, `${failure.explanation ?? '(no explanation)'}\n`),
    );
  }
}

function parseRows(bytes: Uint8Array, key: string, delimiter: string | undefined): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  if (key.endsWith('.xlsx')) return readXlsx(bytes);
  if (key.endsWith('.json')) return JSON.parse(text);
  const char = delimiter ? (DELIMITERS[delimiter as Delimiter] ?? delimiter) : ',';
  return Papa.parse<string[]>(text.replace(/\r?\n$/, ''), {
    delimiter: char,
    newline: text.includes('\r\n') ? '\r\n' : '\n',
  }).data;
}

async function expectObject(ctx: RunContext, step: ObjectStep): Promise<void> {
  await ctx.harness.engine.idle();
  const client = ctx.client(step.as);
  let key = step.key;
  if (step.keyPattern !== undefined) {
    const pattern = new RegExp(step.keyPattern);
    let listed;
    try {
      listed = await client.send(new ListObjectsV2Command({ Bucket: step.bucket }));
    } catch (error) {
      throw new Mismatch(
        `cannot list s3://${step.bucket} as ${step.as} to find a key matching /${step.keyPattern}/: ${describeError(error)}`,
      );
    }
    const keys = (listed.Contents ?? []).map((c) => c.Key ?? '').filter((k) => pattern.test(k));
    if (keys.length !== 1)
      throw new Mismatch(
        `expected one key in s3://${step.bucket} matching /${step.keyPattern}/, found ${keys.length}${keys.length ? `: ${keys.join(', ')}` : ''}`,
      );
    key = keys[0]!;
  }
  const where = `s3://${step.bucket}/${key}`;
  let bytes: Uint8Array;
  let sse: string | undefined;
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: step.bucket, Key: key }));
    sse = got.ServerSideEncryption;
    bytes = await got.Body!.transformToByteArray();
  } catch (error) {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: step.bucket })).then(
      (r) => (r.Contents ?? []).map((c) => c.Key).join(', '),
      () => undefined,
    );
    throw new Mismatch(
      `cannot read ${where} as ${step.as}: ${describeError(error)}${listed !== undefined ? `; the bucket holds: ${listed || 'nothing'}` : ''}`,
    );
  }
  if (step.sse && (sse ?? 'none') !== step.sse)
    throw new Mismatch(`${where}: expected server-side encryption ${step.sse}, got ${sse ?? 'none'}`);
  const text = () => Buffer.from(bytes).toString('utf8');
  if (step.equalsFile !== undefined) {
    const expected = await readScenarioText(ctx.loaded.directory, step.equalsFile);
    // A workbook holds its creation time: two equal workbooks are equal cell for cell, not byte for byte.
    const detail = key!.endsWith('.xlsx')
      ? cellDiff(readXlsx(expected), readXlsx(bytes))
      : expected.equals(bytes)
        ? ''
        : unifiedDiff(expected.toString('utf8'), text(), step.equalsFile, where);
    if (detail) throw new Mismatch(`${where} differs from ${step.equalsFile}`, detail);
  }
  if (step.text !== undefined && text() !== step.text)
    throw new Mismatch(`${where} differs from the expected text`, unifiedDiff(step.text, text()));
  if (step.rows !== undefined) {
    let rows: unknown;
    try {
      rows = parseRows(bytes, key!, step.delimiter);
    } catch (error) {
      throw new Mismatch(`${where} cannot be parsed: ${(error as Error).message}`);
    }
    if (!matchesSubset(step.rows, rows)) {
      const isTable = (value: unknown): value is unknown[][] =>
        Array.isArray(value) && value.every((row) => Array.isArray(row));
      const table = isTable(rows) && isTable(step.rows);
      const detail = table
        ? cellDiff(step.rows as unknown[][], rows as string[][])
        : jsonDiff(step.rows, projectOnto(step.rows, rows));
      throw new Mismatch(`the rows of ${where} differ`, detail);
    }
  }
}

function expectPreflight(ctx: RunContext, step: PreflightStep): void {
  const report = runPreflight(ctx.loaded.workspace, {
    bucketPolicyOf: (bucket) => ctx.harness.gateway.bucketPolicy(bucket),
    now: ctx.now(),
  });
  if (step.ok !== undefined && report.ok !== step.ok) {
    const denied = report.integrations.flatMap((i) =>
      i.checks.filter((c) => !c.allowed).map((c) => `${i.id}: ${c.action} on ${c.resource}: ${c.explanation}`),
    );
    throw new Mismatch(
      `expected the preflight to be ${step.ok ? 'all allowed' : 'denied somewhere'}, it is ${report.ok ? 'all allowed' : 'denied'}`,
      denied.join('\n'),
    );
  }
  if (step.integration === undefined) return;
  const integration = report.integrations.find((i) => i.id === step.integration);
  if (!integration)
    throw new Mismatch(
      `the preflight has no integration "${step.integration}" (it has ${report.integrations.map((i) => `"${i.id}"`).join(', ')})`,
    );
  const check = integration.checks.find((c) => c.action === step.action);
  if (!check)
    throw new Mismatch(
      `integration "${step.integration}" does not need ${step.action} (it needs ${integration.checks.map((c) => c.action).join(', ')})`,
    );
  const actual = { allowed: check.allowed, statement: check.decidingStatement?.sid, explanation: check.explanation };
  const expected = {
    ...(step.allowed !== undefined ? { allowed: step.allowed } : {}),
    ...(step.statement !== undefined ? { statement: step.statement } : {}),
  };
  if (
    !matchesSubset(expected, actual) ||
    (step.explanation !== undefined && !check.explanation.includes(step.explanation))
  ) {
    throw new Mismatch(
      `the preflight of ${step.integration}, ${step.action}, differs`,
      jsonDiff(
        { ...expected, ...(step.explanation ? { explanation: step.explanation } : {}) },
        projectOnto({ ...expected, ...(step.explanation ? { explanation: '' } : {}) }, actual),
      ),
    );
  }
}

async function runStep(ctx: RunContext, step: ScenarioStep): Promise<void> {
  switch (step.kind) {
    case 'upload': {
      const body = 'file' in step.body ? await readScenarioText(ctx.loaded.directory, step.body.file) : step.body.text;
      try {
        await write(ctx, step.bucket, step.key, () =>
          ctx.client(step.as).send(
            new PutObjectCommand({
              Bucket: step.bucket,
              Key: step.key,
              Body: body,
              ...(step.sse ? { ServerSideEncryption: 'AES256' as const } : {}),
            }),
          ),
        );
      } catch (error) {
        throw new Mismatch(
          `the upload of s3://${step.bucket}/${step.key} as ${step.as} was refused: ${describeError(error)}`,
        );
      }
      return;
    }
    case 'expectAccess':
      return tryAccess(ctx, step);
    case 'expectSubmission':
      return expectSubmission(ctx, step);
    case 'expectNoSubmission': {
      const found = await waitForSubmissions(ctx, step.bucket, step.key, 0, true);
      if (found.length)
        throw new Mismatch(
          `expected no submission of s3://${step.bucket ?? '*'}/${step.key}, found ${found.map((s) => `${s.id} (${s.status})`).join(', ')}`,
        );
      return;
    }
    case 'expectObject':
      return expectObject(ctx, step);
    case 'expectIntegration': {
      const status = ctx.harness.engine
        .integrations()
        .find((i) => i.id === step.id && (step.direction === undefined || i.direction === step.direction));
      if (!status)
        throw new Mismatch(
          `no integration "${step.id}" (there are ${ctx.harness.engine
            .integrations()
            .map((i) => `"${i.id}" (${i.direction})`)
            .join(', ')})`,
        );
      if (status.status !== step.status)
        throw new Mismatch(
          `integration "${step.id}" is ${status.status}, expected ${step.status}`,
          status.warnings.map((w) => w.message).join('\n'),
        );
      if (step.warning && !status.warnings.some((w) => w.message.includes(step.warning!))) {
        throw new Mismatch(
          `no warning of integration "${step.id}" contains the expected text`,
          [`expected text: ${step.warning}`, ...status.warnings.map((w) => `warning: ${w.message}`)].join('\n'),
        );
      }
      return;
    }
    case 'expectPreflight':
      return expectPreflight(ctx, step);
    case 'putBucketPolicy': {
      try {
        const client = ctx.client(step.as);
        if (step.policy === null) await client.send(new DeleteBucketPolicyCommand({ Bucket: step.bucket }));
        else
          await client.send(new PutBucketPolicyCommand({ Bucket: step.bucket, Policy: JSON.stringify(step.policy) }));
      } catch (error) {
        throw new Mismatch(
          `the bucket policy of ${step.bucket} could not be ${step.policy === null ? 'deleted' : 'set'} as ${step.as}: ${describeError(error)}`,
        );
      }
      return;
    }
    case 'expectDataset': {
      await ctx.harness.engine.idle();
      const template = ctx.loaded.workspace.templates.find((t) => t.name === step.template);
      if (!template) throw new Mismatch(`no template "${step.template}" in the workspace`);
      const rows: unknown[] = [];
      for await (const row of ctx.harness.engine.store.dataset(template.name, template.updateKeys)) rows.push(row);
      if (!matchesSubset(step.rows, rows))
        throw new Mismatch(
          `the dataset of ${step.template} differs`,
          jsonDiff(step.rows, projectOnto(step.rows, rows)),
        );
      return;
    }
    case 'retryDelivery': {
      const [submission] = (await waitForSubmissions(ctx, step.bucket, step.key, 0, true)).filter(
        (s) => s.status === 'complete',
      );
      if (!submission)
        throw new Mismatch(`no complete submission of s3://${step.bucket ?? '*'}/${step.key} to retry a delivery of`);
      const index = (submission.deliveries ?? []).findIndex((d) => d.integration === step.integration);
      if (index < 0)
        throw new Mismatch(`submission ${submission.id} has no delivery of integration "${step.integration}"`);
      const result = await ctx.harness.engine.retryDelivery({ submissionId: submission.id, index });
      if (!result.ok) throw new Mismatch(`the retry was refused: ${result.message}`);
      return;
    }
  }
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
