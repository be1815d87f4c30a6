/**
 * The harness's own state files in the data folder, read so that a damaged one is named with what to
 * do, never reported as a stack trace: a truncated `state.json` (a full disk, a copy cut short) is the
 * user's data, not the program's bug (docs/durability.md).
 */
import { readFile } from 'node:fs/promises';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';

/** A state file that cannot be read as what it should hold. */
export class StateFileError extends Error {
  readonly file: string;
  constructor(file: string, problem: string, remedy: string) {
    super(`${file} ${problem}. ${remedy}`);
    this.file = file;
  }
}

/**
 * The JSON object a state file holds. `remedy` tells the user what losing the file costs, so they can
 * decide to move it aside.
 */
export function parseStateObject(file: string, text: string, remedy: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(
      file,
      `is not valid JSON (cut short, or edited by hand?): ${(error as Error).message}`,
      remedy,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new StateFileError(file, 'does not hold a JSON object', remedy);
  return raw as Record<string, unknown>;
}

/** A lowdb JSON file holding `defaults` when it does not exist yet (lowdb writes it atomically). */
export async function openStateFile<T extends object>(file: string, defaults: T, remedy: string): Promise<Low<T>> {
  const db = new Low<T>(new JSONFile(file), defaults);
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text !== undefined) db.data = parseStateObject(file, text, remedy) as T;
  return db;
}
