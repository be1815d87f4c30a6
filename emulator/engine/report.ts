/**
 * What the engine says about imports and deliveries: the log's wording, the events the API and UI
 * listen to, and the alert webhook on failures. Every line the engine writes is worded here.
 */
import type { EventEmitter } from 'node:events';
import type { LedgerEntry, NearMiss } from '../../core/inbound/index.ts';
import type { DeliveryRef } from '../../core/outbound/index.ts';
import type { Delivery, S3Failure, Submission } from '../../core/submissions/index.ts';
import { sendWebhook } from './alerts.ts';

export interface EngineEvents {
  submission: [Submission];
  /** A delivery attempt ended (delivered or failed). */
  delivery: [Submission, Delivery, number];
  /** What became of a drop: imported (or failed), skipped, or taken by no integration (and why). */
  drop: [DropActivity];
}

/** What became of one drop, in words (the harness's Activity page). */
export interface DropActivity {
  time: string;
  bucket: string;
  key: string;
  /** The IAM user who wrote it. */
  user?: string;
  outcome: 'imported' | 'failed' | 'skipped' | 'unmatched';
  summary: string;
  why?: string;
  integration?: string;
  submissions?: string[];
}

/** An S3 error and the gateway's explanation of the IAM decision, on one line. */
export function describeFailure(error: S3Failure): string {
  return `${error.code}: ${error.message}${error.explanation ? ` (${error.explanation})` : ''}`;
}

/** One line on why a delivery failed. */
export function whyDeliveryFailed(delivery: Delivery): string {
  return delivery.error ? describeFailure(delivery.error) : 'no error recorded';
}

/** One line on why an import failed: the S3 error and its explanation, or the first issue and how many follow. */
export function whyFailed(submission: Submission): string {
  const { error, issues, issuesNotKept } = submission;
  if (error) return describeFailure(error);
  const first = issues[0];
  if (!first) return 'no issue recorded';
  const where = [first.row ? `row ${first.row}` : '', first.column ?? ''].filter(Boolean).join(', ');
  const more = issues.length + issuesNotKept - 1;
  return `${where ? `${where}: ` : ''}${first.message}${more > 0 ? ` (+${more} more issue(s))` : ''}`;
}

const objectOf = (entry: Pick<LedgerEntry, 'bucket' | 'key'>) => `s3://${entry.bucket}/${entry.key}`;
const by = (entry: LedgerEntry, submission: Submission) => ({
  integration: entry.integration,
  submissions: [submission.id],
});
const RETRIED = 'it is retried at the next start';

export interface ReporterOptions {
  events: EventEmitter<EngineEvents>;
  log: (line: string) => void;
  webhookUrl?: string | undefined;
  now: () => Date;
}

export type Reporter = ReturnType<typeof createReporter>;

type Drop = (
  entry: Pick<LedgerEntry, 'bucket' | 'key' | 'uploadedBy'>,
  activity: Omit<DropActivity, 'time' | 'bucket' | 'key' | 'user'>,
) => void;
type Alert = (payload: Parameters<typeof sendWebhook>[0]) => void;
type Log = (line: string) => void;

export function createReporter({ events, log, webhookUrl, now }: ReporterOptions) {
  const alert: Alert = (payload) => {
    if (webhookUrl) void sendWebhook(payload, { url: webhookUrl, log });
  };
  const drop: Drop = (entry, activity) =>
    events.emit('drop', {
      time: now().toISOString(),
      bucket: entry.bucket,
      key: entry.key,
      ...(entry.uploadedBy ? { user: entry.uploadedBy } : {}),
      ...activity,
    });
  return {
    log,
    ...importLines(events, log, alert, drop),
    ...deliveryLines(events, log, alert),
    ...restartLines(log),
  };
}

