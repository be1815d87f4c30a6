/**
 * The platform side, wired to the emulated AWS: inbound integrations detect dropped objects (the
 * gateway's object-created events, or polling with the account's keys), the importer runs them one
 * at a time from a queue, each complete submission's deliveries write its outbound files from a
 * second queue, and imports and deliveries left unfinished by an earlier run are finished at start.
 * This file only composes the parts; each lives in its own module beside it (docs/decisions.md).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createImporter,
  inboundCandidates,
  whyNotTaken,
  type Importer,
  type IntegrationStatus,
  type LedgerEntry,
} from '../../core/inbound/index.ts';
import {
  createDeliverer,
  queuedDeliveries,
  type Deliverer,
  type DeliveryRef,
  type OutboundStatus,
  type RetryCheck,
} from '../../core/outbound/index.ts';
import type { Delivery, Submission } from '../../core/submissions/index.ts';
import { accountUser, type Workspace } from '../../core/workspace/index.ts';
import { DEFAULTS } from '../defaults.ts';
import type { Gateway } from '../gateway/index.ts';
import { createAccountClients } from './account-clients.ts';
import { byEvent, createDetector, droppedOf, type CreatedObject, type Detector } from './detector.ts';
import { createIntegrationChecks } from './integration-checks.ts';
import { startPolling } from './poller.ts';
import { startQueueListeners } from './queue-listener.ts';
import { replayJournal, resumeUnfinished } from './recovery.ts';
import { createReporter, type EngineEvents, type Reporter } from './report.ts';
import { createSerialQueue, type SerialQueue } from './serial-queue.ts';
import { openSubmissionStore, type EngineStore } from './submission-store.ts';

export type { CreatedObject } from './detector.ts';
export { describeFailure, whyDeliveryFailed, whyFailed, type EngineEvents } from './report.ts';

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

export type RetryResult =
  | { ok: true; delivery: Delivery }
  | Extract<RetryCheck, { ok: false }>
  | { ok: false; reason: 'error'; message: string };

export type ReimportResult =
  { ok: true; submissions: Submission[] } | { ok: false; reason: 'not-found' | 'error'; message: string };

export interface Engine {
  readonly store: EngineStore;
  readonly events: EventEmitter<EngineEvents>;
  /** Inbound integrations, then outbound ones, with their permission warnings. */
  integrations(): (IntegrationStatus | OutboundStatus)[];
  /** Re-checks every integration's permissions. */
  checkIntegrations(): Promise<(IntegrationStatus | OutboundStatus)[]>;
  /** Makes a failed delivery queued again and resolves when that attempt has ended. */
  retryDelivery(ref: DeliveryRef): Promise<RetryResult>;
  /**
   * Imports a submission's object again (the version it names), failed or not, as new submissions that
   * say which one they replace (a complete one that replaces another takes its place in the dataset);
   * resolves when the import has decided. `[]`: the object changed since.
   */
  reimport(submissionId: string): Promise<ReimportResult>;
  /** Takes an object-created event it did not hear (one that came while it was being replaced). */
  noticeCreated(event: CreatedObject): void;
  /** Resolves when no import or delivery is queued or running. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const { workspace, gateway } = options;
  const now = options.now ?? (() => new Date());
  const events = new EventEmitter<EngineEvents>();
  const report = createReporter({
    events,
    log: options.log ?? (() => {}),
    webhookUrl: workspace.alerts.webhookUrl,
    now,
  });
  const store = await openSubmissionStore(join(options.dataDirectory, 'engine'), () => randomUUID());
  // Outbound files are spooled here before they are written; what a stop left behind is discarded.
  const spoolDirectory = join(options.dataDirectory, 'engine', 'outbox');
  await rm(spoolDirectory, { recursive: true, force: true });
  const clients = createAccountClients(workspace.accounts, options.endpoint, { spoolDirectory });
  const { s3For } = clients;
  const importer = createImporter({ ...importerSettings(workspace, options), store, s3For, now });
  const deliverer = createDeliverer({ store, templates: workspace.templates, s3For, now });
  const checks = createIntegrationChecks({
    inbound: importer.integrations,
    templates: workspace.templates,
    s3For,
    now,
    report,
  });

  const deliveries = createSerialQueue(); // one at a time, in the order their submissions completed
  const imports = createSerialQueue(); // one at a time, in the order objects arrived
  const deliver = (ref: DeliveryRef) => deliveries.run(() => deliverOne(deliverer, store, report, ref));
  const importQueued = (entry: LedgerEntry) => imports.run(() => importOne(importer, report, deliver, entry));
  const enqueue = (entry: LedgerEntry) => void importQueued(entry);
  const detector = createDetector({ importer, active: checks.active, enqueue });
  const explainUnmatched = unmatchedExplainer(workspace, report);
  // A drop of a version already imported is skipped, and said so (the journal's replay at start is not).
  // Once recorded, the gateway may forget the event (docs/durability.md).
  const onCreated = (event: CreatedObject) =>
    void detector
      .detect(droppedOf(event), byEvent, report.alreadyImported)
      .then(() => {
        if (event.requestId !== undefined) gateway.acknowledgeEvent(event.requestId);
        explainUnmatched(event);
      })
      .catch((error: unknown) => report.notRecorded(event, error));

  await checks.check();
  await resumeUnfinished({ store, integrations: importer.integrations, deliverer, enqueue, deliver, report });
  gateway.events.on('objectCreated', onCreated);
  await replayJournal(gateway, detector, report);
  const uploaderOf = uploaderLookup(workspace, gateway);
  const stopPolling = startPolling({ importer, checks, detector, s3For, uploaderOf, report });
  const stopQueues = startQueueListeners({
    importer,
    accounts: workspace.accounts,
    detector,
    report,
    waitSeconds: DEFAULTS.sqsWaitSeconds,
  });

  const idle = () => untilIdle(detector, imports, deliveries);
  return {
    store,
    events,
    integrations: checks.all,
    checkIntegrations: checks.check,
    noticeCreated: onCreated,
    retryDelivery: (ref) => retry(deliverer, deliver, ref),
    reimport: (submissionId) => reimport(store, importer, report, importQueued, submissionId),
    idle,
    async stop() {
      gateway.events.off('objectCreated', onCreated);
      stopPolling();
      await stopQueues();
      await idle();
      clients.destroy();
      store.close();
    },
  };
}

/** Resolves once no detection, import or delivery is under way or queued (each may start the next). */
async function untilIdle(detector: Detector, imports: SerialQueue, deliveries: SerialQueue): Promise<void> {
  while (imports.size > 0 || detector.inFlight > 0 || deliveries.size > 0) {
    await detector.settled();
    await imports.drained();
    await deliveries.drained();
  }
}

