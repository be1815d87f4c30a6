/**
 * `s3-harness start`: the embedded S3 endpoint behind the IAM gateway, until Ctrl-C.
 */
import { access, mkdtemp, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Workspace } from '../../core/workspace/index.ts';
import { DataFolderInUseError } from '../data-folder-lock.ts';
import { DEFAULTS } from '../defaults.ts';
import { startHarness, type Harness } from '../harness.ts';
import type { WorkspaceJson } from '../workspace-editor.ts';
import { loadWorkspaceFile } from '../workspace-file.ts';
import { commandArgs } from './command-args.ts';
import { UsageError } from './usage-error.ts';
import { logGatewayEvents, readyInfo, startBanner, type ReadyInfo } from './start-output.ts';

export const START_USAGE = `Usage: s3-harness start [options]

Starts the embedded S3 endpoint behind the simulated IAM gateway.

Options:
  --workspace FILE   the workspace file (default: the demo workspace, fixtures/workspaces/demo.json)
  --data DIR         where objects and state are kept across restarts (default: .s3-harness)
  --ephemeral        use a temporary data folder, removed on exit
  --host HOST        address the S3 endpoint listens on (default: 127.0.0.1)
  --api-host HOST    address the web UI and JSON API listen on (default: 127.0.0.1, whatever
                     --host is: they have no login; 0.0.0.0 shares them with your network)
  --port PORT        S3 endpoint port; 0 picks a free port, and a free API port too unless
                     --api-port is given (default: ${DEFAULTS.s3Port})
  --api-port PORT    JSON API port; 0 picks a free port (default: ${DEFAULTS.apiPort})
  --row-limit N      rows a dropped file may have (default: 50,000, the product's limit)
  --json             when ready, print one JSON line on stdout (endpoints, region, users; the
                     log goes to stderr): for scripts and CI
  --ready-file FILE  when ready, write the same JSON to FILE, with every user's secret key (mode 0600;
                     removed on exit)
  --quiet            log only failures (and the endpoints; no user keys)
  -h, --help         show this help`;

export interface StartOptions {
  workspace: string;
  data: string;
  ephemeral: boolean;
  host: string;
  apiHost: string;
  port: number;
  apiPort: number;
  rowLimit?: number;
  quiet: boolean;
  json: boolean;
  readyFile?: string;
}

