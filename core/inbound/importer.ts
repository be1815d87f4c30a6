/**
 * The import of one dropped object, as a state machine persisted in the ledger:
 * detected -> fetching -> validating -> committing -> done. A restart finds unfinished entries and
 * runs them again; every step is safe to repeat (row files are rewritten, and the commit, which
 * also adds a complete submission to its dataset, is one write), so an object is never lost and
 * never imported twice.
 */
import { validateTemplateFile, type FileIssue, type FileValidationResult } from '../files/index.ts';
import type { AccountS3 } from '../s3/index.ts';
import type { DerivationContext, Template } from '../templates/index.ts';
import type { Delivery, Submission, SubmissionSource } from '../submissions/index.ts';
import type { InboundIntegration } from './inbound-types.ts';
import type { LedgerEntry, SubmissionStore } from './ports.ts';
import { compilePrefix, type CompiledPrefix } from './prefix-match.ts';

/**
 * An object write the platform heard of. A drop is one acknowledged write, as S3's event
 * notifications count them (docs/inbound.md, "What a drop is"): the same bytes written again are a new
 * drop, and the same write heard twice (an event delivered again) is one.
 */
export interface DroppedObject {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  /** The version written, in a versioned bucket. */
  versionId?: string;
  /** S3's event `sequencer`: one per write (event and SQS detection). */
  sequencer?: string;
  /** When it was written, as listed (poll detection: a new ETag or a new Last-Modified is a new write). */
  lastModified?: string;
  uploadedBy?: string;
}

/** A template with its inbound integrations. */
export type InboundTemplate = Template & { inbound: readonly InboundIntegration[] };

export interface ImporterOptions {
  store: SubmissionStore;
  templates: readonly InboundTemplate[];
  /** The deliveries a newly complete submission is committed with (queued; the outbound side decides them). */
  deliveriesFor(submission: Submission): Delivery[];
  /** S3 with the keys of a connected account, in a region. */
  s3For(account: string, region: string): AccountS3;
  /** Display name and email of an IAM user, for Submitted By. */
  person(userName: string): { displayName: string; email?: string } | undefined;
  now(): Date;
  randomInt(below: number): number;
  newId(): string;
  /** @default 50,000 */
  rowLimit?: number;
  /** Issues kept on a submission record; rejected rows keep all of theirs in the row file. @default 1,000 */
  maxKeptIssues?: number;
}

export interface IntegrationRef {
  /** `template/integration name`: unique in the workspace. */
  id: string;
  template: InboundTemplate;
  integration: InboundIntegration;
  prefix: CompiledPrefix;
}

export function integrationId(integration: InboundIntegration): string {
  return `${integration.template}/${integration.name}`;
}

