/**
 * Outbound benchmarks (issue 4's targets):
 * - a 100k-row, 20-column submission delivered as CSV, JSON and XLSX, each within 1.3x of an in-run
 *   baseline: the bare library call on rows already in memory (Papa.unparse, JSON.stringify,
 *   exceljs's streaming writer to a buffer) plus one PutObject through the gateway. The delivery
 *   reads the rows from the submission's row file, renders, spools and writes with the account's keys;
 * - peak memory of a `start` process importing a 1M-row file and exporting it as JSON under 300 MB.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { createDeliverer } from '../core/outbound/index.ts';
import type { Delivery } from '../core/submissions/index.ts';
import { createAccountS3 } from '../emulator/engine/account-s3.ts';
import { startHarness } from '../emulator/harness.ts';
import { clientWithKeys } from '../emulator/s3-client.ts';
import {
  COLUMNS,
  KEY_ID,
  SECRET,
  benchWorkspace,
  benchWorkspaceJson,
  median,
  peakRssMb,
  row,
  writeCsv,
} from './bench-data.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const TARGETS = { ratio: 1.3, peakMb: 300 };
const ROWS = 100_000;
const ROUNDS = 5;
const OUTBOUND = (['csv', 'json', 'xlsx'] as const).map((fileType) => ({
  name: fileType,
  account: 'bench',
  bucketMode: 'manual',
  bucket: 'bench-out',
  fileType,
  filename: `${fileType}/{{template_name}}`,
}));

async function bareXlsx(rows: string[][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('Bench');
  sheet.addRow(COLUMNS).commit();
  for (const cells of rows) sheet.addRow(cells).commit();
  sheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}

const BARE: Record<(typeof OUTBOUND)[number]['fileType'], (rows: string[][]) => Promise<string | Buffer>> = {
  csv: async (rows) => `${Papa.unparse([COLUMNS, ...rows], { newline: '\r\n' })}\r\n`,
  json: async (rows) => JSON.stringify(rows.map((cells) => Object.fromEntries(COLUMNS.map((c, i) => [c, cells[i]])))),
  xlsx: bareXlsx,
};

async function inProcess(dir: string, file100k: string): Promise<void> {
  const workspace = benchWorkspace(OUTBOUND);
  const harness = await startHarness({ workspace, dataDirectory: join(dir, 'data'), rowLimit: 200_000 });
  const s3 = new S3Client({
    endpoint: harness.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  const account = createAccountS3(() => clientWithKeys(harness.endpoint, 'us-east-1', workspace.accounts[0]!), {
    spoolDirectory: join(dir, 'spool'),
  });
  const { store } = harness.engine;
  const deliverer = createDeliverer({
    store,
    templates: workspace.templates,
    s3For: () => account,
    now: () => new Date(),
  });
  try {
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'drop/100k.csv', Body: readFileSync(file100k) }));
    await harness.engine.idle();
    const submission = store.submissions().find((s) => s.source.key === 'drop/100k.csv');
    if (submission?.status !== 'complete') throw new Error(`the 100k-row import ended ${submission?.status}`);

    for (const [index, { fileType }] of OUTBOUND.entries()) {
      const baselines: number[] = [];
      const deliveries: number[] = [];
      let delivered: Delivery | undefined;
      for (let round = 0; round < ROUNDS; round++) {
        // The baseline's rows are made before its clock starts, and dropped before the delivery runs:
        // 100k rows held in memory would slow every garbage collection of the delivery.
        let rows: string[][] | undefined = Array.from({ length: ROWS }, (_, i) => row(i));
        let started = performance.now();
        const body = await BARE[fileType](rows);
        rows = undefined;
        await s3.send(new PutObjectCommand({ Bucket: 'bench-out', Key: `baseline/data.${fileType}`, Body: body }));
        baselines.push(performance.now() - started);

        const recorded = store.submission(submission.id)!.deliveries![index]!;
        await store.setDelivery(submission.id, index, { ...recorded, status: 'queued' });
        started = performance.now();
        delivered = await deliverer.run({ submissionId: submission.id, index });
        deliveries.push(performance.now() - started);
        if (delivered?.status !== 'delivered')
          throw new Error(`the ${fileType} delivery ended ${delivered?.status}: ${JSON.stringify(delivered?.error)}`);
      }
      const ratio = median(deliveries) / median(baselines);
      console.log(
        `${fileType.toUpperCase().padEnd(4)} 100k rows x 20 columns (${((delivered!.bytes ?? 0) / 1e6).toFixed(1)} MB): baseline library call + PUT ${median(baselines).toFixed(0)} ms; delivery (rows read, rendered, spooled, PUT) ${median(deliveries).toFixed(0)} ms; ratio ${ratio.toFixed(2)}x (target <= ${TARGETS.ratio}x: ${ratio <= TARGETS.ratio ? 'met' : 'NOT met'})`,
      );
    }
  } finally {
    s3.destroy();
    account.destroy();
    await harness.close();
  }
}

interface StartProcess {
  endpoint: string;
  api: string;
  peakMb(): number;
  stop(): Promise<void>;
}

async function startProcess(workspaceFile: string, dataDirectory: string): Promise<StartProcess> {
  const child = spawn(
    process.execPath,
    [
      'bin/s3-harness.js',
      'start',
      '--workspace',
      workspaceFile,
      '--data',
      dataDirectory,
      '--port',
      '0',
      '--api-port',
      '0',
      '--row-limit',
      '2000000',
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  while (!/API: (\S+)/.test(output)) await new Promise((r) => setTimeout(r, 50));
  return {
    endpoint: /S3 endpoint: (\S+)/.exec(output)![1]!,
    api: /API: (\S+)/.exec(output)![1]!,
    peakMb: () => peakRssMb(readFileSync(`/proc/${child.pid}/status`, 'utf8')),
    async stop() {
      child.kill('SIGINT');
      await once(child, 'exit');
    },
  };
}

/** Polls the API until the first submission's first delivery has ended. */
async function deliveryEnded(api: string, attempts: number): Promise<{ delivery: Delivery; submissionId: string }> {
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const [submission] = (await (await fetch(`${api}/api/submissions`)).json()) as {
      id: string;
      status: string;
      deliveries?: Delivery[];
    }[];
    if (submission && submission.status !== 'complete') throw new Error(`the 1M-row import ended ${submission.status}`);
    const delivery = submission?.deliveries?.[0];
    if (delivery && delivery.attempts >= attempts && (delivery.status === 'delivered' || delivery.status === 'failed'))
      return { delivery, submissionId: submission.id };
  }
}

