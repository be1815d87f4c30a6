/**
 * What `s3-harness start` tells its user: the banner (workspace, endpoints, warnings, each user's lines to
 * paste), the log of denials, refusals and new objects, and the ready information of `--json`/`--ready-file`.
 */
import type { Workspace } from '../../core/workspace/index.ts';
import type { Harness } from '../harness.ts';
import { isWildcardHost } from '../web-guard.ts';

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

/** The lines `start` logs once the harness answers. */
export function startBanner(
  workspace: Workspace,
  running: Harness,
  shown: {
    workspaceFile: string;
    /** The copy edited in the web UI that is running instead of the file, if one is. */
    editsFile: string | undefined;
    warnings: readonly string[];
    data: string;
    ephemeral: boolean;
    showSecrets: boolean;
    quiet: boolean;
    host: string;
    apiHost: string;
  },
): string[] {
  const lines = [
    `s3-harness: workspace ${shown.editsFile ? `${shown.editsFile}, as edited in the web UI (delete it to start from ${shown.workspaceFile} again)` : shown.workspaceFile} (account ${workspace.accountId}, region ${workspace.region})`,
    ...shown.warnings.map((warning) => `Warning: ${warning}`),
    `Data: ${shown.data}${shown.ephemeral ? ' (temporary, removed on exit)' : ' (kept across restarts)'}`,
  ];
  for (const { bucket, changedAt } of running.gateway.policyOverrides()) {
    lines.push(
      `Note: the policy of bucket ${bucket} was changed through the S3 API on ${changedAt}; that version is in force, not the workspace's.`,
    );
  }
  lines.push(`S3 endpoint: ${running.endpoint}`, `API: ${running.apiUrl}`, `UI: ${running.apiUrl}/`);
  if (isWildcardHost(shown.apiHost)) {
    lines.push(
      `Warning: the web UI and API listen on ${shown.apiHost}: anyone on your network can use them (no login), as ${running.web.allowedHosts.join(', ')}.`,
    );
  }
  if (isWildcardHost(shown.host))
    lines.push(
      `Note: the S3 endpoint listens on ${shown.host}: other machines can reach it (requests are still signed and checked against the policies).`,
    );
  // --quiet: the endpoints only, never the users' keys (a CI log is often public).
  if (!shown.quiet) lines.push(...credentialLines(workspace, running.endpoint, shown.showSecrets, shown.workspaceFile));
  lines.push('', 'Press Ctrl-C to stop.');
  return lines;
}

/** Logs each denial, each refused signature and each new object as it happens. */
export function logGatewayEvents(running: Harness, log: (line: string) => void): void {
  running.gateway.events.on('decision', (event) => {
    if (event.decision.allowed) return;
    log(
      `[denied] ${event.userName ?? 'anonymous'} ${event.operation}: ${event.action} on ${event.resource}: ${event.decision.explanation} (request ${event.requestId}; GET /api/decisions keeps the latest)`,
    );
  });
  // A client's keys, clock or signing settings: the most common go-live question, answered in the log too.
  running.gateway.events.on('request', (request) => {
    if (!request.authentication) return;
    const who = request.user ?? request.keyOwner ?? (request.accessKeyId ? `key ${request.accessKeyId}` : 'anonymous');
    const compare = request.stringToSign ? "; the Activity page shows AWS's string to sign" : '';
    log(
      `[refused] ${who} ${request.method} ${request.path}: ${request.code}: ${request.why ?? request.message} (request ${request.requestId}${compare})`,
    );
  });
  running.gateway.events.on('objectCreated', (event) => {
    log(`[object] ${event.bucket}/${event.key} (${event.size ?? '?'} bytes) by ${event.userName ?? 'anonymous'}`);
  });
}
