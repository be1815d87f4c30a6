/**
 * The object-created events the gateway has acknowledged, kept until the platform has taken them
 * (docs/durability.md). An event is appended (one JSON line, `DATA/events.ndjson`) before the write's
 * 200 leaves, so a 200 means the event outlives the process: a kill, a crash or a Ctrl-C right after
 * the answer cannot lose the drop. The engine replays what it has not acknowledged at its next start;
 * acknowledging removes the events it has recorded. As S3 Event Notifications to an SQS queue: at
 * least once, and the engine's ledger makes a second delivery of the same version a no-op.
 *
 * The append is a completed write(2): it survives the process, not the machine (the object files
 * s3rver writes are not fsynced either).
 */
import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import type { ObjectEvent } from './context.ts';

export interface PendingEvents {
  events: ObjectEvent[];
  /** How many lines were read: acknowledging `through` removes those and keeps later ones. */
  through: number;
}

export interface EventJournal {
  append(event: ObjectEvent): Promise<void>;
  /** Every event not yet acknowledged, oldest first. A line a crash cut short is skipped. */
  pending(): Promise<PendingEvents>;
  /** Forgets the first `through` events (they are recorded by whoever took them). */
  acknowledge(through: number): Promise<void>;
  close(): Promise<void>;
}

export async function openEventJournal(file: string): Promise<EventJournal> {
  let handle: FileHandle = await open(file, 'a');
  // Appends and compactions take turns, so a compaction never loses an append made meanwhile.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turn.then(work);
    turn = next.catch(() => undefined);
    return next;
  };
  const lines = async () => (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  const parse = (line: string): ObjectEvent | undefined => {
    try {
      return JSON.parse(line) as ObjectEvent;
    } catch {
      return undefined; // the tail of a write a crash interrupted: its 200 never left
    }
  };
  return {
    append: (event) => inTurn(async () => {
      await handle.write(`${JSON.stringify(event)}\n`);
    }),
    pending: () => inTurn(async () => {
      const all = await lines();
      return { events: all.flatMap((line) => parse(line) ?? []), through: all.length };
    }),
    acknowledge: (through) => inTurn(async () => {
      if (through <= 0) return;
      const rest = (await lines()).slice(through);
      await writeAtomically(file, rest.map((line) => `${line}\n`).join(''));
      await handle.close();
      handle = await open(file, 'a');
    }),
    close: () => inTurn(() => handle.close()),
  };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const out = await open(temporary, 'w');
  try {
    await out.write(text);
    await out.sync();
  } finally {
    await out.close();
  }
  await rename(temporary, file);
}