/**
 * Peak resident memory (VmHWM) of real `start` processes and 1M rows exported as JSON: one imports
 * the file and exports it; a second, started on the same data with the delivery queued again (as
 * a stop mid-write leaves it), does the export alone.
 */
export async function millionRowsJson(dir: string): Promise<void> {
  const workspaceFile = join(dir, 'bench-workspace.json');
  await writeFile(workspaceFile, JSON.stringify(benchWorkspaceJson([OUTBOUND[1]!])));
  const file = join(dir, 'million.csv');
  const size = await writeCsv(file, 1_000_000);
  const dataDirectory = join(dir, 'million-data');
  const first = await startProcess(workspaceFile, dataDirectory);
  let both: { delivery: Delivery; submissionId: string; mb: number };
  const s3 = new S3Client({
    endpoint: first.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bench',
        Key: 'drop/million.csv',
        Body: createReadStream(file),
        ContentLength: size,
      }),
    );
    both = { ...(await deliveryEnded(first.api, 1)), mb: first.peakMb() };
  } finally {
    s3.destroy();
    await first.stop();
  }
  const statePath = join(dataDirectory, 'engine', 'state.json');
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  state.submissions[both.submissionId].deliveries[0].status = 'writing';
  await writeFile(statePath, JSON.stringify(state));
  const second = await startProcess(workspaceFile, dataDirectory);
  const started = performance.now();
  try {
    const { delivery } = await deliveryEnded(second.api, 2);
    const seconds = (performance.now() - started) / 1000;
    const mb = second.peakMb();
    const met = mb < TARGETS.peakMb && delivery.status === 'delivered' && both.delivery.status === 'delivered';
    console.log(
      `JSON 1M rows x 20 columns (${((delivery.bytes ?? 0) / 1e6).toFixed(0)} MB): export alone ${delivery.status} in ~${seconds.toFixed(1)} s, peak RSS ${mb.toFixed(0)} MB (target < ${TARGETS.peakMb} MB: ${met ? 'met' : 'NOT met'}); import then export in one process: peak RSS ${both.mb.toFixed(0)} MB`,
    );
  } finally {
    await second.stop();
  }
}

export async function runOutboundBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-outbound-bench-'));
  try {
    const file100k = join(dir, '100k.csv');
    await writeCsv(file100k, ROWS);
    await inProcess(dir, file100k);
    await millionRowsJson(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
