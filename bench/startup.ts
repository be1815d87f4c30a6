/**
 * `npm run bench -- startup`: how fast the installed CLI answers, against the floor (`node -e 0`), in one
 * run: `s3-harness --help` (target: within 3x) and `start` to its ready line (target: within 5x, issue 22).
 * Measures the compiled package (dist/, `npm run build`): what `npx s3-harness` runs once installed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const RUNS = 7;
const TARGETS = { help: 3, start: 5 };
const cli = new URL('../dist/cli.js', import.meta.url).pathname;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function timed(args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { stdio: 'ignore' });
  return performance.now() - started;
}

/** Milliseconds from spawning `start` to its ready line (`--json`), then a clean stop. */
async function startToReady(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'start', '--ephemeral', '--port', '0', '--json'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`start exited with ${code} before its ready line`)));
  });
  const elapsed = performance.now() - started;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  return elapsed;
}

export async function runStartupBench(): Promise<void> {
  if (!existsSync(cli)) execFileSync('npm', ['run', 'build'], { stdio: 'inherit' });
  const floor: number[] = [];
  const help: number[] = [];
  const start: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push(timed(['-e', '0']));
    help.push(timed([cli, '--help']));
    start.push(await startToReady());
  }
  const [f, h, s] = [median(floor), median(help), median(start)];
  console.log(`Start-up of the compiled CLI, medians of ${RUNS} runs`);
  console.log(`node -e 0              ${f.toFixed(0).padStart(5)} ms (the floor)`);
  console.log(
    `s3-harness --help      ${h.toFixed(0).padStart(5)} ms  ${(h / f).toFixed(1)}x (target <= ${TARGETS.help}x): ${h / f <= TARGETS.help ? 'met' : 'NOT met'}`,
  );
  console.log(
    `start to ready line    ${s.toFixed(0).padStart(5)} ms  ${(s / f).toFixed(1)}x (target <= ${TARGETS.start}x): ${s / f <= TARGETS.start ? 'met' : 'NOT met'}`,
  );
}
