/**
 * The engine's state in the data folder: `engine/state.json` (lowdb: ledger, submissions, counters,
 * and each template's dataset as the list of its complete submissions: small metadata only) and row
 * files beside it: `submissions/<id>/accepted.ndjson` (a header line naming the fields, then one
 * JSON array per row) and `submissions/<id>/rejected.ndjson`. A dataset is read from its
 * submissions' row files, so an import writes its rows once and commits with one metadata write.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AcceptedRow, RejectedRow } from '../../core/files/index.ts';
import type { DatasetJoin, ImportState, LedgerEntry, RowWriter, SubmissionStore } from '../../core/inbound/ports.ts';
import type { DeliveryRef, DeliveryStore, FieldValues } from '../../core/outbound/index.ts';
import { dictionary, own } from '../../core/shared/dictionary.ts';
import { openJournaledState } from '../journaled-state.ts';
import {
  datasetPager,
  datasetRows,
  type DatasetRow,
  type Delivery,
  type MemberRow,
  type Submission,
} from '../../core/submissions/index.ts';

interface EngineState {
  ledger: Record<string, LedgerEntry>;
  submissions: Record<string, Submission>;
  counters: Record<string, number>;
  /** Template -> its complete submissions, in the order they were committed. */
  datasets: Record<string, string[]>;
}

function safeName(text: string): string {
  return encodeURIComponent(text).replace(/\*/g, '%2A');
}

/**
 * Row files are written and read in blocks of this many characters. Strings of 128 KB and more go to
 * V8's large-object space, which only a full collection frees, so the heap fills with garbage: reading
 * 1M rows in 256K blocks peaked at 280 MB, in 32K blocks at 140 MB. Two-byte text doubles the size.
 */
const WRITE_BLOCK_CHARS = 32 * 1024;

function ndjsonWriter<T>(path: string, serialize: (row: T) => string): RowWriter<T> {
  let stream: ReturnType<typeof createWriteStream> | undefined;
  // A write error (a full disk) fails the import at its next write or at close, never the process.
  let failure: Error | undefined;
  let block = '';
  const ready = mkdir(join(path, '..'), { recursive: true });
  const flush = async () => {
    if (!stream) {
      await ready;
      stream ??= createWriteStream(path).on('error', (error) => (failure ??= error)); // truncates what an earlier attempt wrote
    }
    if (failure) throw failure;
    const text = block;
    block = '';
    if (text && !stream.write(text)) await once(stream, 'drain');
  };
  return {
    write(row) {
      block += `${serialize(row)}\n`;
      return block.length >= WRITE_BLOCK_CHARS ? flush() : undefined;
    },
    async close() {
      await flush();
      stream!.end();
      await once(stream!, 'finish');
      if (failure) throw failure;
    },
  };
}

/** Accepted rows: the field names once, then each row as `[rowNumber, value, value, ...]`. */
function acceptedRowsWriter(path: string): RowWriter<AcceptedRow> {
  let headerWritten = false;
  const lines = ndjsonWriter<AcceptedRow>(path, (row) => {
    const line = JSON.stringify([row.row, ...row.values.values()]);
    if (headerWritten) return line;
    headerWritten = true;
    return `${JSON.stringify({ fields: [...row.values.keys()] })}\n${line}`;
  });
  return lines;
}

/** The non-empty lines of a file, a chunk's worth at a time (one await per chunk, not per line). */
async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: WRITE_BLOCK_CHARS });
  let rest = '';
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      yield lines.filter((line) => line !== '');
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (rest) yield [rest];
}

/** The rows of an accepted rows file: the row number, and the values in the order of `fields`. */
async function* readAccepted(path: string): AsyncGenerator<FieldValues & { row: number }> {
  let fields: string[] | undefined;
  for await (const lines of readLineBatches(path)) {
    for (const line of lines) {
      if (!fields) {
        fields = (JSON.parse(line) as { fields: string[] }).fields;
        continue;
      }
      const values = JSON.parse(line) as (string | number)[];
      const row = values.shift() as number;
      yield { row, fields, values: values as string[] };
    }
  }
}

/** Field names are the template author's: a null-prototype record, so `__proto__` is a field like any other. */
function toRecord({ fields, values }: FieldValues): Record<string, string> {
  return dictionary(fields.map((field, i) => [field, values[i] ?? ''] as const));
}

export interface EngineStore extends SubmissionStore, DeliveryStore {
  /** The rows an import refused, with their cells as in the file and their issues. */
  rejected(submissionId: string): AsyncIterable<RejectedRow>;
  /**
   * Submissions newest first (created at, then id), `limit` at most, after the one named `before`,
   * that `match`: a page costs what it returns, not what the store holds. `next` names the last one
   * returned when more may follow.
   */
  newest(options: { limit: number; before?: string; match?: (submission: Submission) => boolean }): {
    submissions: Submission[];
    next?: string;
  };
  close(): void;
}

