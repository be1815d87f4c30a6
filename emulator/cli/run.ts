/**
 * `s3-harness run [start options] [--as USER] -- COMMAND [ARGS...]`: the CI recipe in one line (as
 * start-server-and-test does for web servers). Starts the harness (ephemeral, on free ports, unless told
 * otherwise), runs the command with the endpoint, region and one user's keys in its environment, stops
 * the harness when the command ends or on Ctrl-C, and exits with the command's code (docs/ci.md).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, UsageError } from './usage-error.ts';

export const RUN_USAGE = `Usage: s3-harness run [start options] [--as USER] -- COMMAND [ARGS...]

Starts the harness, runs COMMAND once it answers, stops the harness when COMMAND ends (or on Ctrl-C),
and exits with COMMAND's exit code. COMMAND's environment has:
  AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_S3   the S3 endpoint (the AWS SDKs and the aws cli read them)
  AWS_REGION, AWS_DEFAULT_REGION          the workspace's region
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY the keys of --as USER (default: the workspace's first user)
  S3_HARNESS_READY_FILE                   the ready file (endpoints, region, users: see start --json)
  S3_HARNESS_API                          the JSON API's address
AWS_SESSION_TOKEN and AWS_PROFILE are removed, so that no real credentials are used by mistake.

Options: those of "s3-harness start" (--workspace, --data, --ephemeral, --port, ...); without --data,
the data folder is temporary (--ephemeral), and without --port, both ports are free ones (--port 0).
  --as USER          whose keys COMMAND gets
  -h, --help         show this help

Example: s3-harness run --workspace workspace.json --as uploader -- npx vitest run`;

/** The exit code of a command killed by a signal, as shells report it. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

interface RunArgs {
  startArgs: string[];
  as?: string;
  command: string;
  commandArgs: string[];
}

function splitArgs(args: string[]): RunArgs | 'help' {
  const dashes = args.indexOf('--');
  const own = dashes === -1 ? args : args.slice(0, dashes);
  if (own.includes('-h') || own.includes('--help')) return 'help';
  const [command, ...commandArgs] = dashes === -1 ? [] : args.slice(dashes + 1);
  if (command === undefined)
    throw new UsageError('run needs a command after "--", e.g. s3-harness run -- npx vitest run (see --help)');
  const startArgs: string[] = [];
  let as: string | undefined;
  for (let i = 0; i < own.length; i++) {
    if (own[i] === '--as') {
      as = own[++i];
      if (as === undefined) throw new UsageError('--as needs a user name (see s3-harness run --help)');
    } else if (own[i]!.startsWith('--as=')) as = own[i]!.slice('--as='.length);
    else startArgs.push(own[i]!);
  }
  const has = (name: string) => startArgs.some((a) => a === name || a.startsWith(`${name}=`));
  if (!has('--data') && !has('--ephemeral')) startArgs.push('--ephemeral');
  if (!has('--port')) startArgs.push('--port', '0');
  return { startArgs, ...(as !== undefined ? { as } : {}), command, commandArgs };
}

export async function runRunCommand(args: string[]): Promise<number> {
  const parsed = splitArgs(args);
  if (parsed === 'help') {
    console.log(RUN_USAGE);
    return EXIT.ok;
  }
  const { parseStartOptions, runStart } = await import('./start.ts');
  const options = parseStartOptions(parsed.startArgs);
  if (options === 'help') return EXIT.ok;
  const readyFolder = options.readyFile ? undefined : await mkdtemp(join(tmpdir(), 's3-harness-run-'));
  const readyFile = options.readyFile ?? join(readyFolder!, 'harness.json');
  // Signals before the command runs stop the harness as they would stop the command.
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => (interrupted ??= signal);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const log = options.quiet ? () => {} : (line: string) => console.error(line);
  let started: Awaited<ReturnType<typeof runStart>> | undefined;
  try {
    started = await runStart({ ...options, readyFile, json: false }, log);
    const user =
      parsed.as === undefined
        ? started.workspace.iam.users[0]
        : started.workspace.iam.users.find((u) => u.name === parsed.as);
    if (!user) {
      const names = started.workspace.iam.users.map((u) => u.name).join(', ');
      throw new UsageError(`--as ${parsed.as}: the workspace has no such user (its users: ${names})`);
    }
    if (interrupted) return signalExitCode(interrupted);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: started.ready.s3.endpoint,
      AWS_ENDPOINT_URL_S3: started.ready.s3.endpoint,
      AWS_REGION: started.ready.s3.region,
      AWS_DEFAULT_REGION: started.ready.s3.region,
      AWS_ACCESS_KEY_ID: user.accessKeyId,
      AWS_SECRET_ACCESS_KEY: user.secretAccessKey,
      S3_HARNESS_READY_FILE: readyFile,
      S3_HARNESS_API: started.ready.api,
    };
    delete env.AWS_SESSION_TOKEN;
    delete env.AWS_PROFILE;
    return await runChild(parsed.command, parsed.commandArgs, env, onSignal);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    await started?.stop();
    if (readyFolder) await rm(readyFolder, { recursive: true, force: true });
  }
}

/** Runs the command to its end; a signal to this process is passed on to it. */
function runChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onSignal: (signal: NodeJS.Signals) => void,
): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => {
      onSignal(signal);
      child.kill(signal);
    };
    process.on('SIGINT', forward).on('SIGTERM', forward);
    const done = (code: number) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'command not found' : error.message;
      console.error(`s3-harness run: cannot run "${command}": ${why}`);
      done(error.code === 'ENOENT' ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? signalExitCode(signal) : 1)));
  });
}
