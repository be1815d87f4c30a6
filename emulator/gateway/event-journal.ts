/**
 * The object-created events the gateway has acknowledged, kept until the platform has taken them
 * (docs/durability.md). An event is appended (one JSON line, `DATA/events.ndjson`) before the write's
 * 200 leaves, so a 200 means the event outlives the process: a kill, a crash or a Ctrl-C right after
 * the answer cannot lose the drop. The engine replays what it has not acknowledged at its next start;
 * acknowledging removes the events it has recorded. As S3 Event Notifications to an SQS queue: at
 * least once, and the engine's ledger makes a second delivery of the same version a no-op.
 *
 * An append is one synchronous write(2) of a line of a few hundred bytes: it completes before the
 * answer is sent, costs microseconds (cheaper than a trip through libuv's thread pool, which the
 * gateway bench measured at 1.31x bare s3rver on PUT against 1.2x), and outlives the process, not the
 * machine (s3rver's object files are not fsynced either).
 */
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, readSync, renameSync, writeSync } from 'node:fs';

/** An S3 event notification as the gateway emits it (and journals the object-created ones). */
export interface ObjectEvent {
  eventName:
    'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload' | 'ObjectRemoved:Delete';
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  /** The version written, in a versioned bucket (none for the `null` version). */
  versionId?: string;
  /** The IAM user who made the request; undefined for anonymous requests. */
  userName?: string;
  time: string;
  requestId: string;
}

export interface PendingEvents {
  events: ObjectEvent[];
  /** How many lines were read: acknowledging `through` removes those and keeps later ones. */
  through: number;
}

export interface EventJournal {
  append(event: ObjectEvent): void;
  /** Every event not yet acknowledged, oldest first. A line a crash cut short is skipped. */
  pending(): PendingEvents;
  /** Forgets the first `through` events (they are recorded by whoever took them). */
  acknowledge(through: number): void;
  close(): void;
}

export function openEventJournal(file: string): EventJournal {
  let fd = openSync(file, 'a');
  // A line a crash cut short must not swallow the next event: the next one starts on a line of its own.
  const size = fstatSync(fd).size;
  if (size > 0) {
    const last = Buffer.alloc(1);
    const reader = openSync(file, 'r');
    readSync(reader, last, 0, 1, size - 1);
    closeSync(reader);
    if (last[0] !== 0x0a) writeSync(fd, '\n');
  }
  const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const parse = (line: string): ObjectEvent | undefined => {
    try {
      return JSON.parse(line) as ObjectEvent;
    } catch {
      return undefined; // the tail of a write a crash interrupted: its 200 never left
    }
  };
  return {
    append(event) {
      writeSync(fd, `${JSON.stringify(event)}\n`);
    },
    pending() {
      const all = lines();
      return { events: all.flatMap((line) => parse(line) ?? []), through: all.length };
    },
    acknowledge(through) {
      if (through <= 0) return;
      // Synchronous, so no append can come between the read and the swap of the file.
      const rest = lines().slice(through);
      const temporary = `${file}.tmp`;
      const out = openSync(temporary, 'w');
      try {
        writeSync(out, rest.map((line) => `${line}\n`).join(''));
        fsyncSync(out);
      } finally {
        closeSync(out);
      }
      renameSync(temporary, file);
      closeSync(fd);
      fd = openSync(file, 'a');
    },
    close() {
      if (fd === -1) return;
      closeSync(fd);
      fd = -1; // an append after this fails (EBADF): its write is then not acknowledged
    },
  };
}