/** Submission ids in (createdAt, id) order, oldest first: commits almost always append. */
function creationOrder(): { add(s: Submission): void; ids: string[]; positionOf(id: string): number | undefined } {
  const ids: string[] = [];
  const keys: string[] = [];
  const position = new Map<string, number>();
  const keyOf = (s: Submission) => `${s.createdAt}\n${s.id}`;
  return {
    ids,
    add(s) {
      if (position.has(s.id)) return;
      const key = keyOf(s);
      let at = keys.length;
      if (at > 0 && keys[at - 1]! > key) {
        let low = 0;
        while (low < at) {
          const mid = (low + at) >> 1;
          if (keys[mid]! > key) at = mid;
          else low = mid + 1;
        }
        for (let i = at; i < ids.length; i++) position.set(ids[i]!, i + 1);
      }
      ids.splice(at, 0, s.id);
      keys.splice(at, 0, key);
      position.set(s.id, at);
    },
    positionOf: (id) => position.get(id),
  };
}

/** One change to the engine's state, as logged (every change is idempotent: see journaled-state.ts). */
type StateChange =
  | { op: 'detected'; entry: LedgerEntry }
  | { op: 'state'; entryId: string; state: ImportState; attempts?: number }
  | { op: 'commit'; entryId: string; submissions: Submission[]; counters: [string, number][]; join?: DatasetJoin }
  | { op: 'delivery'; submissionId: string; index: number; delivery: Delivery };

function applyChange(data: EngineState, change: StateChange): void {
  switch (change.op) {
    case 'detected':
      if (!own(data.ledger, change.entry.id)) data.ledger[change.entry.id] = change.entry;
      return;
    case 'state': {
      const entry = own(data.ledger, change.entryId);
      if (!entry) return;
      entry.state = change.state;
      if (change.attempts !== undefined) entry.attempts = change.attempts;
      return;
    }
    case 'commit': {
      for (const submission of change.submissions) data.submissions[submission.id] = submission;
      if (change.join) {
        const members = own(data.datasets, change.join.template) ?? (data.datasets[change.join.template] = []);
        if (!members.includes(change.join.submissionId)) members.push(change.join.submissionId);
        const replaced = change.join.replaces === undefined ? -1 : members.indexOf(change.join.replaces);
        if (replaced !== -1) members.splice(replaced, 1);
      }
      data.counters = dictionary(change.counters);
      const entry = own(data.ledger, change.entryId);
      if (entry) {
        entry.state = 'done';
        entry.submissions = change.submissions.map((s) => s.id);
      }
      return;
    }
    case 'delivery': {
      const deliveries = own(data.submissions, change.submissionId)?.deliveries;
      if (deliveries && change.index >= 0 && change.index < deliveries.length)
        deliveries[change.index] = change.delivery;
    }
  }
}

/** Delivered objects -> the deliveries that wrote them, so an overwrite is found without scanning every submission. */
function deliveredIndex(): {
  add(d: Delivery, ref: DeliveryRef): void;
  writersOf(bucket: string, key: string): DeliveryRef[];
} {
  const byObject = new Map<string, Map<string, DeliveryRef>>();
  const objectOf = new Map<string, string>(); // a delivery -> the object its last attempt delivered
  const objectKey = (bucket: string, key: string) => `${bucket}\n${key}`;
  return {
    add(delivery, ref) {
      const refKey = `${ref.submissionId}\n${ref.index}`;
      const before = objectOf.get(refKey);
      if (before !== undefined) byObject.get(before)?.delete(refKey);
      objectOf.delete(refKey);
      if (delivery.status !== 'delivered') return;
      const at = objectKey(delivery.bucket, delivery.key);
      let writers = byObject.get(at);
      if (!writers) byObject.set(at, (writers = new Map()));
      writers.set(refKey, ref);
      objectOf.set(refKey, at);
    },
    writersOf: (bucket, key) => [...(byObject.get(objectKey(bucket, key))?.values() ?? [])],
  };
}

/** The engine's state: a snapshot (state.json) and the log of changes since (docs/durability.md). */
function openEngineJournal(directory: string, readOnly: boolean) {
  return openJournaledState<EngineState, StateChange>({
    readOnly,
    file: join(directory, 'state.json'),
    empty: () => ({ ledger: dictionary(), submissions: dictionary(), counters: dictionary(), datasets: dictionary() }),
    // Keyed by ids and template names: null-prototype records (docs/security.md).
    revive: (raw) => ({
      ledger: dictionary((raw.ledger ?? {}) as Record<string, LedgerEntry>),
      submissions: dictionary((raw.submissions ?? {}) as Record<string, Submission>),
      counters: dictionary((raw.counters ?? {}) as Record<string, number>),
      datasets: dictionary((raw.datasets ?? {}) as Record<string, string[]>),
    }),
    apply: applyChange,
    remedy:
      'It holds the import ledger and the submissions: restore it from a copy, or move it aside to start with none (dropped files are then imported again).',
  });
}