export function parseStartOptions(args: string[]): StartOptions | 'help' {
  const { values } = commandArgs('start', {
    args,
    strict: true,
    allowPositionals: false,
    options: {
      workspace: { type: 'string' },
      data: { type: 'string' },
      ephemeral: { type: 'boolean' },
      host: { type: 'string' },
      'api-host': { type: 'string' },
      port: { type: 'string' },
      'api-port': { type: 'string' },
      'row-limit': { type: 'string' },
      json: { type: 'boolean' },
      'ready-file': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const portOf = (name: string, text: string | undefined, fallback: number) => {
    const port = Number(text ?? fallback);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--${name} must be a number from 0 to 65535, got "${text}"`);
    return port;
  };
  const port = portOf('port', values.port, DEFAULTS.s3Port);
  // A free S3 port with the default API port would still collide with a second harness: 0 means both.
  const apiPort = portOf('api-port', values['api-port'], port === 0 ? 0 : DEFAULTS.apiPort);
  const rowLimit = values['row-limit'] === undefined ? undefined : Number(values['row-limit']);
  if (rowLimit !== undefined && (!Number.isInteger(rowLimit) || rowLimit < 1))
    throw new UsageError(`--row-limit must be a whole number of at least 1, got "${values['row-limit']}"`);
  if (values.ephemeral && values.data) throw new UsageError('--ephemeral and --data cannot be used together');
  return {
    workspace: values.workspace ?? DEFAULTS.demoWorkspace,
    data: values.data ?? '.s3-harness',
    ephemeral: values.ephemeral ?? false,
    host: values.host ?? DEFAULTS.host,
    apiHost: values['api-host'] ?? DEFAULTS.apiHost,
    port,
    apiPort,
    quiet: values.quiet ?? false,
    json: values.json ?? false,
    ...(values['ready-file'] ? { readyFile: values['ready-file'] } : {}),
    ...(rowLimit ? { rowLimit } : {}),
  };
}

/** Which port a listen error is about, as the user gave it. */
function busyPort(error: unknown, options: StartOptions): string {
  const port = (error as { port?: number }).port;
  if (port !== undefined && port === options.apiPort && port !== options.port)
    return `the API port ${port} (--api-port) on ${options.apiHost}`;
  if (port !== undefined && port === options.port) return `the S3 port ${port} (--port) on ${options.host}`;
  return `port ${options.port} or ${options.apiPort}`;
}

/** The workspace to run: the copy edited in the web UI, kept in the data folder, wins over the file until deleted. */
async function workspaceToRun(options: StartOptions): Promise<{ path: string; edited: boolean }> {
  const kept = options.ephemeral ? undefined : join(resolve(options.data), 'workspace.json');
  const edited =
    kept !== undefined &&
    (await access(kept).then(
      () => true,
      () => false,
    ));
  return edited ? { path: kept, edited } : { path: options.workspace, edited };
}

/** Starts the harness; a port in use or a host that cannot be listened on is the user's to fix (a usage error). */
async function launch(
  options: StartOptions,
  loaded: { workspace: Workspace; json: WorkspaceJson },
  folders: { dataDirectory: string; editsFile: string },
  log: (line: string) => void,
): Promise<Harness> {
  // Engine lines (imports, failures, warnings) are logged from the start; `quiet` keeps only failures.
  const engineLog = (line: string) => {
    if (!options.quiet || /^\[(import failed|import error|delivery failed|delivery error|alert)\]/.test(line))
      log(line);
  };
  try {
    return await startHarness({
      workspace: loaded.workspace,
      source: loaded.json,
      ...folders,
      host: options.host,
      apiHost: options.apiHost,
      port: options.port,
      apiPort: options.apiPort,
      log: engineLog,
      // Loaded when the Scenarios page first runs one, not at start.
      runScenarios: async (files) => (await import('../scenarios/run-all.ts')).runScenarios(files),
      ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
    });
  } catch (error) {
    if (options.ephemeral) await rm(folders.dataDirectory, { recursive: true, force: true });
    if (error instanceof DataFolderInUseError) throw new UsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`${busyPort(error, options)} is already in use (pass --port 0 to pick free ones)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UsageError(`cannot listen on host "${options.host}" or "${options.apiHost}"`);
    throw error;
  }
}

/** Writes `--ready-file` whole or not at all: a script polling for it never reads half of it. */
async function writeReadyFile(file: string, info: ReadyInfo): Promise<void> {
  // It holds every user's secret key, for any workspace (the vitest recipe's clients need them): owner only.
  await writeFile(`${file}.tmp`, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

export async function runStart(
  options: StartOptions,
  log: (line: string) => void = console.log,
): Promise<{ running: Harness; workspace: Workspace; ready: ReadyInfo; stop: () => Promise<void> }> {
  const source = await workspaceToRun(options);
  const { workspace, json, warnings } = await loadWorkspaceFile(source.path);
  const dataDirectory = options.ephemeral ? await mkdtemp(join(tmpdir(), 's3-harness-')) : resolve(options.data);
  const editsFile = join(dataDirectory, 'workspace.json');
  const running = await launch(options, { workspace, json }, { dataDirectory, editsFile }, log);
  const isDemo = (await realpath(options.workspace).catch(() => '')) === (await realpath(DEFAULTS.demoWorkspace));
  const where = { data: dataDirectory, ephemeral: options.ephemeral, workspaceFile: options.workspace };
  const banner = startBanner(workspace, running, {
    ...where,
    editsFile: source.edited ? editsFile : undefined,
    warnings,
    showSecrets: isDemo,
    quiet: options.quiet,
    host: options.host,
    apiHost: options.apiHost,
  });
  for (const line of banner) log(line);
  if (!options.quiet) logGatewayEvents(running, log);
  const ready = readyInfo(workspace, running, { ...where, showSecrets: isDemo });
  if (options.readyFile)
    await writeReadyFile(options.readyFile, readyInfo(workspace, running, { ...where, showSecrets: true }));
  let stopped = false;
  return {
    running,
    workspace,
    ready,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      if (options.readyFile) await rm(options.readyFile, { force: true });
      await running.close();
      if (options.ephemeral) await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}
