/**
 * The import of one dropped object, as a state machine persisted in the ledger:
 * detected -> fetching -> validating -> committing -> done. A restart finds unfinished entries and
 * runs them again; every step is safe to repeat (row files are rewritten, and the commit, which
 * also adds a complete submission to its dataset, is one write), so an object is never lost and
 * never imported twice.
 */
import { validateTemplateFile, type FileIssue } from '../files/index.ts';
import { queuedDeliveries } from '../outbound/index.ts';
import type { DerivationContext } from '../templates/index.ts';
import type { Submission, SubmissionSource } from '../submissions/index.ts';
import type { WorkspaceTemplate } from '../workspace/index.ts';
import type { InboundIntegration } from './inbound-types.ts';
import type { AccountS3, LedgerEntry, SubmissionStore } from './ports.ts';
import { compilePrefix, type CompiledPrefix } from './prefix-match.ts';

export interface DroppedObject {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  uploadedBy?: string;
}

export interface ImporterOptions {
  store: SubmissionStore;
  templates: readonly WorkspaceTemplate[];
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
  template: WorkspaceTemplate;
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

export function ledgerId(ref: IntegrationRef, bucket: string, key: string, etag: string): string {
  return `${ref.id}|${bucket}|${key}|${stripQuotes(etag)}`;
}

export interface Importer {
  integrations: readonly IntegrationRef[];
  /** Whether this integration has already seen this object version. */
  seen(ref: IntegrationRef, object: { bucket: string; key: string; etag: string }): boolean;
  /** The integrations whose bucket and prefix take this object; records each new one in the ledger. */
  detect(object: DroppedObject, only?: (ref: IntegrationRef) => boolean): Promise<LedgerEntry[]>;
  run(entry: LedgerEntry): Promise<Submission[]>;
}

export function createImporter(options: ImporterOptions): Importer {
  const { store } = options;
  const integrations: IntegrationRef[] = options.templates.flatMap((template) =>
    template.inbound.map((integration) => ({
      id: integrationId(integration),
      template,
      integration,
      prefix: compilePrefix(integration.prefix, template.name),
    })),
  );
  const byId = new Map(integrations.map((ref) => [ref.id, ref]));

  async function detect(object: DroppedObject, only?: (ref: IntegrationRef) => boolean): Promise<LedgerEntry[]> {
    // Folder markers ("a/b/") are not files.
    if (object.key.endsWith('/')) return [];
    const etag = stripQuotes(object.etag);
    const entries: LedgerEntry[] = [];
    for (const ref of integrations) {
      if (ref.integration.bucket !== object.bucket || !ref.prefix.match(object.key) || (only && !only(ref))) continue;
      const entry: LedgerEntry = {
        id: ledgerId(ref, object.bucket, object.key, etag),
        integration: ref.id,
        template: ref.template.name,
        bucket: object.bucket,
        key: object.key,
        etag,
        size: object.size,
        state: 'detected',
        attempts: 0,
        submissionIds: [options.newId(), options.newId()],
        detectedAt: options.now().toISOString(),
        ...(object.uploadedBy ? { uploadedBy: object.uploadedBy } : {}),
      };
      if (await store.recordDetected(entry)) entries.push(entry);
    }
    return entries;
  }

  async function run(entry: LedgerEntry): Promise<Submission[]> {
    const ref = byId.get(entry.integration);
    if (!ref) throw new Error(`the ledger names integration "${entry.integration}", which the workspace no longer has`);
    const { template, integration } = ref;
    await store.setState(entry.id, 'fetching', entry.attempts + 1);
    const [primaryId, splitId] = entry.submissionIds;
    const match = ref.prefix.match(entry.key) ?? {};
    const uploader = entry.uploadedBy ? options.person(entry.uploadedBy) : undefined;
    const source: SubmissionSource = {
      bucket: entry.bucket,
      key: entry.key,
      etag: entry.etag,
      size: entry.size,
      ...(entry.uploadedBy ? { uploadedBy: entry.uploadedBy } : {}),
    };
    const base = (id: string, name: string) => ({
      id,
      template: template.name,
      integration: integration.name,
      name,
      source,
      submittedBy: match.submittedBy ?? uploader?.displayName ?? entry.uploadedBy ?? 'unknown',
      ...(uploader?.email && !match.submittedBy ? { submittedByEmail: uploader.email } : {}),
      createdAt: entry.detectedAt,
    });
    const finish = async (submissions: Submission[], counters: ReadonlyMap<string, number>, joinsDataset = false) => {
      // A complete submission is committed with its deliveries queued, so a stop before they run loses none.
      const withDeliveries = submissions.map((s) =>
        s.status === 'complete' ? { ...s, deliveries: queuedDeliveries(template, s) } : s,
      );
      await store.commit(
        entry.id,
        withDeliveries,
        counters,
        joinsDataset ? { template: template.name, submissionId: primaryId } : undefined,
      );
      return withDeliveries;
    };

    // Fetched with the account's keys, through the gateway: the customer's policy governs the platform too.
    const fetched = await options.s3For(integration.account, integration.region).getObject(entry.bucket, entry.key);
    const name = fileName(entry.key);
    if (!fetched.ok) {
      const now = options.now().toISOString();
      const issue: FileIssue = {
        rule: 'access',
        message: `S3 refused GetObject with the keys of account "${integration.account}": ${fetched.error.code}: ${fetched.error.message}`,
      };
      return finish(
        [
          {
            ...base(primaryId, name),
            status: 'failed',
            submittedAt: now,
            updatedAt: now,
            counts: { rows: 0, accepted: 0, rejected: 0 },
            issues: [issue],
            issuesNotKept: 0,
            error: fetched.error,
          },
        ],
        store.counters(),
      );
    }
    if (stripQuotes(fetched.value.etag) !== entry.etag) {
      // Overwritten since it was detected: the new version has an entry of its own.
      return finish([], store.counters());
    }

    await store.setState(entry.id, 'validating');
    const autoSubmit = integration.outcome === 'auto-submit';
    const counters = new Map(store.counters());
    const derivation: DerivationContext = {
      nextNumber(counter, start) {
        const next = counters.get(counter) ?? start;
        counters.set(counter, next + 1);
        return next;
      },
      now: options.now,
      randomInt: options.randomInt,
    };
    const accepted = store.acceptedRows(primaryId);
    const rejected = store.rejectedRows(autoSubmit ? splitId : primaryId);
    let result;
    try {
      result = await validateTemplateFile(fetched.value.body, template, {
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

    await store.setState(entry.id, 'committing');
    // Submitted At is when the import completed (docs/inbound.md, "An import").
    const completedAt = options.now().toISOString();
    const stamp = { submittedAt: completedAt, updatedAt: completedAt, issuesNotKept: result.issuesNotKept };
    const { rows, accepted: acceptedCount, rejected: rejectedCount } = result.counts;

    // The product: "any inaccuracies to the data, file, or format will result in a failed submission".
    if (result.fileFailed || (!autoSubmit && rejectedCount > 0)) {
      return finish(
        [
          {
            ...base(primaryId, name),
            ...stamp,
            status: 'failed',
            counts: { rows, accepted: acceptedCount, rejected: rejectedCount },
            issues: result.issues,
          },
        ],
        store.counters(),
      );
    }
    if (!autoSubmit) {
      return finish(
        [
          {
            ...base(primaryId, name),
            ...stamp,
            status: 'complete',
            counts: { rows, accepted: acceptedCount, rejected: 0 },
            issues: [],
          },
        ],
        counters,
        true,
      );
    }
    // "Automatically Submit Inbound Data": clean rows complete (named AUTOSUBMIT), bad rows pending.
    const submissions: Submission[] = [];
    if (acceptedCount > 0) {
      submissions.push({
        ...base(primaryId, `${name} AUTOSUBMIT`),
        ...stamp,
        status: 'complete',
        counts: { rows: acceptedCount, accepted: acceptedCount, rejected: 0 },
        issues: [],
        ...(rejectedCount ? { splitFrom: splitId } : {}),
      });
    }
    if (rejectedCount > 0) {
      submissions.push({
        ...base(splitId, name),
        ...stamp,
        status: 'pending',
        counts: { rows: rejectedCount, accepted: 0, rejected: rejectedCount },
        issues: result.issues,
        ...(acceptedCount ? { splitFrom: primaryId } : {}),
      });
    }
    return finish(submissions, counters, acceptedCount > 0);
  }

  const seen = (ref: IntegrationRef, object: { bucket: string; key: string; etag: string }) =>
    store.hasEntry(ledgerId(ref, object.bucket, object.key, object.etag));
  return { integrations, seen, detect, run };
}
