/**
 * The platform side, wired to the emulated AWS: inbound integrations detect dropped objects (the
 * gateway's object-created events, or polling with the account's keys), the importer runs them one
 * at a time from a queue, each complete submission's deliveries write its outbound files from a
 * second queue, and imports and deliveries left unfinished by an earlier run are finished at start.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkIntegration,
  createImporter,
  type AccountS3,
  type DroppedObject,
  type IntegrationRef,
  type IntegrationStatus,
  type LedgerEntry,
} from '../../core/inbound/index.ts';
import {
  checkOutbound,
  createDeliverer,
  type DeliveryRef,
  type OutboundS3,
  type OutboundStatus,
  type RetryCheck,
} from '../../core/outbound/index.ts';
import type { Delivery, S3Failure, Submission } from '../../core/submissions/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import type { Gateway } from '../gateway/index.ts';
import { createAccountS3 } from './account-s3.ts';
import { sendWebhook } from './alerts.ts';
import { openSubmissionStore, type EngineStore } from './submission-store.ts';

export interface EngineOptions {
  workspace: Workspace;
  gateway: Gateway;
  /** The gateway's S3 endpoint: the engine calls it like any client. */
  endpoint: string;
  dataDirectory: string;
  now?: () => Date;
  log?: (line: string) => void;
  /** @default 50,000 */
  rowLimit?: number;
}

export interface EngineEvents {
  submission: [Submission];
  /** A delivery attempt ended (delivered or failed). */
  delivery: [Submission, Delivery, number];
}

/** What the engine needs of the gateway's object-created event. */
export interface CreatedObject {
  bucket: string;
  key: string;
  etag?: string;
  size?: number;
  userName?: string;
}

export type RetryResult =
  | { ok: true; delivery: Delivery }
  | Extract<RetryCheck, { ok: false }>
  | { ok: false; reason: 'error'; message: string };

