/**
 * Hostile files are decided in linear time: a 100 MB file whose only line break ends its header (a
 * row that never ends), streamed in 64 KiB chunks through the whole file check, must be refused in
 * under 2 s with the process under 300 MB RSS (it was parsed in quadratic time: 56 s and 2 GB).
 */
import { validateTemplateFile } from '../core/files/index.ts';
import { benchWorkspace } from './bench-data.ts';

const FILE_MB = 100;
const CHUNK_BYTES = 64 * 1024;
const TARGETS = { seconds: 2, rssMb: 300 };

async function* endlessRow(header: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`${header}\n`);
  const chunk = Buffer.alloc(CHUNK_BYTES, 'x'.charCodeAt(0));
  for (let sent = 0; sent < FILE_MB * 1024 * 1024; sent += CHUNK_BYTES) yield chunk;
}

export async function runHostileFilesBench(): Promise<void> {
  const template = benchWorkspace().templates[0]!;
  const header = template.fields
    .filter((f) => ['text', 'picklist', 'dependent', 'drilldown', 'date'].includes(f.type))
    .map((f) => f.name)
    .join(',');
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const result = await validateTemplateFile(endlessRow(header), template, {
    derivation: { nextNumber: () => 1, now: () => new Date(), randomInt: () => 0 },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const rssMb = peakRss / 1024 / 1024;
  const issue = result.issues[0];
  console.log(
    `\nA ${FILE_MB} MB file with no line break after its header: decided in ${seconds.toFixed(2)} s, peak RSS ${rssMb.toFixed(0)} MB`,
  );
  console.log(`  issue: row ${issue?.row}, ${issue?.rule}: ${issue?.message}`);
  const met = seconds < TARGETS.seconds && rssMb < TARGETS.rssMb;
  console.log(`  (targets < ${TARGETS.seconds} s, < ${TARGETS.rssMb} MB): ${met ? 'met' : 'NOT met'}`);
}
