/**
 * State kept in memory, made durable as a snapshot plus an append-only log of changes: each change is
 * one line appended to `<name>.log.ndjson` (one synchronous write(2), so it outlives the process), and
 * costs the same however large the state is; the snapshot `<name>.json` is rewritten (atomically:
 * temporary file, fsync, rename) only when the log has grown as large as the snapshot, so rewriting
 * costs O(1) per change on average. Rewriting `state.json` whole on every change made each import
 * slower as submissions accumulated (docs/durability.md).
 *
 * At open, the snapshot is read, the log replayed and folded into a new snapshot. Changes must be
 * idempotent (a crash between the snapshot's rename and the log's truncation replays them once more).
 * A last line cut short by a crash (no newline yet) is a change whose caller never heard back: it is dropped.
 * An append the file system refuses (a full disk) is cut off again before the error reaches the caller,
 * so a later change never lands on the same line as half of a refused one.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { parseStateObject, StateFileError } from './state-file.ts';

export interface JournaledStateOptions<T, Change> {
  /** The snapshot file; the log is beside it (`state.json` -> `state.log.ndjson`). */
  file: string;
  /** The state when there is no snapshot yet. */
  empty(): T;
  /** Makes the state read from the snapshot ready for use (null-prototype records, defaults). */
  revive(raw: Record<string, unknown>): T;
  apply(state: T, change: Change): void;
  /** What losing the file costs, for the message when it is damaged. */
  remedy: string;
  /** The log may grow to the snapshot's size, and at least this much, before a new snapshot. @default 1 MiB */
  minLogBytes?: number;
  /** Read the state and change nothing on disk (another process may be writing it). @default false */
  readOnly?: boolean;
  /** Serialises the state for the snapshot. @default JSON.stringify */
  serialize?(state: T): string;
  /** Called at each step of rewriting the snapshot (crash tests stop the process there). */
  onStep?(step: SnapshotStep): void;
}

/** The steps of rewriting a snapshot: the new one written beside the old, then renamed over it, then the log emptied. */
export type SnapshotStep = 'snapshot-written' | 'snapshot-renamed';

export interface JournaledState<T, Change> {
  readonly state: T;
  /** Logs the change (durable when this returns), then applies it. */
  record(change: Change): void;
  close(): void;
}

export function openJournaledState<T, Change>(options: JournaledStateOptions<T, Change>): JournaledState<T, Change> {
  const { file, remedy } = options;
  const logFile = file.replace(/\.json$/, '') + '.log.ndjson';
  const minLogBytes = options.minLogBytes ?? 1024 * 1024;
  const state = existsSync(file)
    ? options.revive(parseStateObject(file, readFileSync(file, 'utf8'), remedy))
    : options.empty();
  for (const change of readLog<Change>(logFile, remedy)) options.apply(state, change);

  if (options.readOnly) {
    return {
      state,
      record() {
        throw new Error(`${file} was opened read-only`);
      },
      close() {},
    };
  }
  let snapshotBytes = 0;
  let logBytes = 0;
  const fd = openSync(logFile, 'a');
  const serialize = options.serialize ?? ((value: T) => JSON.stringify(value));
  const snapshot = () => {
    const text = serialize(state);
    const temporary = `${file}.tmp`;
    const out = openSync(temporary, 'w');
    try {
      writeSync(out, text);
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    options.onStep?.('snapshot-written');
    renameSync(temporary, file);
    options.onStep?.('snapshot-renamed');
    ftruncateSync(fd, 0);
    snapshotBytes = Buffer.byteLength(text);
    logBytes = 0;
  };
  if (statSync(logFile).size > 0 || !existsSync(file)) snapshot();
  else snapshotBytes = statSync(file).size;

  return {
    state,
    record(change) {
      const line = Buffer.from(`${JSON.stringify(change)}\n`);
      try {
        for (let written = 0; written < line.length;) written += writeSync(fd, line, written);
      } catch (error) {
        // A part written before the refusal would join the next line: cut it off (best effort: the
        // refusal is what the caller hears about, and a torn last line is dropped at the next open).
        try {
          ftruncateSync(fd, logBytes);
        } catch {}
        throw error;
      }
      logBytes += line.length;
      options.apply(state, change);
      // The change is durable in the log: a snapshot the disk refuses now is tried again after the next change.
      if (logBytes > Math.max(minLogBytes, snapshotBytes)) {
        try {
          snapshot();
        } catch {}
      }
    },
    close() {
      closeSync(fd);
    },
  };
}

function readLog<Change>(logFile: string, remedy: string): Change[] {
  if (!existsSync(logFile)) return [];
  const lines = readFileSync(logFile, 'utf8').split('\n');
  // A change counts once its whole line, newline included, is written: what follows the last newline was cut short.
  lines.pop();
  const changes: Change[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      changes.push(JSON.parse(line) as Change);
    } catch (error) {
      // Only the last line can be cut short by a crash; one before it means the file was damaged otherwise.
      const last = lines.slice(i + 1).every((rest) => rest === '');
      if (!last) throw new StateFileError(logFile, `has a damaged line ${i + 1} (${(error as Error).message})`, remedy);
    }
  });
  return changes;
}
