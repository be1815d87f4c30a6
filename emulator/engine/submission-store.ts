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
import { createInterface } from 'node:readline';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { AcceptedRow, RejectedRow } from '../../core/files/index.ts';
import type { ImportState, LedgerEntry, RowWriter, SubmissionStore } from '../../core/inbound/ports.ts';
import type { DeliveryStore } from '../../core/outbound/index.ts';
import type { DatasetRow, Submission } from '../../core/submissions/index.ts';

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

/** Lines are gathered into blocks of this size before they are written. */
const WRITE_BLOCK_CHARS = 256 * 1024;

function ndjsonWriter<T>(path: string, serialize: (row: T) => string): RowWriter<T> {
  let stream: ReturnType<typeof createWriteStream> | undefined;
  let block = '';
  const ready = mkdir(join(path, '..'), { recursive: true });
  const flush = async () => {
    if (!stream) {
      await ready;
      stream ??= createWriteStream(path); // truncates what an earlier attempt wrote
    }
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

async function* readLines(path: string): AsyncGenerator<string> {
  let lines;
  try {
    const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 });
    await once(input, 'open');
    lines = createInterface({ input, crlfDelay: Infinity });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for await (const line of lines) if (line) yield line;
}

/** The rows of an accepted rows file, as field -> value objects. */
async function* readAccepted(path: string): AsyncGenerator<{ row: number; values: Record<string, string> }> {
  let fields: string[] | undefined;
  for await (const line of readLines(path)) {
    if (!fields) {
      fields = (JSON.parse(line) as { fields: string[] }).fields;
      continue;
    }
    const [row, ...cells] = JSON.parse(line) as [number, ...string[]];
    const values: Record<string, string> = {};
    fields.forEach((field, i) => (values[field] = cells[i] ?? ''));
    yield { row, values };
  }
}

function keyOf(updateKeys: readonly string[], values: Record<string, string>): string {
  return JSON.stringify(updateKeys.map((k) => values[k] ?? ''));
}

export interface EngineStore extends SubmissionStore, DeliveryStore {}

export async function openSubmissionStore(directory: string, newId: () => string): Promise<EngineStore> {
  await mkdir(directory, { recursive: true });
  const db = new Low<EngineState>(new JSONFile(join(directory, 'state.json')), { ledger: {}, submissions: {}, counters: {}, datasets: {} });
  await db.read();
  db.data.datasets ??= {};
  const rowsPath = (id: string, kind: 'accepted' | 'rejected') => join(directory, 'submissions', safeName(id), `${kind}.ndjson`);

  /**
   * Rows of the dataset's submissions, oldest first. With update keys, a row whose keys match an
   * earlier row's exactly is a new version of it: the latest version is kept, with the first one's
   * id and creation time; rows come in the order of their last change.
   */
  async function* dataset(template: string, updateKeys: readonly string[]): AsyncGenerator<DatasetRow> {
    const members = db.data.datasets[template] ?? [];
    const rowsOf = async function* () {
      for (const submissionId of members) {
        const at = db.data.submissions[submissionId]?.submittedAt ?? '';
        for await (const { row, values } of readAccepted(rowsPath(submissionId, 'accepted'))) yield { submissionId, row, at, values };
      }
    };
    if (updateKeys.length === 0) {
      for await (const r of rowsOf()) yield { id: `${r.submissionId}:${r.row}`, submission: r.submissionId, createdAt: r.at, updatedAt: r.at, values: r.values };
      return;
    }
    const versions = new Map<string, { id: string; createdAt: string; latest: string }>();
    for await (const r of rowsOf()) {
      const key = keyOf(updateKeys, r.values);
      const seen = versions.get(key);
      const here = `${r.submissionId}:${r.row}`;
      versions.set(key, seen ? { ...seen, latest: here } : { id: here, createdAt: r.at, latest: here });
    }
    for await (const r of rowsOf()) {
      const version = versions.get(keyOf(updateKeys, r.values))!;
      if (version.latest !== `${r.submissionId}:${r.row}`) continue;
      yield { id: version.id, submission: r.submissionId, createdAt: version.createdAt, updatedAt: r.at, values: r.values };
    }
  }

  return {
    async recordDetected(entry) {
      if (db.data.ledger[entry.id]) return false;
      db.data.ledger[entry.id] = entry;
      await db.write();
      return true;
    },
    hasEntry: (entryId) => Object.hasOwn(db.data.ledger, entryId),
    async setState(entryId: string, state: ImportState, attempts?: number) {
      const entry = db.data.ledger[entryId];
      if (!entry) return;
      entry.state = state;
      if (attempts !== undefined) entry.attempts = attempts;
      await db.write();
    },
    unfinished: async () => Object.values(db.data.ledger).filter((e) => e.state !== 'done'),
    acceptedRows: (id) => acceptedRowsWriter(rowsPath(id, 'accepted')),
    rejectedRows: (id) => ndjsonWriter<RejectedRow>(rowsPath(id, 'rejected'), (row) => JSON.stringify(row)),
    async commit(entryId, submissions, counters, join) {
      for (const submission of submissions) db.data.submissions[submission.id] = submission;
      if (join) {
        const members = (db.data.datasets[join.template] ??= []);
        if (!members.includes(join.submissionId)) members.push(join.submissionId);
      }
      db.data.counters = Object.fromEntries(counters);
      const entry = db.data.ledger[entryId];
      if (entry) {
        entry.state = 'done';
        entry.submissions = submissions.map((s) => s.id);
      }
      await db.write();
    },
    async setDelivery(submissionId, index, delivery) {
      const deliveries = db.data.submissions[submissionId]?.deliveries;
      if (!deliveries || index < 0 || index >= deliveries.length) throw new Error(`submission ${submissionId} has no delivery ${index}`);
      deliveries[index] = delivery;
      await db.write();
    },
    counters: () => new Map(Object.entries(db.data.counters)),
    submission: (id) => db.data.submissions[id],
    submissions: () => Object.values(db.data.submissions),
    dataset,
    accepted: async function* (id) {
      for await (const row of readAccepted(rowsPath(id, 'accepted'))) yield row.values;
    },
  };
}