/** What the importer takes from the workspace and the options: templates, people, ids, limits. */
function importerSettings(workspace: Workspace, options: EngineOptions) {
  return {
    templates: workspace.templates,
    deliveriesFor(submission: Submission): Delivery[] {
      const template = workspace.templates.find((t) => t.name === submission.template);
      return template ? queuedDeliveries(template, submission) : [];
    },
    randomInt: (below: number) => randomInt(below),
    newId: () => randomUUID(),
    person(name: string) {
      const user = workspace.iam.users.find((u) => u.name === name);
      return user ? { displayName: user.displayName, ...(user.email ? { email: user.email } : {}) } : undefined;
    },
    ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
  };
}

/** Imports one ledger entry, reports it, and queues the deliveries of what it completed. Undefined: it failed to run (logged). */
async function importOne(
  importer: Importer,
  report: Reporter,
  deliver: (ref: DeliveryRef) => Promise<unknown>,
  entry: LedgerEntry,
): Promise<Submission[] | undefined> {
  try {
    const submissions = await importer.run(entry);
    report.imported(entry, submissions);
    for (const submission of submissions)
      (submission.deliveries ?? []).forEach((_, index) => void deliver({ submissionId: submission.id, index }));
    return submissions;
  } catch (error) {
    report.importError(entry, error);
    return undefined;
  }
}

