/**
 * The harness's own state files in the data folder (lowdb JSON), read so that a damaged one is named
 * with what to do, never reported as a stack trace: a truncated `state.json` (a full disk, a copy cut
 * short) is the user's data, not the program's bug (docs/durability.md).
 */
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
 * Opens a lowdb JSON file with `defaults` when it does not exist yet. `remedy` tells the user what
 * losing the file costs, so they can decide to move it aside.
 */
export async function openStateFile<T extends object>(file: string, defaults: T, remedy: string): Promise<Low<T>> {
  const db = new Low<T>(new JSONFile(file), defaults);
  try {
    await db.read();
  } catch (error) {
    if (error instanceof SyntaxError) throw new StateFileError(file, `is not valid JSON (cut short, or edited by hand?): ${error.message}`, remedy);
    throw error;
  }
  if (db.data === null || typeof db.data !== 'object' || Array.isArray(db.data)) {
    throw new StateFileError(file, 'does not hold a JSON object', remedy);
  }
  return db;
}
