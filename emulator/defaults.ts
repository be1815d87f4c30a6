/**
 * Every default the emulator starts with, in one place: where it listens, what it loads, its limits.
 * Options elsewhere say `@default` and take the value from here (docs/workspace.md and the README list them).
 */
import { fileURLToPath } from 'node:url';
import { MAX_TEMPLATE_ROWS } from '../core/files/index.ts';

const MiB = 1024 * 1024;

export const DEFAULTS = {
  /** Where the S3 endpoint listens: this machine only. */
  host: '127.0.0.1',
  /** Where the UI and JSON API listen, whatever `host` is: they have no login (docs/security.md). */
  apiHost: '127.0.0.1',
  /** The CLI's S3 endpoint port (4568, the port s3rver made usual for local S3). */
  s3Port: 4568,
  /** The CLI's UI/API port. */
  apiPort: 4569,
  /** The workspace `npm start` and the CLI load when none is named. */
  demoWorkspace: fileURLToPath(new URL('../fixtures/workspaces/demo.json', import.meta.url)),
  /** The starting project `s3-harness init` copies (shipped with the package). */
  starterDirectory: fileURLToPath(new URL('../fixtures/starter/', import.meta.url)),
  /** The package's own package.json (its version): beside emulator/ in a checkout, beside dist/ installed. */
  packageJson: fileURLToPath(new URL('../package.json', import.meta.url)),
  /** Rows a dropped file may have: the product's limit. */
  rowLimit: MAX_TEMPLATE_ROWS,
  /** S3 request bodies above this are spooled to disk while the gateway checks them. */
  memoryLimitBytes: 8 * MiB,
  /** UI/API request bodies above this are refused with 413 before being read. */
  formLimitBytes: 10 * MiB,
  /** The same for files uploaded through the UI's S3 browser (2 KB a row at the row limit). */
  uploadLimitBytes: 100 * MiB,
  /** The scenario suites the UI's Scenarios page lists. */
  scenarioDirectory: 'scenarios',
  /** IAM decisions the gateway keeps for `GET /api/decisions` (the oldest are forgotten first). */
  decisionLogSize: 1000,
  /** Requests and drops the activity timeline keeps (`GET /api/activity`, the Activity page). */
  activityLogSize: 2000,
  /** The alert webhook: attempts, the first delay (doubled after each failure), the time each may take. */
  webhook: { attempts: 4, firstDelayMs: 500, timeoutMs: 5000 },
  /** SQS detection: how long each ReceiveMessage waits for a message (SQS's maximum; long polling). */
  sqsWaitSeconds: 20,
} as const;

/** The UI/API a CLI command talks to when none is named. */
export const DEFAULT_API_URL = `http://${DEFAULTS.apiHost}:${DEFAULTS.apiPort}`;
