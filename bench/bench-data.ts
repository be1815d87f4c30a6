/** The bench workspace and its generated CSV files, shared by the import and outbound benchmarks. */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Papa from 'papaparse';
import { parseWorkspace, type Workspace } from '../core/workspace/index.ts';

export const KEY_ID = 'AKIABENCHIMPORT00001';
export const SECRET = 'benchImportSecret';
export const COLUMNS = Array.from({ length: 20 }, (_, i) => `Column ${i + 1}`);

/** The raw workspace: one template of 20 columns dropped under `drop/`, with the given outbound integrations. */
export function benchWorkspaceJson(outbound: object[] = []): Record<string, unknown> {
  const fields = COLUMNS.map((name, i) =>
    i % 5 === 1
      ? { name, type: 'picklist', values: ['Email', 'Social', 'Display', 'Search'] }
      : i % 5 === 3
        ? { name, type: 'date', inputFormats: ['YYYY-MM-DD'], format: 'MM/DD/YYYY' }
        : { name, type: 'text', required: i === 0, maxLength: 200 },
  );
  return {
    accountId: '123456789012',
    region: 'us-east-1',
    buckets: [{ name: 'bench' }, { name: 'bench-out' }],
    iam: {
      users: [
        {
          name: 'bench',
          accessKeyId: KEY_ID,
          secretAccessKey: SECRET,
          policies: [{ Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }],
        },
      ],
    },
    accounts: [{ name: 'bench', accessKeyId: KEY_ID }],
    templates: [
      {
        name: 'Bench',
        fields,
        inbound: [{ account: 'bench', bucketMode: 'manual', bucket: 'bench', prefix: 'drop/' }],
        outbound,
      },
    ],
  };
}

export function benchWorkspace(outbound: object[] = []): Workspace {
  const parsed = parseWorkspace(benchWorkspaceJson(outbound));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** Mixed text, as real files hold: quotes, commas, non-Latin text, emoji. */
export function row(i: number): string[] {
  const texts = [`Campaign ${i}`, `"Quoted" ${i}, with comma`, `Ünïcödé ${i} 中文 ✓`, `emoji 😀 ${i}`, `plain-${i}`];
  return COLUMNS.map((_, c) =>
    c % 5 === 1
      ? ['Email', 'Social', 'Display', 'Search'][i % 4]!
      : c % 5 === 3
        ? `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`
        : texts[(i + c) % texts.length]!,
  );
}

export async function writeCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  out.write(`${Papa.unparse([COLUMNS])}\r\n`);
  for (let i = 0; i < rows; i += 5000) {
    const block = Array.from({ length: Math.min(5000, rows - i) }, (_, k) => row(i + k));
    if (!out.write(`${Papa.unparse(block, { newline: '\r\n' })}\r\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return (await stat(path)).size;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Peak resident memory (VmHWM) of a process, in MB. */
export function peakRssMb(statusText: string): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(statusText)![1]) / 1024;
}
