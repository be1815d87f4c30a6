/**
 * What the engine says about imports and deliveries: the log's wording, the events the API and UI
 * listen to, and the alert webhook on failures. Every line the engine writes is worded here.
 */
import type { EventEmitter } from 'node:events';
import type { LedgerEntry } from '../../core/inbound/index.ts';
import type { DeliveryRef } from '../../core/outbound/index.ts';
import type { Delivery, S3Failure, Submission } from '../../core/submissions/index.ts';
import { sendWebhook } from './alerts.ts';

export interface EngineEvents {
  submission: [Submission];
  /** A delivery attempt ended (delivered or failed). */
  delivery: [Submission, Delivery, number];
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
const RETRIED = 'it is retried at the next start';

export interface ReporterOptions {
  events: EventEmitter<EngineEvents>;
  log: (line: string) => void;
  webhookUrl?: string | undefined;
}

export type Reporter = ReturnType<typeof createReporter>;

export function createReporter({ events, log, webhookUrl }: ReporterOptions) {
  const alert = (payload: Parameters<typeof sendWebhook>[0]) => {
    if (webhookUrl) void sendWebhook(payload, { url: webhookUrl, log });
  };
  return {
    log,
    imported(entry: LedgerEntry, submissions: readonly Submission[]) {
      if (submissions.length === 0)
        log(
          `[import] ${entry.integration}: ${objectOf(entry)} changed before it was read; its new version is imported on its own`,
        );
      for (const submission of submissions) {
        events.emit('submission', submission);
        const what = `${entry.integration}: ${objectOf(entry)} -> submission ${submission.id} ${submission.status.toUpperCase()}`;
        if (submission.status === 'failed') {
          log(`[import failed] ${what}: ${whyFailed(submission)}`);
          alert({ event: 'import.failed', submission });
        } else {
          const { rows, accepted, rejected } = submission.counts;
          log(`[import] ${what} (${rows} row(s), ${accepted} accepted, ${rejected} rejected)`);
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
    },
    reimporting(entry: LedgerEntry) {
      log(`[import] ${entry.integration}: importing ${objectOf(entry)} again, replacing submission ${entry.replaces}`);
    },
    notRecorded(object: { bucket: string; key: string }, error: unknown) {
      log(`[import error] ${objectOf(object)} could not be recorded: ${(error as Error).message}; ${RETRIED}`);
    },
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
