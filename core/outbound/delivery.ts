/**
 * Delivery: for every complete submission, each outbound integration of its template writes its file
 * with the account's keys (docs/outbound.md). A delivery is a state machine kept on the submission
 * (docs/outbound.md, "Delivery"): queued -> writing -> delivered | failed, and a retry makes a failed
 * delivery queued again. Each attempt reads the integration's current settings, so a user who fixes
 * a setting (the SSE box, say) and retries gets the fixed file.
 */
import { checkBucketListing, type AccountS3 } from '../inbound/index.ts';
import type { Delivery, S3Failure, Submission } from '../submissions/index.ts';
import type { Template } from '../templates/index.ts';
import type { FileType } from './object-key.ts';
import type { OutboundIntegration } from './outbound-types.ts';
import type { FieldValues } from './columns.ts';
import { objectKeyFor, outputTable, type StoredRows } from './preview.ts';
import { renderCsv, renderJson, type OutputTable } from './render.ts';
import { renderXlsx } from './render-xlsx.ts';

export const CONTENT_TYPES: Record<FileType, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A template with its outbound integrations. */
export type OutboundTemplate = Template & { outbound: readonly OutboundIntegration[] };

export type PutOutcome =
  { ok: true; value: { etag: string; bytes: number } } | { ok: false; error: S3Failure; bytes: number | null };

/** S3 as one account sees it, for writing (and listing its buckets, in "List Buckets" mode). */
export interface OutboundS3 extends Pick<AccountS3, 'listBuckets'> {
  /** Writes the file; the adapter measures it first (S3 needs a Content-Length). */
  putObject(
    bucket: string,
    key: string,
    body: AsyncIterable<string | Uint8Array>,
    options: { sse: boolean; contentType: string },
  ): Promise<PutOutcome>;
}

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
  switch (integration.fileType) {
    case 'csv':
      return renderCsv(table, integration.delimiter, { escapeFormulas: integration.escapeFormulas });
    case 'json':
      return renderJson(table);
    case 'xlsx':
      return xlsxNoting(table, template.name, warnings);
  }
}

async function* xlsxNoting(table: OutputTable, sheetName: string, warnings: string[]): AsyncGenerator<Uint8Array> {
  let count = 0;
  let first: { row: number; column: number } | undefined;
  yield* renderXlsx(table, {
    sheetName,
    onControlCharacters: (at) => {
      count++;
      first ??= at;
    },
  });
  if (first)
    warnings.push(
      `${count} cell(s) held control characters an XLSX file cannot store; each was replaced by its visible symbol (NUL as \u2400 and so on), the first at row ${first.row}, column ${first.column} of the sheet`,
    );
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

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { store } = options;
  const templateOf = (name: string) => options.templates.find((t) => t.name === name);

  /** The delivery that last wrote this object, other than `self`. */
  const lastWriter = (object: Pick<Delivery, 'bucket' | 'key'>, self: DeliveryRef) => {
    let last: { submission: Submission; index: number; delivery: Delivery } | undefined;
    for (const ref of store.deliveredTo(object.bucket, object.key)) {
      if (ref.submissionId === self.submissionId && ref.index === self.index) continue;
      const submission = store.submission(ref.submissionId);
      const delivery = submission?.deliveries?.[ref.index];
      if (!submission || !delivery || delivery.status !== 'delivered' || !sameObject(delivery, object)) continue;
      if (!last || (delivery.finishedAt ?? '') > (last.delivery.finishedAt ?? ''))
        last = { submission, index: ref.index, delivery };
    }
    return last;
  };

  const record = async (ref: DeliveryRef, delivery: Delivery) => {
    await store.setDelivery(ref.submissionId, ref.index, delivery);
    return delivery;
  };

  async function run(ref: DeliveryRef): Promise<Delivery | undefined> {
    const submission = store.submission(ref.submissionId);
    const recorded = submission?.deliveries?.[ref.index];
    if (!submission || !recorded || recorded.status === 'delivered' || recorded.status === 'failed') return recorded;
    const finishedAt = () => options.now().toISOString();
    const fail = (from: Delivery, error: S3Failure, bytes: number | null = null) =>
      record(ref, { ...from, status: 'failed', bytes, etag: null, finishedAt: finishedAt(), error });

    const template = templateOf(submission.template);
    const integration = template?.outbound.find((o) => o.name === recorded.integration);
    if (!template || !integration) {
      return fail(recorded, {
        code: 'NoSuchIntegration',
        message: `template "${submission.template}" no longer has an outbound integration "${recorded.integration}" in the workspace`,
      });
    }
    const writing = await record(ref, {
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

    const previous = lastWriter(writing, ref);
    const notes: string[] = [];
    let outcome: PutOutcome;
    try {
      const body = renderOutboundFile(template, integration, submission, store.accepted(submission.id), notes);
      outcome = await s3.putObject(writing.bucket, writing.key, body, {
        sse: writing.sse,
        contentType: CONTENT_TYPES[writing.fileType],
      });
    } catch (error) {
      // Not S3's answer: the rows could not be read or rendered.
      outcome = {
        ok: false,
        bytes: null,
        error: { code: 'RenderError', message: `the file could not be rendered: ${(error as Error).message}` },
      };
    }
    if (!outcome.ok) return fail(writing, outcome.error, outcome.bytes);

    const at = finishedAt();
    const delivered: Delivery = {
      ...writing,
      status: 'delivered',
      bytes: outcome.value.bytes,
      etag: outcome.value.etag,
      finishedAt: at,
      error: null,
      warnings: notes,
    };
    if (previous) {
      // Undocumented in the product; chosen (docs/outbound.md): the later file wins, and says so.
      const who =
        previous.submission.id === ref.submissionId
          ? `this submission's "${previous.delivery.integration}" delivery`
          : `submission ${previous.submission.id} ("${previous.submission.name}")`;
      delivered.warnings = [
        ...notes,
        `overwrote s3://${delivered.bucket}/${delivered.key}, which ${who} wrote at ${previous.delivery.finishedAt}`,
      ];
      const overwritten = {
        ...previous.delivery,
        warnings: [
          ...previous.delivery.warnings,
          `overwritten at ${at} by submission ${ref.submissionId} ("${submission.name}"), integration "${delivered.integration}"`,
        ],
      };
      await store.setDelivery(previous.submission.id, previous.index, overwritten);
    }
    return record(ref, delivered);
  }

  async function requeue(ref: DeliveryRef): Promise<RetryCheck> {
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

  const unfinished = () =>
    store
      .submissions()
      .filter((s) => s.deliveries?.some((d) => d.status === 'queued' || d.status === 'writing'))
      .sort((a, b) => (a.submittedAt < b.submittedAt ? -1 : a.submittedAt > b.submittedAt ? 1 : 0))
      .flatMap((s) =>
        (s.deliveries ?? []).flatMap((d, index) =>
          d.status === 'queued' || d.status === 'writing' ? [{ submissionId: s.id, index }] : [],
        ),
      );

  return { run, requeue, unfinished };
}
