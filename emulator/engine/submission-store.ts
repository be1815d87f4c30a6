/**
 * The engine's state in the data folder: `engine/state.json` (lowdb: ledger, submissions,
 * counters: small metadata only) and row files beside it, one NDJSON file per kind of row:
 * `submissions/<id>/accepted.ndjson`, `submissions/<id>/rejected.ndjson`, and each template's
 * dataset as an append-only log of row versions, `datasets/<template>.ndjson`, so that a merge
 * costs the size of the submission, not of the dataset.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { AcceptedRow, RejectedRow } from '../../core/files/index.ts';
import type { DatasetAppend, DatasetMerge, ImportState, LedgerEntry, RowWriter, SubmissionStore } from '../../core/inbound/ports.ts';
import type { DatasetRow, Submission } from '../../core/submissions/index.ts';

interface EngineState {
  ledger: Record<string, LedgerEntry>;
  submissions: Record<string, Submission>;
  counters: Record<string, number>;
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

const keyPrefixes = new Map<string, string>();
/** The last row serialised: the accepted rows file and the dataset both write it. */
let lastValues: ReadonlyMap<string, string> | undefined;
let lastJson = '';
/** A row's values as a JSON object, built by hand: field names repeat on every row, so their JSON is computed once. */
function valuesJson(values: ReadonlyMap<string, string>): string {
  if (values === lastValues) return lastJson;
  let json = '';
  for (const [name, value] of values) {
    let prefix = keyPrefixes.get(name);
    if (prefix === undefined) {
      prefix = `${JSON.stringify(name)}:`;
      keyPrefixes.set(name, prefix);
    }
    json += `${json ? ',' : ''}${prefix}${JSON.stringify(value)}`;
  }
  lastValues = values;
  lastJson = `{${json}}`;
  return lastJson;
}
function acceptedLine(row: AcceptedRow): string {
  return `{"row":${row.row},"values":${valuesJson(row.values)}}`;
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

async function* readNdjson<T>(path: string): AsyncGenerator<T> {
  for await (const line of readLines(path)) yield JSON.parse(line) as T;
}

function keyOf(updateKeys: readonly string[], values: Record<string, string>): string {
  return JSON.stringify(updateKeys.map((k) => values[k] ?? ''));
}

/**
 * A dataset is a log of row versions: an update appends a new version of the same row id. Reading
 * keeps the latest version of each row (rows come in the order of their last change).
 */
async function* foldVersions(path: string): AsyncGenerator<DatasetRow> {
  const latest = new Map<string, number>();
  let line = 0;
  let versioned = false;
  for await (const row of readNdjson<DatasetRow>(path)) {
    if (latest.has(row.id)) versioned = true;
    latest.set(row.id, line++);
  }
  line = 0;
  for await (const row of readNdjson<DatasetRow>(path)) {
    if (!versioned || latest.get(row.id) === line) yield row;
    line++;
  }
}

export interface EngineStore extends SubmissionStore {
  rejected(id: string): AsyncIterable<RejectedRow>;
  accepted(id: string): AsyncIterable<Record<string, string>>;
}

export async function openSubmissionStore(directory: string, newId: () => string): Promise<EngineStore> {
  await mkdir(directory, { recursive: true });
  const db = new Low<EngineState>(new JSONFile(join(directory, 'state.json')), { ledger: {}, submissions: {}, counters: {} });
  await db.read();
  /** Per template with update keys: key -> the row it names, rebuilt from the log when first needed. */
  const keyIndexes = new Map<string, Map<string, { id: string; createdAt: string }>>();
  const keyIndex = async (template: string, updateKeys: string[]) => {
    let index = keyIndexes.get(template);
    if (!index) {
      index = new Map();
      for await (const row of readNdjson<DatasetRow>(datasetPath(template))) index.set(keyOf(updateKeys, row.values), { id: row.id, createdAt: row.createdAt });
      keyIndexes.set(template, index);
    }
    return index;
  };
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
    acceptedRows: (id) => ndjsonWriter<AcceptedRow>(rowsPath(id, 'accepted'), acceptedLine),
    rejectedRows: (id) => ndjsonWriter<RejectedRow>(rowsPath(id, 'rejected'), (row) => JSON.stringify(row)),
    async appendToDataset(merge: DatasetMerge): Promise<DatasetAppend> {
      const path = datasetPath(merge.template);
      await mkdir(join(path, '..'), { recursive: true });
      const entry = db.data.ledger[merge.entryId];
      // What an interrupted run of this entry appended is cut off before anything else.
      const size = await stat(path).then((s) => s.size, () => 0);
      let offset = size;
      if (entry?.datasetOffset !== undefined && entry.datasetOffset <= size) {
        offset = entry.datasetOffset;
        if (offset < size) {
          await truncate(path, offset);
          keyIndexes.delete(merge.template);
        }
      } else if (entry) {
        entry.datasetOffset = size;
        await db.write();
      }
      const index = merge.updateKeys.length ? await keyIndex(merge.template, merge.updateKeys) : undefined;
      const out = createWriteStream(path, { flags: 'a' });
      const submission = JSON.stringify(merge.submissionId);
      const now = JSON.stringify(merge.now);
      let block = '';
      const flush = async () => {
        const text = block;
        block = '';
        if (text && !out.write(text)) await once(out, 'drain');
      };
      const close = async () => {
        await flush();
        out.end();
        await once(out, 'finish');
      };
      return {
        write(row) {
          let id = newId();
          let createdAt = merge.now;
          if (index) {
            const key = keyOf(merge.updateKeys, Object.fromEntries(row.values));
            const existing = index.get(key);
            if (existing) ({ id, createdAt } = existing);
            index.set(key, { id, createdAt });
          }
          // The same shape as DatasetRow; the values are serialised as in the accepted rows file.
          block += `{"id":${JSON.stringify(id)},"submission":${submission},"createdAt":${createdAt === merge.now ? now : JSON.stringify(createdAt)},"updatedAt":${now},"values":${valuesJson(row.values)}}\n`;
          return block.length >= WRITE_BLOCK_CHARS ? flush() : undefined;
        },
        close,
        async abort() {
          block = '';
          await close();
          await truncate(path, offset);
          keyIndexes.delete(merge.template);
        },
      };
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
    dataset: (template) => foldVersions(datasetPath(template)),
    rejected: (id) => readNdjson<RejectedRow>(rowsPath(id, 'rejected')),
    accepted: async function* (id) {
      for await (const row of readNdjson<{ values: Record<string, string> }>(rowsPath(id, 'accepted'))) yield row.values;
    },
  };
}
