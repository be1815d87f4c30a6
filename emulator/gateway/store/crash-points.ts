/**
 * The named points of every write path where a crash leaves something to recover (docs/durability.md,
 * "Crash points"). A test sets `S3_HARNESS_CRASH_AT=<point>` (or `<point>#<n>`, the n-th time) in the
 * environment of a harness process, which then kills itself with SIGKILL there; a restart on the same
 * data folder must find every acknowledged write once and every other one whole or absent
 * (test/e2e/crash-points.test.ts). Without the variable, reaching a point costs a comparison.
 */

export const CRASH_POINTS = [
  /** A streamed body half written to its blob. */
  'blob-partly-written',
  'put:blob-written',
  'put:committed',
  'copy:blob-written',
  'copy:committed',
  'part:blob-written',
  'part:committed',
  'complete:blob-written',
  'complete:committed',
  'abort:committed',
  'delete:committed',
  'retag:committed',
  /** The journal's new snapshot written beside the old one, not yet renamed over it. */
  'snapshot-written',
  /** The new snapshot in place, the log not yet emptied (its changes are in both). */
  'snapshot-renamed',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export type ReachPoint = (point: CrashPoint) => void;

export const CRASH_VARIABLE = 'S3_HARNESS_CRASH_AT';

/** The hook `S3_HARNESS_CRASH_AT` asks for, or undefined when it is not set. */
export function crashHookFromEnvironment(env: NodeJS.ProcessEnv = process.env): ReachPoint | undefined {
  const setting = env[CRASH_VARIABLE];
  if (!setting) return undefined;
  const [point, count = '1'] = setting.split('#');
  if (!(CRASH_POINTS as readonly string[]).includes(point!))
    throw new Error(`${CRASH_VARIABLE}=${setting}: no such crash point (${CRASH_POINTS.join(', ')})`);
  let left = Number(count);
  return (reached) => {
    if (reached !== point || --left > 0) return;
    process.kill(process.pid, 'SIGKILL');
  };
}
