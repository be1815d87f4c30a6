/**
 * One harness per data folder: two processes appending to the same journals and blob folders would
 * corrupt each other's state, so `startHarness` takes `DATA/harness.lock` first and gives it back on close.
 * The lock names its holder (pid, host, start time); one left by a process that is gone (killed, crashed)
 * is taken over, on the same host. Readers that change nothing (the CLI's previews) take no lock.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';

export const LOCK_FILE = 'harness.lock';

interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

/** Another harness holds the data folder: its message names it and what to do. */
export class DataFolderInUseError extends Error {
  constructor(
    readonly dataDirectory: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      holder
        ? `the data folder ${dataDirectory} is in use by another s3-harness (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}): stop it, or use another folder (--data DIR, or --ephemeral). If no harness runs there, delete ${join(dataDirectory, LOCK_FILE)}.`
        : `the data folder ${dataDirectory} is locked by ${join(dataDirectory, LOCK_FILE)}, which does not say who holds it: delete it if no s3-harness runs there`,
    );
    this.name = 'DataFolderInUseError';
  }
}

export interface DataFolderLock {
  /** The holder whose lock was taken over because its process is gone, if one was. */
  readonly tookOverFrom?: LockHolder;
  release(): Promise<void>;
}

function readHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    return typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.startedAt === 'string'
      ? (value as LockHolder)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Is the holder's process still there? Only a process of this host can be asked. */
function isRunning(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  // This process's own pid: held by this process, or by an earlier one that had the same pid (a container
  // restarted runs its harness under the same pid), told apart by when the lock was taken.
  if (holder.pid === process.pid) return Date.parse(holder.startedAt) >= Math.floor(performance.timeOrigin);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Makes the lock file whole or not at all: written aside, then linked in place (link fails if one exists). */
async function placeLock(path: string, holder: LockHolder): Promise<boolean> {
  const aside = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(aside, `${JSON.stringify(holder)}\n`);
  try {
    await link(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(aside, { force: true });
  }
}

export async function lockDataFolder(dataDirectory: string): Promise<DataFolderLock> {
  await mkdir(dataDirectory, { recursive: true });
  const path = join(dataDirectory, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  let tookOverFrom: LockHolder | undefined;
  // Twice at most: once, and once more after removing a lock whose process is gone.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await placeLock(path, me)) {
      let released = false;
      return {
        ...(tookOverFrom ? { tookOverFrom } : {}),
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    }
    const holder = readHolder(await readFile(path, 'utf8').catch(() => ''));
    if (!holder || isRunning(holder)) throw new DataFolderInUseError(dataDirectory, holder);
    tookOverFrom = holder;
    await rm(path, { force: true });
  }
  throw new DataFolderInUseError(dataDirectory, readHolder(await readFile(path, 'utf8').catch(() => '')));
}
