/**
 * Growth: 10,000 small drops (5 rows each) through the gateway, each imported and delivered as CSV.
 * At 1,000, 5,000 and 10,000 submissions: the import+delivery rate over the last window of drops,
 * the latency of `GET /api/submissions` and of the first page of one template's dataset (50,000 rows
 * at the end). Targets: the rate at 10,000 is at least 0.8x the rate at 1,000 and at least 25 files/s;
 * the list latency stays flat; a dataset page answers in under 100 ms.
 * `GROWTH_DROPS=2000 npm run bench -- growth` runs a shorter version.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import { startHarness } from '../emulator/harness.ts';
import { COLUMNS, KEY_ID, SECRET, benchWorkspace, row } from './bench-data.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const TOTAL = Number(process.env.GROWTH_DROPS ?? 10_000);
const CHECKPOINTS = [1_000, 5_000, 10_000].filter((n) => n <= TOTAL);
const WINDOW = 250;
const IN_FLIGHT = 4;
const TARGETS = { keptRate: 0.8, minRate: 25, datasetPageMs: 100 };

export async function runGrowthBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 's3-harness-growth-'));
  const workspace = benchWorkspace([
    {
      account: 'bench',
      bucketMode: 'manual',
      bucket: 'bench-out',
      filename: 'out/{{submission_name}}',
      pathMode: 'folders',
    },
  ]);
  const harness = await startHarness({ workspace, dataDirectory: join(dir, 'data') });
  const s3 = new S3Client({
    endpoint: harness.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
  });
  const finishedAt: number[] = [];
  harness.engine.events.on('delivery', (_submission, delivery) => {
    if (delivery.status !== 'delivered') throw new Error(`a delivery failed: ${JSON.stringify(delivery.error)}`);
    finishedAt.push(performance.now());
  });
  const body = (i: number) =>
    `${Papa.unparse([COLUMNS, ...[0, 1, 2, 3, 4].map((r) => row(i * 5 + r))], { newline: '\r\n' })}\r\n`;
  const timed = async (path: string) => {
    const started = performance.now();
    const response = await fetch(`${harness.apiUrl}${path}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  console.log(
    `\nGrowth: ${TOTAL.toLocaleString('en-US')} drops of 5 rows, each imported and delivered (CSV), ${IN_FLIGHT} in flight`,
  );
  const results: { at: number; rate: number; listMs: number; datasetMs: number }[] = [];
  try {
    let next = 0;
    const dropUntil = async (count: number) => {
      const workers = Array.from({ length: IN_FLIGHT }, async () => {
        while (next < count) {
          const i = next++;
          await s3.send(
            new PutObjectCommand({
              Bucket: 'bench',
              Key: `drop/file-${String(i).padStart(5, '0')}.csv`,
              Body: body(i),
            }),
          );
        }
      });
      await Promise.all(workers);
      while (finishedAt.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    for (const checkpoint of CHECKPOINTS) {
      await dropUntil(checkpoint - WINDOW);
      const started = performance.now();
      await dropUntil(checkpoint);
      const rate = WINDOW / ((performance.now() - started) / 1000);
      await harness.engine.idle();
      const listMs = Math.min(await timed('/api/submissions'), await timed('/api/submissions'));
      // The first page after new members joined reads their rows once; the next one is what a page costs.
      const catchUpMs = await timed('/api/templates/Bench/dataset');
      const datasetMs = await timed('/api/templates/Bench/dataset');
      results.push({ at: checkpoint, rate, listMs, datasetMs });
      console.log(
        `  at ${checkpoint.toLocaleString('en-US').padStart(6)}: ${rate.toFixed(1).padStart(6)} files/s over the last ${WINDOW}; /api/submissions ${listMs.toFixed(0)} ms; dataset page ${datasetMs.toFixed(0)} ms (${catchUpMs.toFixed(0)} ms with the new members' rows read)`,
      );
    }
    const slowest = Math.max(...results.map((r) => r.datasetMs));
    console.log(
      `  slowest dataset page ${slowest.toFixed(0)} ms (target < ${TARGETS.datasetPageMs} ms): ${slowest < TARGETS.datasetPageMs ? 'met' : 'NOT met'}`,
    );
    const first = results[0];
    const last = results[results.length - 1];
    if (first && last && last !== first) {
      const kept = last.rate / first.rate;
      const met = kept >= TARGETS.keptRate && last.rate >= TARGETS.minRate;
      console.log(
        `  rate at ${last.at.toLocaleString('en-US')} is ${kept.toFixed(2)}x the rate at ${first.at.toLocaleString('en-US')} (targets >= ${TARGETS.keptRate}x and >= ${TARGETS.minRate} files/s): ${met ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    s3.destroy();
    await harness.close();
    await rm(dir, { recursive: true, force: true });
  }
}
