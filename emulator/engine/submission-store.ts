/**
 * The engine's state in the data folder: `engine/state.json` (lowdb: ledger, submissions,
 * counters: small metadata only) and row files beside it, one NDJSON file per kind of row:
 * `submissions/<id>/accepted.ndjson`, `submissions/<id>/rejected.ndjson`, `datasets/<template>.ndjson`.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { AcceptedRow, RejectedRow } from '../../core/files/index.ts';
import type { DatasetMerge, ImportState, LedgerEntry, RowWriter, SubmissionStore } from '../../core/inbound/ports.ts';
import type { DatasetRow, Submission } from '../../core/submissions/index.ts';

interface EngineState {
  ledger: Record<string, LedgerEntry>;
  submissions: Record<string, Submission>;
  counters: Record<string, number>;
}

function safeName(text: string): string {
  return encodeURIComponent(text).replace(/\*/g, '%2A');
}

function ndjsonWriter<T>(path: string, serialize: (row: T) => unknown): RowWriter<T> {
  let stream: ReturnType<typeof createWriteStream> | undefined;
  const ready = mkdir(join(path, '..'), { recursive: true });
  return {
    async write(row) {
      if (!stream) {
        await ready;
        stream ??= createWriteStream(path); // truncates what an earlier attempt wrote
      }
      if (!stream.write(`${JSON.stringify(serialize(row))}\n`)) await once(stream, 'drain');
    },
    async close() {
      if (!stream) {
        await ready;
        stream = createWriteStream(path);
      }
      stream.end();
      await once(stream, 'finish');
    },
  };
}

async function* readNdjson<T>(path: string): AsyncGenerator<T> {
  let lines;
  try {
    const input = createReadStream(path, { encoding: 'utf8' });
    await once(input, 'open');
    lines = createInterface({ input, crlfDelay: Infinity });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for await (const line of lines) if (line) yield JSON.parse(line) as T;
}

export interface EngineStore extends SubmissionStore {
  rejected(id: string): AsyncIterable<RejectedRow>;
  accepted(id: string): AsyncIterable<Record<string, string>>;
}

export async function openSubmissionStore(directory: string, newId: () => string): Promise<EngineStore> {
  await mkdir(directory, { recursive: true });
  const db = new Low<EngineState>(new JSONFile(join(directory, 'state.json')), { ledger: {}, submissions: {}, counters: {} });
  await db.read();
  const rowsPath = (id: string, kind: 'accepted' | 'rejected') => join(directory, 'submissions', safeName(id), `${kind}.ndjson`);
  const datasetPath = (template: string) => join(directory, 'datasets', `${safeName(template)}.ndjson`);

  return {
    async recordDetected(entry) {
      if (db.data.ledger[entry.id]) return false;
      db.data.ledger[entry.id] = entry;
      await db.write();
      return true;
    },
    async setState(entryId: string, state: ImportState, attempts?: number) {
      const entry = db.data.ledger[entryId];
      if (!entry) return;
      entry.state = state;
      if (attempts !== undefined) entry.attempts = attempts;
      await db.write();
    },
    unfinished: async () => Object.values(db.data.ledger).filter((e) => e.state !== 'done'),
    acceptedRows: (id) => ndjsonWriter<AcceptedRow>(rowsPath(id, 'accepted'), (row) => ({ row: row.row, values: Object.fromEntries(row.values) })),
    rejectedRows: (id) => ndjsonWriter<RejectedRow>(rowsPath(id, 'rejected'), (row) => row),
    async mergeIntoDataset(merge: DatasetMerge) {
      // Idempotent: rows this submission wrote before (an interrupted run) are replaced, not doubled.
      const path = datasetPath(merge.template);
      await mkdir(join(path, '..'), { recursive: true });
      const keyOf = (values: Record<string, string>) => JSON.stringify(merge.updateKeys.map((k) => values[k] ?? ''));
      const incoming = new Map<string, Record<string, string>>();
      const appended: Record<string, string>[] = [];
      for await (const row of readNdjson<{ values: Record<string, string> }>(rowsPath(merge.submissionId, 'accepted'))) {
        // With update keys, a later row of the same file updates an earlier one.
        if (merge.updateKeys.length) incoming.set(keyOf(row.values), row.values);
        else appended.push(row.values);
      }
      const temporary = `${path}.${newId()}.tmp`;
      const out = createWriteStream(temporary);
      const emit = async (row: DatasetRow) => {
        if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
      };
      for await (const row of readNdjson<DatasetRow>(path)) {
        if (merge.updateKeys.length) {
          const key = keyOf(row.values);
          const update = incoming.get(key);
          if (update) {
            incoming.delete(key);
            await emit({ ...row, submission: merge.submissionId, updatedAt: merge.now, values: update });
            continue;
          }
        } else if (row.submission === merge.submissionId) {
          continue;
        }
        await emit(row);
      }
      for (const values of [...incoming.values(), ...appended]) {
        await emit({ id: newId(), submission: merge.submissionId, createdAt: merge.now, updatedAt: merge.now, values });
      }
      out.end();
      await once(out, 'finish');
      await rename(temporary, path);
    },
    async commit(entryId, submissions, counters) {
      for (const submission of submissions) db.data.submissions[submission.id] = submission;
      db.data.counters = Object.fromEntries(counters);
      const entry = db.data.ledger[entryId];
      if (entry) {
        entry.state = 'done';
        entry.submissions = submissions.map((s) => s.id);
      }
      await db.write();
    },
    counters: () => new Map(Object.entries(db.data.counters)),
    submission: (id) => db.data.submissions[id],
    submissions: () => Object.values(db.data.submissions),
    dataset: (template) => readNdjson<DatasetRow>(datasetPath(template)),
    rejected: (id) => readNdjson<RejectedRow>(rowsPath(id, 'rejected')),
    accepted: async function* (id) {
      for await (const row of readNdjson<{ values: Record<string, string> }>(rowsPath(id, 'accepted'))) yield row.values;
    },
  };
}