/** Imports a failed submission's object again, as new submissions that name it; resolves once the import has decided. */
async function reimport(
  store: EngineStore,
  importer: Importer,
  report: Reporter,
  importQueued: (entry: LedgerEntry) => Promise<Submission[] | undefined>,
  submissionId: string,
): Promise<ReimportResult> {
  const submission = store.submission(submissionId);
  if (!submission) return { ok: false, reason: 'not-found', message: `no submission "${submissionId}"` };
  const entry = await importer.reimport(submission);
  if (!entry)
    return {
      ok: false,
      reason: 'not-found',
      message: `integration "${submission.template}/${submission.integration}" is no longer in the workspace`,
    };
  report.reimporting(entry);
  const submissions = await importQueued(entry);
  if (submissions) return { ok: true, submissions };
  return {
    ok: false,
    reason: 'error',
    message: `the import of ${submissionId}'s object could not be run (see the log)`,
  };
}

/** Runs one delivery attempt and reports it; an error is logged and the delivery resumes at the next start. */
async function deliverOne(
  deliverer: Deliverer,
  store: EngineStore,
  report: Reporter,
  ref: DeliveryRef,
): Promise<Delivery | undefined> {
  try {
    const delivery = await deliverer.run(ref);
    if (delivery) report.delivered(store.submission(ref.submissionId)!, ref, delivery);
    return delivery;
  } catch (error) {
    report.deliveryError(ref, error);
    return undefined;
  }
}

async function retry(
  deliverer: Deliverer,
  deliver: (ref: DeliveryRef) => Promise<Delivery | undefined>,
  ref: DeliveryRef,
): Promise<RetryResult> {
  const check = await deliverer.requeue(ref);
  if (!check.ok) return check;
  const delivery = await deliver(ref);
  if (delivery) return { ok: true, delivery };
  const message = `delivery ${ref.index} of submission ${ref.submissionId} could not be run (see the log)`;
  return { ok: false, reason: 'error', message };
}

/** Who wrote an object a poll found; a remote account's bucket is not the gateway's, even with the same name. */
function uploaderLookup(workspace: Workspace, gateway: EngineOptions['gateway']) {
  const remote = new Set(workspace.accounts.filter((a) => a.remote).map((a) => a.name));
  return async (account: string, bucket: string, key: string) =>
    remote.has(account) ? undefined : gateway.uploaderOf(bucket, key);
}

/** Says why no integration takes a write the engine explains (see unmatchedDropsOf), and which nearly did. */
function unmatchedExplainer(workspace: Workspace, report: Reporter): (event: CreatedObject) => void {
  const candidates = inboundCandidates(workspace.templates);
  const explains = unmatchedDropsOf(workspace);
  return (event) => {
    if (!explains(event)) return;
    const miss = whyNotTaken(candidates, event.bucket, event.key);
    if (miss) report.unmatched({ ...event, ...(event.userName ? { uploadedBy: event.userName } : {}) }, miss);
  };
}

/**
 * Which writes the engine explains when no integration takes them: a file in a bucket an inbound
 * integration watches (a wrong folder, case or name), not the platform's own outbound files there.
 */
function unmatchedDropsOf(workspace: Workspace): (event: CreatedObject) => boolean {
  const watched = new Set(workspace.templates.flatMap((t) => t.inbound.map((i) => i.bucket)));
  const writers = new Set(
    workspace.templates.flatMap((t) =>
      t.outbound.map((o) => `${o.bucket}\n${accountUser(workspace, o.account)?.name}`),
    ),
  );
  return (event) =>
    watched.has(event.bucket) && !event.key.endsWith('/') && !writers.has(`${event.bucket}\n${event.userName}`);
}
