/**
 * `s3-harness deliveries`: lists outbound deliveries and retries failed ones, through the API of a
 * running `s3-harness start` (the engine that owns the state does the work).
 */
import type { Delivery, Submission } from '../../core/submissions/index.ts';
import { DEFAULT_API_URL } from '../defaults.ts';
import { call, harnessApi, type ApiError } from './api-client.ts';
import { EXIT, UsageError } from './usage-error.ts';
import { commandArgs } from './command-args.ts';

export const DELIVERIES_USAGE = `Usage: s3-harness deliveries list [--status STATUS] [--submission ID] [--api URL]
       s3-harness deliveries retry SUBMISSION_ID [N] [--api URL]

list    every delivery of every submission: status, attempts, s3://bucket/key, and why it failed
retry   retries delivery N (its index in the submission's "deliveries", from 0), or every failed
        delivery of the submission when N is left out; waits for each attempt and prints the outcome.
        Exit 0 when every retried delivery was delivered, 1 when one failed again.

--api   the API of a running "s3-harness start" (its "API:" line, or "api" of start --json); default: the
        S3_HARNESS_API environment variable, else ${DEFAULT_API_URL}`;

function describe(delivery: Delivery, index: number, submission: Pick<Submission, 'id'>): string[] {
  const head = `${submission.id} #${index} ${delivery.status.toUpperCase()} ${delivery.integration}: s3://${delivery.bucket}/${delivery.key} (attempts ${delivery.attempts}${delivery.bytes !== null ? `, ${delivery.bytes} bytes` : ''}${delivery.sse ? ', SSE-S3' : ''})`;
  const lines = [head];
  if (delivery.error)
    lines.push(
      `    ${delivery.error.code}: ${delivery.error.message}`,
      ...(delivery.error.explanation ? [`    why: ${delivery.error.explanation}`] : []),
    );
  for (const warning of delivery.warnings) lines.push(`    warning: ${warning}`);
  return lines;
}

/** Every submission, a page at a time (the API serves at most 1,000 at once). */
async function allSubmissions(api: string): Promise<Submission[]> {
  const submissions: Submission[] = [];
  for (let before: string | undefined, more = true; more;) {
    const page = await call<Submission[]>(
      api,
      `/api/submissions${before ? `?before=${encodeURIComponent(before)}` : ''}`,
    );
    submissions.push(...page.body);
    before = page.next;
    more = before !== undefined;
  }
  return submissions;
}

async function listDeliveries(api: string, filter: { status?: string; submission?: string }): Promise<number> {
  let shown = 0;
  for (const submission of await allSubmissions(api)) {
    if (filter.submission !== undefined && submission.id !== filter.submission) continue;
    (submission.deliveries ?? []).forEach((delivery, index) => {
      if (filter.status !== undefined && delivery.status !== filter.status) return;
      shown++;
      for (const line of describe(delivery, index, submission)) console.log(line);
    });
  }
  if (shown === 0) console.log('no deliveries');
  return EXIT.ok;
}

/** The deliveries to retry: the one named, or every failed one of the submission. */
async function deliveriesToRetry(api: string, submissionId: string, n: string | undefined): Promise<number[]> {
  if (n !== undefined && !/^\d+$/.test(n))
    throw new UsageError(`the delivery number must be its index in "deliveries" (0, 1, ...), got "${n}"`);
  const found = await call<Submission | ApiError>(api, `/api/submissions/${encodeURIComponent(submissionId)}`);
  if (found.status !== 200) throw new UsageError(`no submission "${submissionId}" at ${api}`);
  const deliveries = (found.body as Submission).deliveries ?? [];
  return n !== undefined ? [Number(n)] : deliveries.flatMap((d, i) => (d.status === 'failed' ? [i] : []));
}

async function retryDeliveries(api: string, positionals: readonly string[]): Promise<number> {
  const [submissionId, n, ...extra] = positionals;
  if (!submissionId) throw new UsageError('deliveries retry needs a submission id (see s3-harness deliveries --help)');
  if (extra.length)
    throw new UsageError(
      `deliveries retry takes a submission id and at most one delivery number, got also "${extra.join(' ')}"`,
    );
  const indexes = await deliveriesToRetry(api, submissionId, n);
  if (indexes.length === 0) {
    console.log(`submission ${submissionId} has no failed delivery to retry`);
    return EXIT.ok;
  }
  let failed = 0;
  for (const index of indexes) {
    const answer = await call<Delivery | ApiError>(
      api,
      `/api/submissions/${encodeURIComponent(submissionId)}/deliveries/${index}/retry`,
      { method: 'POST' },
    );
    if (answer.status !== 200) {
      const { message } = (answer.body as ApiError).error;
      if (answer.status === 404) throw new UsageError(message);
      console.error(`s3-harness: ${message}`);
      failed++;
      continue;
    }
    const delivery = answer.body as Delivery;
    for (const line of describe(delivery, index, { id: submissionId })) console.log(line);
    if (delivery.status !== 'delivered') failed++;
  }
  return failed ? EXIT.failed : EXIT.ok;
}

export async function runDeliveries(args: string[]): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
    console.log(DELIVERIES_USAGE);
    return subcommand === undefined ? EXIT.usage : EXIT.ok;
  }
  if (subcommand !== 'list' && subcommand !== 'retry')
    throw new UsageError(`unknown deliveries command "${subcommand}" (see s3-harness deliveries --help)`);
  const { values, positionals } = commandArgs(`deliveries ${subcommand}`, {
    args: rest,
    strict: true,
    allowPositionals: true,
    options: {
      api: { type: 'string' },
      status: { type: 'string' },
      submission: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(DELIVERIES_USAGE);
    return EXIT.ok;
  }
  const api = harnessApi(values.api);
  if (subcommand === 'retry') return retryDeliveries(api, positionals);
  if (positionals.length) throw new UsageError(`deliveries list takes no arguments, got "${positionals.join(' ')}"`);
  return listDeliveries(api, values);
}