export function stripQuotes(etag: string): string {
  return etag.replace(/"/g, '');
}

function fileName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * The ledger's id of a drop for an integration: the write it was, as precisely as its detection tells
 * it: the event's sequencer, else the version id, else the ETag and Last-Modified, else the ETag.
 */
export function ledgerId(ref: IntegrationRef, object: Omit<DroppedObject, 'size'>): string {
  const write =
    object.sequencer !== undefined
      ? `s:${object.sequencer}`
      : object.versionId !== undefined
        ? `v:${object.versionId}`
        : object.lastModified !== undefined
          ? `${stripQuotes(object.etag)}@${object.lastModified}`
          : stripQuotes(object.etag);
  return `${ref.id}|${object.bucket}|${object.key}|${write}`;
}

export interface Importer {
  integrations: readonly IntegrationRef[];
  /** Whether this integration has already recorded this drop. */
  seen(ref: IntegrationRef, object: Omit<DroppedObject, 'size'>): boolean;
  /**
   * The integrations whose bucket and prefix take this object; records each new one in the ledger.
   * `onAlreadySeen` hears of each integration that had recorded this very drop already (an event
   * delivered again).
   */
  detect(
    object: DroppedObject,
    only?: (ref: IntegrationRef) => boolean,
    onAlreadySeen?: (entry: LedgerEntry) => void,
  ): Promise<LedgerEntry[]>;
  /**
   * Records a new ledger entry that imports a submission's object again (the version it names), failed
   * or not: its submissions say which one they replace. Undefined when its integration is gone.
   */
  reimport(submission: Submission): Promise<LedgerEntry | undefined>;
  run(entry: LedgerEntry): Promise<Submission[]>;
}

/** What one import's steps share: the options, the integration, and the ledger entry being imported. */
interface ImportRun {
  options: ImporterOptions;
  ref: IntegrationRef;
  entry: LedgerEntry;
}

/** The outcome of an import: its submissions, the counters they leave, and the dataset member it adds. */
interface ImportOutcome {
  submissions: Submission[];
  counters: ReadonlyMap<string, number>;
  joinsDataset: boolean;
}

export function createImporter(options: ImporterOptions): Importer {
  const integrations: IntegrationRef[] = options.templates.flatMap((template) =>
    template.inbound.map((integration) => ({
      id: integrationId(integration),
      template,
      integration,
      prefix: compilePrefix(integration.prefix, template.name),
    })),
  );
  const byId = new Map(integrations.map((ref) => [ref.id, ref]));
  return {
    integrations,
    seen: (ref, object) => options.store.hasEntry(ledgerId(ref, object)),
    detect: (object, only, onAlreadySeen) => detectObject(options, integrations, object, only, onAlreadySeen),
    reimport: (submission) => recordReimport(options, byId, submission),
    async run(entry) {
      const ref = byId.get(entry.integration);
      if (!ref)
        throw new Error(`the ledger names integration "${entry.integration}", which the workspace no longer has`);
      return commitOutcome({ options, ref, entry }, await importEntry({ options, ref, entry }));
    },
  };
}

async function detectObject(
  options: ImporterOptions,
  integrations: readonly IntegrationRef[],
  object: DroppedObject,
  only?: (ref: IntegrationRef) => boolean,
  onAlreadySeen?: (entry: LedgerEntry) => void,
): Promise<LedgerEntry[]> {
  // Folder markers ("a/b/") are not files.
  if (object.key.endsWith('/')) return [];
  const entries: LedgerEntry[] = [];
  for (const ref of integrations) {
    if (ref.integration.bucket !== object.bucket || !ref.prefix.match(object.key) || (only && !only(ref))) continue;
    const entry = newLedgerEntry(options, ref, object);
    if (await options.store.recordDetected(entry)) entries.push(entry);
    else if (onAlreadySeen) onAlreadySeen(options.store.ledgerEntry(entry.id) ?? entry);
  }
  return entries;
}

/** A new ledger entry, `detected`, for this integration and object version (ids reserved for its submissions). */
function newLedgerEntry(options: ImporterOptions, ref: IntegrationRef, object: DroppedObject): LedgerEntry {
  const etag = stripQuotes(object.etag);
  return {
    id: ledgerId(ref, object),
    integration: ref.id,
    template: ref.template.name,
    bucket: object.bucket,
    key: object.key,
    etag,
    size: object.size,
    ...(object.versionId !== undefined ? { versionId: object.versionId } : {}),
    state: 'detected',
    attempts: 0,
    submissionIds: [options.newId(), options.newId()],
    detectedAt: options.now().toISOString(),
    ...(object.uploadedBy ? { uploadedBy: object.uploadedBy } : {}),
  };
}

async function recordReimport(
  options: ImporterOptions,
  byId: ReadonlyMap<string, IntegrationRef>,
  submission: Submission,
): Promise<LedgerEntry | undefined> {
  const ref = byId.get(`${submission.template}/${submission.integration}`);
  if (!ref) return undefined;
  // Its own ledger entry: the object version's first entry is done, and stays as it was.
  const reimport = `reimport ${options.newId()}`;
  const fresh = newLedgerEntry(options, ref, submission.source);
  const entry: LedgerEntry = { ...fresh, id: `${fresh.id}|${reimport}`, replaces: submission.id };
  await options.store.recordDetected(entry);
  return entry;
}

/** fetching -> validating -> committing: everything but the commit itself. */
async function importEntry(run: ImportRun): Promise<ImportOutcome> {
  const { options, ref, entry } = run;
  const { store } = options;
  const { integration } = ref;
  await store.setState(entry.id, 'fetching', entry.attempts + 1);
  // Fetched with the account's keys, through the gateway: the customer's policy governs the platform too.
  const fetched = await options.s3For(integration.account, integration.region).getObject(entry.bucket, entry.key);
  if (!fetched.ok) {
    const now = options.now().toISOString();
    const issue: FileIssue = {
      rule: 'access',
      message: `S3 refused GetObject with the keys of account "${integration.account}": ${fetched.error.code}: ${fetched.error.message}`,
    };
    const failed: Submission = {
      ...submissionBase(run, entry.submissionIds[0], fileName(entry.key)),
      status: 'failed',
      submittedAt: now,
      updatedAt: now,
      counts: { rows: 0, accepted: 0, rejected: 0 },
      issues: [issue],
      issuesNotKept: 0,
      error: fetched.error,
    };
    return { submissions: [failed], counters: store.counters(), joinsDataset: false };
  }
  // Overwritten since it was detected: the new version has an entry of its own (the product reads the
  // latest object with s3:GetObject, never an older version, which would need s3:GetObjectVersion).
  const overwritten =
    stripQuotes(fetched.value.etag) !== entry.etag ||
    (entry.versionId !== undefined && fetched.value.versionId !== entry.versionId);
  if (overwritten) return { submissions: [], counters: store.counters(), joinsDataset: false };

  await store.setState(entry.id, 'validating');
  const counters = new Map(store.counters());
  const result = await validateRows(run, fetched.value.body, counters);
  await store.setState(entry.id, 'committing');
  return decideOutcome(run, result, counters);
}

/** Streams the file through the template's rules, writing accepted and rejected rows to their files. */
async function validateRows(
  run: ImportRun,
  body: AsyncIterable<Uint8Array>,
  counters: Map<string, number>,
): Promise<FileValidationResult> {
  const { options, ref, entry } = run;
  const [primaryId, splitId] = entry.submissionIds;
  const derivation: DerivationContext = {
    nextNumber(counter, start) {
      const next = counters.get(counter) ?? start;
      counters.set(counter, next + 1);
      return next;
    },
    now: options.now,
    randomInt: options.randomInt,
  };
  const accepted = options.store.acceptedRows(primaryId);
  const rejected = options.store.rejectedRows(ref.integration.outcome === 'auto-submit' ? splitId : primaryId);
  try {
    return await validateTemplateFile(body, ref.template, {
      derivation,
      maxKeptIssues: options.maxKeptIssues ?? 1000,
      ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
      onAccepted: (row) => accepted.write(row),
      onRejected: (row) => rejected.write(row),
    });
  } finally {
    await accepted.close();
    await rejected.close();
  }
}

/** The submissions a validated file makes, under the integration's outcome setting. */
function decideOutcome(run: ImportRun, result: FileValidationResult, counters: Map<string, number>): ImportOutcome {
  const { options, ref, entry } = run;
  const [primaryId, splitId] = entry.submissionIds;
  const name = fileName(entry.key);
  const autoSubmit = ref.integration.outcome === 'auto-submit';
  // Submitted At is when the import completed (docs/inbound.md, "An import").
  const completedAt = options.now().toISOString();
  const stamp = { submittedAt: completedAt, updatedAt: completedAt, issuesNotKept: result.issuesNotKept };
  const { rows, accepted, rejected } = result.counts;

  // The product: "any inaccuracies to the data, file, or format will result in a failed submission".
  if (result.fileFailed || (!autoSubmit && rejected > 0)) {
    const failed: Submission = {
      ...submissionBase(run, primaryId, name),
      ...stamp,
      status: 'failed',
      counts: { rows, accepted, rejected },
      issues: result.issues,
    };
    return { submissions: [failed], counters: options.store.counters(), joinsDataset: false };
  }
  const complete = (id: string, fileName: string, rowCount: number, splitFrom?: string): Submission => ({
    ...submissionBase(run, id, fileName),
    ...stamp,
    status: 'complete',
    counts: { rows: rowCount, accepted, rejected: 0 },
    issues: [],
    ...(splitFrom ? { splitFrom } : {}),
  });
  if (!autoSubmit) return { submissions: [complete(primaryId, name, rows)], counters, joinsDataset: true };

  // "Automatically Submit Inbound Data": clean rows complete (named AUTOSUBMIT), bad rows pending.
  const submissions: Submission[] = [];
  if (accepted > 0)
    submissions.push(complete(primaryId, `${name} AUTOSUBMIT`, accepted, rejected ? splitId : undefined));
  if (rejected > 0) {
    submissions.push({
      ...submissionBase(run, splitId, name),
      ...stamp,
      status: 'pending',
      counts: { rows: rejected, accepted: 0, rejected },
      issues: result.issues,
      ...(accepted ? { splitFrom: primaryId } : {}),
    });
  }
  return { submissions, counters, joinsDataset: accepted > 0 };
}

/** What every submission of this import shares: its source object, who submitted it, when it was detected. */
function submissionBase(run: ImportRun, id: string, name: string) {
  const { options, ref, entry } = run;
  const match = ref.prefix.match(entry.key) ?? {};
  const uploader = entry.uploadedBy ? options.person(entry.uploadedBy) : undefined;
  const source: SubmissionSource = {
    bucket: entry.bucket,
    key: entry.key,
    etag: entry.etag,
    size: entry.size,
    ...(entry.versionId !== undefined ? { versionId: entry.versionId } : {}),
    ...(entry.uploadedBy ? { uploadedBy: entry.uploadedBy } : {}),
  };
  return {
    id,
    template: ref.template.name,
    integration: ref.integration.name,
    name,
    source,
    submittedBy: match.submittedBy ?? uploader?.displayName ?? entry.uploadedBy ?? 'unknown',
    ...(uploader?.email && !match.submittedBy ? { submittedByEmail: uploader.email } : {}),
    ...(entry.replaces ? { replaces: entry.replaces } : {}),
    createdAt: entry.detectedAt,
  };
}

/** One write: the submissions (complete ones with their deliveries queued, so a stop loses none), the counters, the ledger entry done. */
async function commitOutcome(run: ImportRun, outcome: ImportOutcome): Promise<Submission[]> {
  const { options, ref, entry } = run;
  const submissions = outcome.submissions.map((s) =>
    s.status === 'complete' ? { ...s, deliveries: options.deliveriesFor(s) } : s,
  );
  const join = outcome.joinsDataset
    ? {
        template: ref.template.name,
        submissionId: entry.submissionIds[0],
        ...(entry.replaces ? { replaces: entry.replaces } : {}),
      }
    : undefined;
  await options.store.commit(entry.id, submissions, outcome.counters, join);
  return submissions;
}