export interface Engine {
  readonly store: EngineStore;
  readonly events: EventEmitter<EngineEvents>;
  /** Inbound integrations, then outbound ones, with their permission warnings. */
  integrations(): (IntegrationStatus | OutboundStatus)[];
  /** Re-checks every integration's permissions. */
  checkIntegrations(): Promise<(IntegrationStatus | OutboundStatus)[]>;
  /** Makes a failed delivery queued again and resolves when that attempt has ended. */
  retryDelivery(ref: DeliveryRef): Promise<RetryResult>;
  /** Takes an object-created event it did not hear (one that came while it was being replaced). */
  noticeCreated(event: CreatedObject): void;
  /** Resolves when no import or delivery is queued or running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
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

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { workspace, gateway } = options;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const store = await openSubmissionStore(join(options.dataDirectory, 'engine'), () => randomUUID());
  const events = new EventEmitter<EngineEvents>();
  // Outbound files are spooled here before they are written; what a stop left behind is discarded.
  const spoolDirectory = join(options.dataDirectory, 'engine', 'outbox');
  await rm(spoolDirectory, { recursive: true, force: true });
  const clients = new Map<string, AccountS3 & OutboundS3 & { client: { destroy(): void } }>();
  const s3For = (accountName: string, region: string): AccountS3 & OutboundS3 => {
    const cacheKey = `${accountName}|${region}`;
    let s3 = clients.get(cacheKey);
    if (!s3) {
      const account = workspace.accounts.find((a) => a.name === accountName);
      if (!account) throw new Error(`no account "${accountName}" in the workspace`);
      s3 = createAccountS3(options.endpoint, account, region, { spoolDirectory });
      clients.set(cacheKey, s3);
    }
    return s3;
  };
  const importer = createImporter({
    store,
    templates: workspace.templates,
    s3For,
    now,
    randomInt: (below) => randomInt(below),
    newId: () => randomUUID(),
    person: (name) => {
      const user = workspace.iam.users.find((u) => u.name === name);
      return user ? { displayName: user.displayName, ...(user.email ? { email: user.email } : {}) } : undefined;
    },
    ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
  });

  const statuses = new Map<string, IntegrationStatus>();
  const outboundStatuses = new Map<string, OutboundStatus>();
  const allStatuses = () => [...statuses.values(), ...outboundStatuses.values()];
  const checkIntegrations = async () => {
    for (const ref of importer.integrations) {
      const status = await checkIntegration(ref, s3For(ref.integration.account, ref.integration.region), now());
      statuses.set(ref.id, status);
      for (const warning of status.warnings) log(`[integration] ${ref.id}: ${warning.message}`);
    }
    for (const integration of workspace.templates.flatMap((t) => t.outbound)) {
      const status = await checkOutbound(integration, s3For(integration.account, integration.region), now());
      outboundStatuses.set(status.id, status);
      for (const warning of status.warnings) log(`[integration] ${status.id} (outbound): ${warning.message}`);
    }
    return allStatuses();
  };
  const active = (ref: IntegrationRef) => statuses.get(ref.id)?.status !== 'warning';

  // Deliveries, one at a time, in the order their submissions completed.
  const deliverer = createDeliverer({ store, templates: workspace.templates, s3For, now });
  let deliveries: Promise<unknown> = Promise.resolve();
  let pendingDeliveries = 0;
  const reportDelivery = (ref: DeliveryRef, delivery: Delivery) => {
    const submission = store.submission(ref.submissionId)!;
    events.emit('delivery', submission, delivery, ref.index);
    const what = `${delivery.integration}: submission ${submission.id} -> s3://${delivery.bucket}/${delivery.key}`;
    if (delivery.status === 'failed') {
      log(`[delivery failed] ${what} (attempt ${delivery.attempts}): ${whyDeliveryFailed(delivery)}`);
      if (workspace.alerts.webhookUrl)
        void sendWebhook(
          { event: 'delivery.failed', submission, delivery, index: ref.index },
          { url: workspace.alerts.webhookUrl, log },
        );
    } else if (delivery.status === 'delivered') {
      log(`[delivery] ${what} (${delivery.bytes} bytes${delivery.sse ? ', SSE-S3' : ''})`);
      for (const warning of delivery.warnings) log(`[delivery warning] ${what}: ${warning}`);
    }
  };
  const deliver = (ref: DeliveryRef): Promise<Delivery | undefined> => {
    pendingDeliveries++;
    const attempt = deliveries.then(async () => {
      try {
        const delivery = await deliverer.run(ref);
        if (delivery) reportDelivery(ref, delivery);
        return delivery;
      } catch (error) {
        log(
          `[delivery error] submission ${ref.submissionId}, delivery ${ref.index}: ${(error as Error).message}; it is retried at the next start`,
        );
        return undefined;
      } finally {
        pendingDeliveries--;
      }
    });
    deliveries = attempt;
    return attempt;
  };

  // One import at a time, in the order objects arrived.
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  const report = (submissions: Submission[], entry: LedgerEntry) => {
    if (submissions.length === 0)
      log(
        `[import] ${entry.integration}: s3://${entry.bucket}/${entry.key} changed before it was read; its new version is imported on its own`,
      );
    for (const submission of submissions) {
      events.emit('submission', submission);
      (submission.deliveries ?? []).forEach((_, index) => void deliver({ submissionId: submission.id, index }));
      const what = `${entry.integration}: s3://${entry.bucket}/${entry.key} -> submission ${submission.id} ${submission.status.toUpperCase()}`;
      if (submission.status === 'failed') {
        log(`[import failed] ${what}: ${whyFailed(submission)}`);
        if (workspace.alerts.webhookUrl)
          void sendWebhook({ event: 'import.failed', submission }, { url: workspace.alerts.webhookUrl, log });
      } else {
        log(
          `[import] ${what} (${submission.counts.rows} row(s), ${submission.counts.accepted} accepted, ${submission.counts.rejected} rejected)`,
        );
      }
    }
  };
  const enqueue = (entry: LedgerEntry) => {
    pending++;
    queue = queue.then(async () => {
      try {
        report(await importer.run(entry), entry);
      } catch (error) {
        log(
          `[import error] ${entry.integration}: s3://${entry.bucket}/${entry.key}: ${(error as Error).message}; it is retried at the next start`,
        );
      } finally {
        pending--;
      }
    });
  };
  // Detections in flight: a stop waits for them, so a drop answered with 200 is in the ledger before the engine ends.
  const detections = new Set<Promise<number>>();
  const detect = (object: DroppedObject, only: (ref: IntegrationRef) => boolean): Promise<number> => {
    const detection = (async () => {
      const entries = await importer.detect(object, (ref) => active(ref) && only(ref));
      for (const entry of entries) enqueue(entry);
      return entries.length;
    })();
    detections.add(detection);
    void detection.finally(() => detections.delete(detection)).catch(() => undefined);
    return detection;
  };
  const byEvent = (ref: IntegrationRef) => ref.integration.detection === 'event';
  const droppedOf = (event: CreatedObject): DroppedObject => ({
    bucket: event.bucket,
    key: event.key,
    etag: event.etag ?? '',
    size: event.size ?? 0,
    ...(event.userName ? { uploadedBy: event.userName } : {}),
  });

  await checkIntegrations();
  const known = new Set(importer.integrations.map((ref) => ref.id));
  for (const entry of await store.unfinished()) {
    if (!known.has(entry.integration)) {
      // The workspace was edited since: nothing can finish this import, so it is closed, and said so.
      log(
        `[import] dropping an import interrupted by the last stop: integration "${entry.integration}" is no longer in the workspace (s3://${entry.bucket}/${entry.key})`,
      );
      await store.commit(entry.id, [], store.counters());
      continue;
    }
    log(
      `[import] finishing an import interrupted by the last stop: ${entry.integration}: s3://${entry.bucket}/${entry.key}`,
    );
    enqueue(entry);
  }

  for (const ref of deliverer.unfinished()) {
    const delivery = store.submission(ref.submissionId)?.deliveries?.[ref.index];
    log(
      `[delivery] finishing a delivery interrupted by the last stop: ${delivery?.integration}: submission ${ref.submissionId}`,
    );
    void deliver(ref);
  }

  const onCreated = (event: CreatedObject) => {
    detect(droppedOf(event), byEvent).catch((error: unknown) =>
      log(
        `[import error] s3://${event.bucket}/${event.key} could not be recorded: ${(error as Error).message}; it is retried at the next start`,
      ),
    );
  };
  gateway.events.on('objectCreated', onCreated);

  // Drops the gateway answered with 200 that no engine recorded (a kill, a crash, a stop right after the
  // answer): the gateway's journal holds them until now (docs/durability.md). Already recorded ones cost a lookup.
  const missed = await gateway.pendingEvents();
  let recovered = 0;
  for (const event of missed.events) recovered += await detect(droppedOf(event), byEvent);
  if (recovered)
    log(`[import] ${recovered} drop(s) answered before the last stop had not been imported: importing them now`);
  await gateway.acknowledgeEvents(missed.through);

  // Poll mode: ListObjectsV2 under the prefix with the account's keys (needs s3:ListBucket).
  const timers = importer.integrations
    .filter((ref) => ref.integration.detection === 'poll')
    .map((ref) => {
      let running = false;
      const poll = async () => {
        if (running || !active(ref)) return;
        running = true;
        try {
          const listed = await s3For(ref.integration.account, ref.integration.region).listObjects(
            ref.integration.bucket,
            ref.prefix.staticPrefix,
            { all: true },
          );
          const status = statuses.get(ref.id);
          if (!listed.ok) {
            if (status && !status.warnings.some((w) => w.action === 's3:ListBucket')) {
              status.warnings.push({
                action: 's3:ListBucket',
                message: `polling needs s3:ListBucket: ListObjectsV2 under "${ref.prefix.staticPrefix}" failed with ${listed.error.code}`,
                error: listed.error,
              });
              log(`[integration] ${ref.id}: polling failed: ${listed.error.code}: ${listed.error.message}`);
            }
            return;
          }
          for (const object of listed.value) {
            // Versions already in the ledger cost nothing more: no metadata read, no detection.
            if (importer.seen(ref, { bucket: ref.integration.bucket, key: object.key, etag: object.etag })) continue;
            const uploadedBy = await gateway.uploaderOf(ref.integration.bucket, object.key);
            await detect(
              {
                bucket: ref.integration.bucket,
                key: object.key,
                etag: object.etag,
                size: object.size,
                ...(uploadedBy ? { uploadedBy } : {}),
              },
              (r) => r.id === ref.id,
            );
          }
        } finally {
          running = false;
        }
      };
      void poll();
      return setInterval(() => void poll(), ref.integration.pollIntervalSeconds * 1000);
    });

  return {
    store,
    events,
    integrations: allStatuses,
    checkIntegrations,
    noticeCreated: onCreated,
    async retryDelivery(ref) {
      const check = await deliverer.requeue(ref);
      if (!check.ok) return check;
      const delivery = await deliver(ref);
      return delivery
        ? { ok: true, delivery }
        : {
            ok: false,
            reason: 'error',
            message: `delivery ${ref.index} of submission ${ref.submissionId} could not be run (see the log)`,
          };
    },
    idle: async () => {
      while (pending > 0 || detections.size > 0 || pendingDeliveries > 0) {
        await Promise.allSettled([...detections]);
        await queue;
        await deliveries;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async stop() {
      gateway.events.off('objectCreated', onCreated);
      for (const timer of timers) clearInterval(timer);
      await Promise.allSettled([...detections]);
      await queue;
      await deliveries;
      for (const s3 of clients.values()) s3.client.destroy();
      store.close();
    },
  };
}
