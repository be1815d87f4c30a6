/**
 * `s3-harness start`: the embedded S3 endpoint behind the IAM gateway, until Ctrl-C.
 */
import { access, mkdtemp, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Workspace } from '../../core/workspace/index.ts';
import { DEFAULTS } from '../defaults.ts';
import { startHarness, type Harness } from '../harness.ts';
import { isWildcardHost } from '../web-guard.ts';
import { loadWorkspaceFile } from '../workspace-file.ts';
import { commandArgs } from './command-args.ts';
import { UsageError } from './usage-error.ts';

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

/** What `--json` prints and `--ready-file` holds once the harness answers (README, `start`). */
export interface ReadyInfo {
  s3: { endpoint: string; region: string; accountId: string };
  api: string;
  ui: string;
  data: string;
  ephemeral: boolean;
  pid: number;
  /** The secret of each user is shown for the bundled demo workspace only, as in the human output. */
  users: { name: string; accessKeyId: string; secretAccessKey?: string; secretIn?: string }[];
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

/** The lines a person pastes to act as each user. Secrets are shown for the bundled demo workspace only. */
export function credentialLines(
  workspace: Workspace,
  endpoint: string,
  showSecrets: boolean,
  workspaceFile: string,
): string[] {
  const lines = ['', showSecrets ? 'Users (demo workspace: paste the lines of the user you want to be):' : 'Users:'];
  workspace.iam.users.forEach((user, i) => {
    lines.push(`  ${user.name} (${user.displayName})`);
    lines.push(`    export AWS_ACCESS_KEY_ID=${user.accessKeyId}`);
    lines.push(
      showSecrets
        ? `    export AWS_SECRET_ACCESS_KEY=${user.secretAccessKey}`
        : `    export AWS_SECRET_ACCESS_KEY=...   # the secret is in ${workspaceFile} at iam.users[${i}].secretAccessKey`,
    );
    lines.push(`    export AWS_DEFAULT_REGION=${workspace.region} AWS_ENDPOINT_URL=${endpoint}`);
  });
  const bucket = workspace.buckets[0]?.name;
  lines.push('', `Then, for example: aws --endpoint-url ${endpoint} s3 ls${bucket ? ` s3://${bucket}/` : ''}`);
  lines.push(
    `(aws cli before 2.13 ignores AWS_ENDPOINT_URL; an alias helps: alias awsh='aws --endpoint-url ${endpoint}')`,
  );
  return lines;
}

export function readyInfo(
  workspace: Workspace,
  running: Harness,
  where: { data: string; ephemeral: boolean; workspaceFile: string; showSecrets: boolean },
): ReadyInfo {
  return {
    s3: { endpoint: running.endpoint, region: workspace.region, accountId: workspace.accountId },
    api: running.apiUrl,
    ui: `${running.apiUrl}/`,
    data: where.data,
    ephemeral: where.ephemeral,
    pid: process.pid,
    users: workspace.iam.users.map((user, i) => ({
      name: user.name,
      accessKeyId: user.accessKeyId,
      ...(where.showSecrets
        ? { secretAccessKey: user.secretAccessKey }
        : { secretIn: `${where.workspaceFile} at iam.users[${i}].secretAccessKey` }),
    })),
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

export async function runStart(
  options: StartOptions,
  log: (line: string) => void = console.log,
): Promise<{ running: Harness; workspace: Workspace; ready: ReadyInfo; stop: () => Promise<void> }> {
  // Edits made in the web UI are kept in the data folder and win over the file until that is deleted.
  const kept = options.ephemeral ? undefined : join(resolve(options.data), 'workspace.json');
  const edited =
    kept !== undefined &&
    (await access(kept).then(
      () => true,
      () => false,
    ));
  const { workspace, json, warnings } = await loadWorkspaceFile(edited ? kept : options.workspace);
  const dataDirectory = options.ephemeral ? await mkdtemp(join(tmpdir(), 's3-harness-')) : resolve(options.data);
  const editsFile = join(dataDirectory, 'workspace.json');
  let running: Harness;
  // Engine lines (imports, failures, warnings) are logged from the start; `quiet` keeps only failures.
  const engineLog = (line: string) => {
    if (!options.quiet || /^\[(import failed|import error|delivery failed|delivery error|alert)\]/.test(line))
      log(line);
  };
  try {
    running = await startHarness({
      workspace,
      source: json,
      editsFile,
      dataDirectory,
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
    if (options.ephemeral) await rm(dataDirectory, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UsageError(`${busyPort(error, options)} is already in use (pass --port 0 to pick free ones)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
      throw new UsageError(`cannot listen on host "${options.host}" or "${options.apiHost}"`);
    throw error;
  }
  const isDemo = (await realpath(options.workspace).catch(() => '')) === (await realpath(DEFAULTS.demoWorkspace));
  log(
    `s3-harness: workspace ${edited ? `${editsFile}, as edited in the web UI (delete it to start from ${options.workspace} again)` : options.workspace} (account ${workspace.accountId}, region ${workspace.region})`,
  );
  for (const warning of warnings) log(`Warning: ${warning}`);
  log(`Data: ${dataDirectory}${options.ephemeral ? ' (temporary, removed on exit)' : ' (kept across restarts)'}`);
  for (const { bucket, changedAt } of running.gateway.policyOverrides()) {
    log(
      `Note: the policy of bucket ${bucket} was changed through the S3 API on ${changedAt}; that version is in force, not the workspace's.`,
    );
  }
  log(`S3 endpoint: ${running.endpoint}`);
  log(`API: ${running.apiUrl}`);
  log(`UI: ${running.apiUrl}/`);
  if (isWildcardHost(options.apiHost)) {
    log(
      `Warning: the web UI and API listen on ${options.apiHost}: anyone on your network can use them (no login), as ${running.web.allowedHosts.join(', ')}.`,
    );
  }
  if (isWildcardHost(options.host))
    log(
      `Note: the S3 endpoint listens on ${options.host}: other machines can reach it (requests are still signed and checked against the policies).`,
    );
  // --quiet: the endpoints only, never the users' keys (a CI log is often public).
  if (!options.quiet)
    for (const line of credentialLines(workspace, running.endpoint, isDemo, options.workspace)) log(line);
  log('');
  log('Press Ctrl-C to stop.');
  if (!options.quiet) {
    running.gateway.events.on('decision', (event) => {
      if (event.decision.allowed) return;
      log(
        `[denied] ${event.userName ?? 'anonymous'} ${event.operation}: ${event.action} on ${event.resource}: ${event.decision.explanation} (request ${event.requestId}; GET /api/decisions keeps the latest)`,
      );
    });
    // A client's keys, clock or signing settings: the most common go-live question, answered in the log too.
    running.gateway.events.on('request', (request) => {
      if (!request.authentication) return;
      const who =
        request.user ?? request.keyOwner ?? (request.accessKeyId ? `key ${request.accessKeyId}` : 'anonymous');
      const compare = request.stringToSign ? "; the Activity page shows AWS's string to sign" : '';
      log(
        `[refused] ${who} ${request.method} ${request.path}: ${request.code}: ${request.why ?? request.message} (request ${request.requestId}${compare})`,
      );
    });
    running.gateway.events.on('objectCreated', (event) => {
      log(`[object] ${event.bucket}/${event.key} (${event.size ?? '?'} bytes) by ${event.userName ?? 'anonymous'}`);
    });
  }
  const ready = readyInfo(workspace, running, {
    data: dataDirectory,
    ephemeral: options.ephemeral,
    workspaceFile: options.workspace,
    showSecrets: isDemo,
  });
  if (options.readyFile) {
    // Whole or absent: a script polling for the file never reads half of it. It holds every user's
    // secret key, for any workspace (the vitest recipe's clients need them): readable by its owner only.
    const withKeys = readyInfo(workspace, running, {
      data: dataDirectory,
      ephemeral: options.ephemeral,
      workspaceFile: options.workspace,
      showSecrets: true,
    });
    await writeFile(`${options.readyFile}.tmp`, `${JSON.stringify(withKeys)}\n`, { mode: 0o600 });
    await rename(`${options.readyFile}.tmp`, options.readyFile);
  }
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
