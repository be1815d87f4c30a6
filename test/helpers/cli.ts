/** Runs the real `s3-harness` command as a child process. */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** The compiled CLI, built by test/global-setup.ts before the tests (bin/s3-harness.js runs it once installed). */
export const CLI = ['dist/cli.js'];

export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same without blocking the event loop (needed when a harness runs in this process). */
export async function runCliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const { run } = await import('./system-tools.ts');
  return run(process.execPath, [...CLI, ...args]);
}

export interface StartedCli {
  child: ChildProcessWithoutNullStreams;
  endpoint: string;
  output: () => string;
  stop(): Promise<number | null>;
}

/** Starts `s3-harness start ...` and waits for its "S3 endpoint:" line. */
export async function startCli(args: string[]): Promise<StartedCli> {
  const child = spawn(process.execPath, [...CLI, 'start', ...args], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no endpoint line after 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /S3 endpoint: (http:\/\/\S+)/.exec(output);
      if (match && output.includes('Press Ctrl-C')) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return {
    child,
    endpoint,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}
