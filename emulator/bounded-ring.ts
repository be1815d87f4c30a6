/**
 * The latest entries of a log, at most `capacity` (the oldest are forgotten first), each numbered
 * 1, 2, 3, ... as recorded: the gateway's decisions and the harness's activity timeline.
 */
export interface BoundedRing<T> {
  /** Records an entry; returns its number. */
  push(entry: Omit<T, 'seq'>): number;
  /** Newest first: at most `limit`, only after `since`, only those `keep` keeps. */
  list(options: { since?: number | undefined; limit?: number | undefined; keep?: (entry: T) => boolean }): T[];
  readonly capacity: number;
}

export function createBoundedRing<T extends { seq: number }>(capacity: number): BoundedRing<T> {
  const ring: (T | undefined)[] = new Array(capacity);
  let seq = 0;
  return {
    capacity,
    push(entry) {
      seq++;
      ring[seq % capacity] = { ...entry, seq } as T;
      return seq;
    },
    list({ since, limit, keep }) {
      const most = Math.min(limit ?? capacity, capacity);
      const found: T[] = [];
      for (let n = seq; n > Math.max(0, seq - capacity) && found.length < most; n--) {
        const entry = ring[n % capacity]!;
        if (since !== undefined && entry.seq <= since) break;
        if (!keep || keep(entry)) found.push(entry);
      }
      return found;
    },
  };
}

/** Keeps the entries whose fields equal every value given (a field left undefined filters nothing). */
export function fieldsEqual<T>(wanted: { [K in keyof T]?: T[K] | undefined }): (entry: T) => boolean {
  const fields = (Object.keys(wanted) as (keyof T)[]).filter((field) => wanted[field] !== undefined);
  return (entry) => fields.every((field) => entry[field] === wanted[field]);
}
