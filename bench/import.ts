/**
 * Import benchmarks (issue 3's targets):
 * - a 100k-row, 20-column file, drop to complete submission, within 2x of an in-run baseline
 *   (GET + streaming decode + papaparse + the same checks done inline);
 * - a 10-row file, drop to submission recorded, under 50 ms (median);
 * - peak memory of a `start` process importing a 1M-row file (limit raised) under 300 MB.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import { checkRow, planRows } from '../core/templates/index.ts';
import type { Workspace } from '../core/workspace/index.ts';
import { startHarness } from '../emulator/harness.ts';
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
const TARGETS = { ratio: 2, smallMedianMs: 50, peakMb: 300 };

async function baseline(s3: S3Client, key: string, workspace: Workspace): Promise<number> {
  const started = performance.now();
  const plan = planRows(workspace.templates[0]!);
  const ctx = { nextNumber: () => 1, now: () => new Date(), randomInt: () => 0 };
  const response = await s3.send(new GetObjectCommand({ Bucket: 'bench', Key: key }));
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, {
    delimiter: ',',
    newline: '\r\n',
  }) as unknown as NodeJS.ReadWriteStream;
  let rows = 0;
  let header = true;
  parser.on('data', (cells: string[]) => {
    if (header) {
      header = false;
      return;
    }
    rows++;
    checkRow(plan, cells, ctx);
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of response.Body as AsyncIterable<Uint8Array>)
    parser.write(decoder.decode(chunk, { stream: true }));
  parser.end(decoder.decode());
  await once(parser, 'end');
  if (rows !== 100_000) throw new Error(`baseline parsed ${rows} rows`);
  return performance.now() - started;
}

async function inProcess(dir: string, file100k: string): Promise<void> {
  const workspace = benchWorkspace();
  const harness = await startHarness({ workspace, dataDirectory: join(dir, 'data'), rowLimit: 200_000 });
  const s3 = new S3Client({
    endpoint: harness.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  const body = readFileSync(file100k);
  const dropAndWait = async (key: string, content: Uint8Array) => {
    const submitted = new Promise<{ status: string; counts: { accepted: number } }>((resolve) => {
      const listener = (s: { source: { key: string }; status: string; counts: { accepted: number } }) => {
        if (s.source.key !== key) return;
        harness.engine.events.off('submission', listener);
        resolve(s);
      };
      harness.engine.events.on('submission', listener);
    });
    const started = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: content }));
    const uploaded = performance.now();
    const submission = await submitted;
    return { total: performance.now() - started, afterUpload: performance.now() - uploaded, submission };
  };
  try {
    await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'baseline/data.csv', Body: body }));
    const baselines: number[] = [];
    const imports: number[] = [];
    for (let round = 0; round < 3; round++) {
      baselines.push(await baseline(s3, 'baseline/data.csv', workspace));
      const result = await dropAndWait(`drop/big-${round}.csv`, body);
      if (result.submission.status !== 'complete' || result.submission.counts.accepted !== 100_000)
        throw new Error(`import ended ${result.submission.status}`);
      imports.push(result.afterUpload);
    }
    const ratio = median(imports) / median(baselines);
    console.log(
      `100k rows x 20 columns (${(body.length / 1e6).toFixed(1)} MB): baseline GET+decode+papaparse+checks ${median(baselines).toFixed(0)} ms; import, upload done to submission recorded ${median(imports).toFixed(0)} ms; ratio ${ratio.toFixed(2)}x (target <= ${TARGETS.ratio}x: ${ratio <= TARGETS.ratio ? 'met' : 'NOT met'})`,
    );

    const small = `${Papa.unparse([COLUMNS, ...Array.from({ length: 10 }, (_, i) => row(i))], { newline: '\r\n' })}\r\n`;
    const latencies: number[] = [];
    for (let i = 0; i < 41; i++) latencies.push((await dropAndWait(`drop/small-${i}.csv`, Buffer.from(small))).total);
    const smallMedian = median(latencies.slice(1)); // the first one warms up
    console.log(
      `10-row file, drop to submission recorded: median ${smallMedian.toFixed(1)} ms over 40 drops (target < ${TARGETS.smallMedianMs} ms: ${smallMedian < TARGETS.smallMedianMs ? 'met' : 'NOT met'})`,
    );
  } finally {
    s3.destroy();
    await harness.close();
  }
}

/** Peak resident memory (VmHWM) of a real `start` process importing a 1M-row file. */
async function millionRows(dir: string): Promise<void> {
  const workspaceFile = join(dir, 'bench-workspace.json');
  await writeFile(workspaceFile, JSON.stringify(benchWorkspaceJson()));
  const file = join(dir, 'million.csv');
  const size = await writeCsv(file, 1_000_000);
  const child = spawn(
    process.execPath,
    [
      'bin/s3-harness.js',
      'start',
      '--workspace',
      workspaceFile,
      '--ephemeral',
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
  const endpoint = /S3 endpoint: (\S+)/.exec(output)![1]!;
  const api = /API: (\S+)/.exec(output)![1]!;
  const peak = () => peakRssMb(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  try {
    const started = performance.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bench',
        Key: 'drop/million.csv',
        Body: createReadStream(file),
        ContentLength: size,
      }),
    );
    let submission: { status: string; counts: { accepted: number } } | undefined;
    while (!submission) {
      await new Promise((r) => setTimeout(r, 250));
      submission = (
        (await (await fetch(`${api}/api/submissions`)).json()) as { status: string; counts: { accepted: number } }[]
      )[0];
    }
    const seconds = (performance.now() - started) / 1000;
    const mb = peak();
    console.log(
      `1M rows x 20 columns (${(size / 1e6).toFixed(0)} MB): ${submission.status}, ${submission.counts.accepted} rows in ${seconds.toFixed(1)} s (upload included); peak RSS of the start process ${mb.toFixed(0)} MB (target < ${TARGETS.peakMb} MB: ${mb < TARGETS.peakMb ? 'met' : 'NOT met'})`,
    );
  } finally {
    s3.destroy();
    child.kill('SIGINT');
    await once(child, 'exit');
  }
}

export async function runImportBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-import-bench-'));
  try {
    const file100k = join(dir, '100k.csv');
    await writeCsv(file100k, 100_000);
    await inProcess(dir, file100k);
    await millionRows(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