/** `readOnly`: read a data folder another process may be writing (the CLI's preview), changing nothing. */
export async function openSubmissionStore(
  directory: string,
  newId: () => string,
  options: { readOnly?: boolean } = {},
): Promise<EngineStore> {
  await mkdir(directory, { recursive: true });
  const journal = openEngineJournal(directory, options.readOnly ?? false);
  const data = journal.state;
  const order = creationOrder();
  const delivered = deliveredIndex();
  const indexSubmission = (submission: Submission) => {
    order.add(submission);
    (submission.deliveries ?? []).forEach((delivery, at) =>
      delivered.add(delivery, { submissionId: submission.id, index: at }),
    );
  };
  for (const submission of Object.values(data.submissions)) indexSubmission(submission);
  const rowsPath = (id: string, kind: 'accepted' | 'rejected') =>
    join(directory, 'submissions', safeName(id), `${kind}.ndjson`);

  return {
    async recordDetected(entry) {
      if (own(data.ledger, entry.id)) return false;
      journal.record({ op: 'detected', entry });
      return true;
    },
    hasEntry: (entryId) => Object.hasOwn(data.ledger, entryId),
    ledgerEntry: (entryId) => own(data.ledger, entryId),
    async setState(entryId: string, state: ImportState, attempts?: number) {
      if (!own(data.ledger, entryId)) return;
      journal.record({ op: 'state', entryId, state, ...(attempts !== undefined ? { attempts } : {}) });
    },
    unfinished: async () => Object.values(data.ledger).filter((e) => e.state !== 'done'),
    acceptedRows: (id) => acceptedRowsWriter(rowsPath(id, 'accepted')),
    rejectedRows: (id) => ndjsonWriter<RejectedRow>(rowsPath(id, 'rejected'), (row) => JSON.stringify(row)),
    async commit(entryId, submissions, counters, join) {
      journal.record({ op: 'commit', entryId, submissions, counters: [...counters], ...(join ? { join } : {}) });
      for (const submission of submissions) indexSubmission(submission);
    },
    async setDelivery(submissionId, index, delivery) {
      const deliveries = own(data.submissions, submissionId)?.deliveries;
      if (!deliveries || index < 0 || index >= deliveries.length)
        throw new Error(`submission ${submissionId} has no delivery ${index}`);
      journal.record({ op: 'delivery', submissionId, index, delivery });
      delivered.add(delivery, { submissionId, index });
    },
    deliveredTo: (bucket, key) => delivered.writersOf(bucket, key),
    close: () => journal.close(),
    counters: () => new Map(Object.entries(data.counters)),
    submission: (id) => own(data.submissions, id),
    submissions: () => Object.values(data.submissions),
    newest({ limit, before, match }) {
      const found: Submission[] = [];
      let i = (before === undefined ? order.ids.length : (order.positionOf(before) ?? order.ids.length)) - 1;
      for (; i >= 0 && found.length < limit; i--) {
        const submission = own(data.submissions, order.ids[i]!);
        if (submission && (!match || match(submission))) found.push(submission);
      }
      const last = found[found.length - 1];
      return { submissions: found, ...(i >= 0 && last ? { next: last.id } : {}) };
    },
    dataset: (template, updateKeys) => datasetOf(data, rowsPath, template, updateKeys),
    datasetPage: datasetPager(
      (template) => own(data.datasets, template) ?? [],
      (submissionId) => memberRows(data, rowsPath, submissionId),
    ),
    accepted: (id) => readAccepted(rowsPath(id, 'accepted')),
    rejected: async function* (id) {
      for await (const lines of readLineBatches(rowsPath(id, 'rejected')))
        for (const line of lines) yield JSON.parse(line) as RejectedRow;
    },
  };
}

/** The dataset's members' accepted rows, read from their row files (core/submissions/dataset.ts applies the update keys). */
function datasetOf(
  data: EngineState,
  rowsPath: (id: string, kind: 'accepted') => string,
  template: string,
  updateKeys: readonly string[],
): AsyncIterable<DatasetRow> {
  const members = own(data.datasets, template) ?? [];
  return datasetRows(async function* () {
    for (const submissionId of members) yield* memberRows(data, rowsPath, submissionId);
  }, updateKeys);
}

/** One member's accepted rows, stamped with when it was submitted. */
async function* memberRows(
  data: EngineState,
  rowsPath: (id: string, kind: 'accepted') => string,
  submissionId: string,
): AsyncGenerator<MemberRow> {
  const at = own(data.submissions, submissionId)?.submittedAt ?? '';
  for await (const stored of readAccepted(rowsPath(submissionId, 'accepted')))
    yield { submissionId, row: stored.row, at, values: toRecord(stored) };
}
