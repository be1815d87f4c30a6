/**
 * Delivery: for every complete submission, each outbound integration of its template writes its file
 * with the account's keys (docs/outbound.md). A delivery is a state machine kept on the submission
 * (docs/outbound.md, "Delivery"): queued -> writing -> delivered | failed, and a retry makes a failed
 * delivery queued again. Each attempt reads the integration's current settings, so a user who fixes
 * a setting (the SSE box, say) and retries gets the fixed file.
 */
import { checkBucketListing, type OutboundS3, type PutOutcome } from '../s3/index.ts';
import type { Delivery, S3Failure, Submission } from '../submissions/index.ts';
import type { Template } from '../templates/index.ts';
import type { OutboundIntegration } from './outbound-types.ts';
import type { FieldValues } from './columns.ts';
import { objectKeyFor, outputTable, renderSettings, type StoredRows } from './preview.ts';
import { FILE_FORMATS, fileFormat } from './file-formats.ts';

/** A template with its outbound integrations. */
export type OutboundTemplate = Template & { outbound: readonly OutboundIntegration[] };

export interface DeliveryStore {
  submission(id: string): Submission | undefined;
  submissions(): Submission[];
  /** Replaces one delivery of a submission, in one write. */
  setDelivery(submissionId: string, index: number, delivery: Delivery): Promise<void>;
  /** The submission's accepted rows. */
  accepted(submissionId: string): AsyncIterable<FieldValues>;
  /** The deliveries whose last attempt delivered this object (an index: no scan of every submission). */
  deliveredTo(bucket: string, key: string): DeliveryRef[];
}

/** The summary header's Targets: the template's outbound integrations. */
export function summaryTargets(template: OutboundTemplate): string {
  return template.outbound.map((o) => o.name).join(', ');
}

/** The settings an attempt takes from the integration, recorded on the delivery. */
function target(
  template: OutboundTemplate,
  integration: OutboundIntegration,
  submission: Submission,
): Pick<Delivery, 'integration' | 'bucket' | 'key' | 'fileType' | 'sse'> {
  return {
    integration: integration.name,
    bucket: integration.bucket,
    key: objectKeyFor(template, integration, submission),
    fileType: integration.fileType,
    sse: integration.sse,
  };
}

/** The deliveries of a newly complete submission, all queued. */
export function queuedDeliveries(template: OutboundTemplate, submission: Submission): Delivery[] {
  return template.outbound.map((integration) => ({
    ...target(template, integration, submission),
    status: 'queued',
    attempts: 0,
    bytes: null,
    etag: null,
    finishedAt: null,
    error: null,
    warnings: [],
  }));
}

/**
 * The file's bytes (or text chunks), streamed from the submission's rows. `warnings` collects what the
 * file changed of the values (control characters an XLSX cannot hold), once the stream has been read.
 */
export function renderOutboundFile(
  template: OutboundTemplate,
  integration: OutboundIntegration,
  submission: Submission,
  rows: StoredRows,
  warnings: string[] = [],
): AsyncIterable<string | Uint8Array> {
  const table = outputTable(template, integration, submission, rows, summaryTargets(template));
  return FILE_FORMATS[integration.fileType].render(table, renderSettings(template, integration), warnings);
}

export interface DelivererOptions {
  store: DeliveryStore;
  templates: readonly OutboundTemplate[];
  s3For(account: string, region: string): OutboundS3;
  now(): Date;
}

export type DeliveryRef = { submissionId: string; index: number };

/** Whether a delivery can be retried now, or why not. */
export type RetryCheck = { ok: true } | { ok: false; reason: 'not-found' | 'not-failed'; message: string };

export interface Deliverer {
  /** Runs one attempt of a queued (or interrupted) delivery and returns it as recorded. */
  run(ref: DeliveryRef): Promise<Delivery | undefined>;
  /** Makes a failed delivery queued again. */
  requeue(ref: DeliveryRef): Promise<RetryCheck>;
  /** Deliveries left queued or writing by an earlier run, oldest submission first. */
  unfinished(): DeliveryRef[];
}

const sameObject = (a: Pick<Delivery, 'bucket' | 'key'>, b: Pick<Delivery, 'bucket' | 'key'>) =>
  a.bucket === b.bucket && a.key === b.key;

const isUnfinished = (delivery: Delivery) => delivery.status === 'queued' || delivery.status === 'writing';

export function createDeliverer(options: DelivererOptions): Deliverer {
  return {
    run: (ref) => runDelivery(options, ref),
    requeue: (ref) => requeueDelivery(options.store, ref),
    unfinished: () => unfinishedDeliveries(options.store),
  };
}