/** What became of each drop: imported, failed, skipped as heard before, or taken by no integration. */
function importLines(events: EventEmitter<EngineEvents>, log: Log, alert: Alert, drop: Drop) {
  return {
    imported(entry: LedgerEntry, submissions: readonly Submission[]) {
      if (submissions.length === 0)
        log(
          `[import] ${entry.integration}: ${objectOf(entry)} changed before it was read; its new version is imported on its own`,
        );
      for (const submission of submissions) {
        events.emit('submission', submission);
        const what = `${entry.integration}: ${objectOf(entry)} -> submission ${submission.id} ${submission.status.toUpperCase()}`;
        const { rows, accepted, rejected } = submission.counts;
        const counts = `${rows} row(s), ${accepted} accepted, ${rejected} rejected`;
        const as = `imported by ${entry.integration} as submission ${submission.id}: ${submission.status.toUpperCase()} (${counts})`;
        if (submission.status === 'failed') {
          log(`[import failed] ${what}: ${whyFailed(submission)}`);
          alert({ event: 'import.failed', submission });
          drop(entry, { outcome: 'failed', summary: as, why: whyFailed(submission), ...by(entry, submission) });
        } else {
          log(`[import] ${what} (${counts})`);
          drop(entry, { outcome: 'imported', summary: as, ...by(entry, submission) });
        }
      }
    },
    importError(entry: LedgerEntry, error: unknown) {
      log(`[import error] ${entry.integration}: ${objectOf(entry)}: ${(error as Error).message}; ${RETRIED}`);
    },
    /** A drop of a version this integration has seen: nothing is imported, and the log says how to import it again. */
    alreadyImported(entry: LedgerEntry) {
      const ids = entry.submissions ?? [];
      const as = ids.length ? `imported as submission ${ids.join(' and ')}` : 'whose import is under way';
      const again = ids.length ? `; to import it again: s3-harness reimport ${ids[0]}` : '';
      log(`[import] ${entry.integration}: ${objectOf(entry)}: the same write heard again, ${as}: skipped${again}`);
      drop(entry, {
        outcome: 'skipped',
        summary: `the same write heard again by ${entry.integration}: skipped`,
        why: `${as}${again}`,
        integration: entry.integration,
        submissions: ids,
      });
    },
    /** A drop no integration takes: the log and the Activity page say which one nearly did, and why not. */
    unmatched(object: { bucket: string; key: string; uploadedBy?: string }, miss: NearMiss) {
      const nearest = miss.integration ? `nearest: ${miss.integration} (prefix "${miss.prefix}"): ` : '';
      log(
        `[drop] ${objectOf(object)}${object.uploadedBy ? ` by ${object.uploadedBy}` : ''}: no integration takes it; ${nearest}${miss.reason}`,
      );
      drop(object, {
        outcome: 'unmatched',
        summary: 'no integration takes it: stored, and not imported',
        why: `${nearest}${miss.reason}`,
        ...(miss.integration ? { integration: miss.integration } : {}),
      });
    },
    reimporting(entry: LedgerEntry) {
      log(`[import] ${entry.integration}: importing ${objectOf(entry)} again, replacing submission ${entry.replaces}`);
    },
    notRecorded(object: { bucket: string; key: string }, error: unknown) {
      log(`[import error] ${objectOf(object)} could not be recorded: ${(error as Error).message}; ${RETRIED}`);
    },
  };
}

/** Deliveries: written, failed (with an alert), or to be retried. */
function deliveryLines(events: EventEmitter<EngineEvents>, log: Log, alert: Alert) {
  return {
    delivered(submission: Submission, ref: DeliveryRef, delivery: Delivery) {
      events.emit('delivery', submission, delivery, ref.index);
      const what = `${delivery.integration}: submission ${submission.id} -> ${objectOf(delivery)}`;
      if (delivery.status === 'failed') {
        log(`[delivery failed] ${what} (attempt ${delivery.attempts}): ${whyDeliveryFailed(delivery)}`);
        alert({ event: 'delivery.failed', submission, delivery, index: ref.index });
      } else if (delivery.status === 'delivered') {
        log(`[delivery] ${what} (${delivery.bytes} bytes${delivery.sse ? ', SSE-S3' : ''})`);
        for (const warning of delivery.warnings) log(`[delivery warning] ${what}: ${warning}`);
      }
    },
    deliveryError(ref: DeliveryRef, error: unknown) {
      log(
        `[delivery error] submission ${ref.submissionId}, delivery ${ref.index}: ${(error as Error).message}; ${RETRIED}`,
      );
    },
  };
}

/** What a start finishes or drops of the work the last stop interrupted, and integration warnings. */
function restartLines(log: Log) {
  return {
    resumingImport(entry: LedgerEntry) {
      log(`[import] finishing an import interrupted by the last stop: ${entry.integration}: ${objectOf(entry)}`);
    },
    droppingImport(entry: LedgerEntry) {
      log(
        `[import] dropping an import interrupted by the last stop: integration "${entry.integration}" is no longer in the workspace (${objectOf(entry)})`,
      );
    },
    resumingDelivery(ref: DeliveryRef, delivery: Delivery | undefined) {
      log(
        `[delivery] finishing a delivery interrupted by the last stop: ${delivery?.integration}: submission ${ref.submissionId}`,
      );
    },
    recoveredDrops(count: number) {
      if (count)
        log(`[import] ${count} drop(s) answered before the last stop had not been imported: importing them now`);
    },
    integrationWarning(id: string, message: string) {
      log(`[integration] ${id}: ${message}`);
    },
  };
}
