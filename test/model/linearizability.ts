/**
 * Linearizability of a concurrent history, per key (Herlihy & Wing; the search is Wing & Gong's with
 * memoisation, as in Jepsen's Knossos and Porcupine): a history is linearizable when some total order
 * of its operations, consistent with real time (an operation that returned before another was called
 * comes first), explains every observed result when the operations are applied one at a time to a
 * sequential specification. Linearizability is local, so a store is checked one key at a time.
 */

export interface TimedOperation<S> {
  /** When the client called it and when the answer came back (any clock shared by the history). */
  call: number;
  ret: number;
  /** The operation applied to a state, given what it observed: the next state, or undefined when the
   *  observation is impossible from this state. */
  step(state: S): S | undefined;
  label: string;
}

export type LinearizationResult = { ok: true; order: string[] } | { ok: false; explored: number; longest: string[] };

/**
 * Searches for a linearization. `fingerprint` names a state, so that a prefix reached twice (the same
 * operations done, the same state) is explored once. `budget` caps the states explored.
 */
export function linearize<S>(
  initial: S,
  operations: readonly TimedOperation<S>[],
  fingerprint: (state: S) => string,
  budget = 2_000_000,
): LinearizationResult {
  const ops = [...operations].sort((a, b) => a.call - b.call);
  const done = new Uint8Array(ops.length);
  const seen = new Set<string>();
  const order: number[] = [];
  let longest: number[] = [];
  let explored = 0;

  const search = (state: S, remaining: number): boolean => {
    if (remaining === 0) return true;
    if (++explored > budget) throw new Error(`linearizability search over budget (${budget} states)`);
    const memo = `${Array.from(done).join('')}|${fingerprint(state)}`;
    if (seen.has(memo)) return false;
    seen.add(memo);
    // Only an operation called before every pending operation returned may come next.
    let earliestReturn = Infinity;
    for (let i = 0; i < ops.length; i++) if (!done[i]) earliestReturn = Math.min(earliestReturn, ops[i]!.ret);
    for (let i = 0; i < ops.length; i++) {
      if (done[i] || ops[i]!.call > earliestReturn) continue;
      const next = ops[i]!.step(state);
      if (next === undefined) continue;
      done[i] = 1;
      order.push(i);
      if (order.length > longest.length) longest = [...order];
      if (search(next, remaining - 1)) return true;
      order.pop();
      done[i] = 0;
    }
    return false;
  };

  return search(initial, ops.length)
    ? { ok: true, order: order.map((i) => ops[i]!.label) }
    : { ok: false, explored, longest: longest.map((i) => ops[i]!.label) };
}