/** queued (or writing, after a stop) -> writing -> delivered | failed; each step recorded as it happens. */
async function runDelivery(options: DelivererOptions, ref: DeliveryRef): Promise<Delivery | undefined> {
  const { store } = options;
  const submission = store.submission(ref.submissionId);
  const recorded = submission?.deliveries?.[ref.index];
  if (!submission || !recorded || !isUnfinished(recorded)) return recorded;
  const record = async (delivery: Delivery) => {
    await store.setDelivery(ref.submissionId, ref.index, delivery);
    return delivery;
  };
  const fail = (from: Delivery, error: S3Failure, bytes: number | null = null) =>
    record({ ...from, status: 'failed', bytes, etag: null, finishedAt: options.now().toISOString(), error });

  const template = options.templates.find((t) => t.name === submission.template);
  const integration = template?.outbound.find((o) => o.name === recorded.integration);
  if (!template || !integration) {
    return fail(recorded, {
      code: 'NoSuchIntegration',
      message: `template "${submission.template}" no longer has an outbound integration "${recorded.integration}" in the workspace`,
    });
  }
  const writing = await record({
    ...recorded,
    ...target(template, integration, submission),
    status: 'writing',
    attempts: recorded.attempts + 1,
    bytes: null,
    etag: null,
    error: null,
    warnings: [],
  });
  const s3 = options.s3For(integration.account, integration.region);

  // A list-mode integration whose account cannot list its buckets could not have been set up in
  // the product: it delivers nothing until it is switched to Manual Bucket Entry.
  const listing = await checkBucketListing(integration, s3);
  if (listing)
    return fail(writing, {
      code: 'PermissionWarning',
      message: listing.message,
      ...(listing.error?.explanation ? { explanation: listing.error.explanation } : {}),
    });

  const previous = lastWriter(store, writing, ref);
  const notes: string[] = [];
  const outcome = await writeFile(s3, writing, () =>
    renderOutboundFile(template, integration, submission, store.accepted(submission.id), notes),
  );
  if (!outcome.ok) return fail(writing, outcome.error, outcome.bytes);

  const delivered: Delivery = {
    ...writing,
    status: 'delivered',
    bytes: outcome.value.bytes,
    etag: outcome.value.etag,
    finishedAt: options.now().toISOString(),
    error: null,
    warnings: notes,
  };
  if (previous) await noteOverwrite(store, { ref, submission, delivery: delivered }, previous);
  return record(delivered);
}

/** Renders the file and PUTs it; a file that cannot be rendered is a failure like S3's, never a throw. */
async function writeFile(
  s3: OutboundS3,
  delivery: Delivery,
  render: () => AsyncIterable<string | Uint8Array>,
): Promise<PutOutcome> {
  try {
    return await s3.putObject(delivery.bucket, delivery.key, render(), {
      sse: delivery.sse,
      contentType: fileFormat(delivery.fileType)?.contentType ?? 'application/octet-stream',
    });
  } catch (error) {
    // Not S3's answer: the rows could not be read or rendered.
    return {
      ok: false,
      bytes: null,
      error: { code: 'RenderError', message: `the file could not be rendered: ${(error as Error).message}` },
    };
  }
}

interface DeliveryAt {
  ref: DeliveryRef;
  submission: Submission;
  delivery: Delivery;
}

/** The delivery that last wrote this object, other than `self` (through the store's index: no scan). */
function lastWriter(
  store: DeliveryStore,
  object: Pick<Delivery, 'bucket' | 'key'>,
  self: DeliveryRef,
): DeliveryAt | undefined {
  let last: DeliveryAt | undefined;
  for (const ref of store.deliveredTo(object.bucket, object.key)) {
    if (ref.submissionId === self.submissionId && ref.index === self.index) continue;
    const submission = store.submission(ref.submissionId);
    const delivery = submission?.deliveries?.[ref.index];
    if (!submission || !delivery || delivery.status !== 'delivered' || !sameObject(delivery, object)) continue;
    if (!last || (delivery.finishedAt ?? '') > (last.delivery.finishedAt ?? '')) last = { ref, submission, delivery };
  }
  return last;
}

/**
 * Two deliveries wrote the same object. Undocumented in the product; chosen (docs/outbound.md): the
 * later file wins, and both deliveries say so. Adds the warning to `later.delivery` (recorded by the caller).
 */
async function noteOverwrite(store: DeliveryStore, later: DeliveryAt, previous: DeliveryAt): Promise<void> {
  const { delivery } = later;
  const who =
    previous.submission.id === later.ref.submissionId
      ? `this submission's "${previous.delivery.integration}" delivery`
      : `submission ${previous.submission.id} ("${previous.submission.name}")`;
  delivery.warnings = [
    ...delivery.warnings,
    `overwrote s3://${delivery.bucket}/${delivery.key}, which ${who} wrote at ${previous.delivery.finishedAt}`,
  ];
  await store.setDelivery(previous.submission.id, previous.ref.index, {
    ...previous.delivery,
    warnings: [
      ...previous.delivery.warnings,
      `overwritten at ${delivery.finishedAt} by submission ${later.ref.submissionId} ("${later.submission.name}"), integration "${delivery.integration}"`,
    ],
  });
}

async function requeueDelivery(store: DeliveryStore, ref: DeliveryRef): Promise<RetryCheck> {
  const submission = store.submission(ref.submissionId);
  if (!submission) return { ok: false, reason: 'not-found', message: `no submission "${ref.submissionId}"` };
  const delivery = submission.deliveries?.[ref.index];
  if (!delivery) {
    const count = submission.deliveries?.length ?? 0;
    return {
      ok: false,
      reason: 'not-found',
      message: `submission ${ref.submissionId} has ${count === 0 ? 'no deliveries' : `deliveries 0 to ${count - 1}`}, not ${ref.index}`,
    };
  }
  if (delivery.status !== 'failed')
    return {
      ok: false,
      reason: 'not-failed',
      message: `delivery ${ref.index} of submission ${ref.submissionId} is ${delivery.status}; only a failed delivery can be retried`,
    };
  await store.setDelivery(ref.submissionId, ref.index, { ...delivery, status: 'queued' });
  return { ok: true };
}

function unfinishedDeliveries(store: DeliveryStore): DeliveryRef[] {
  return store
    .submissions()
    .filter((s) => s.deliveries?.some(isUnfinished))
    .sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0))
    .flatMap((s) =>
      (s.deliveries ?? []).flatMap((d, index) => (isUnfinished(d) ? [{ submissionId: s.id, index }] : [])),
    );
}
