/**
 * The engine's store held in memory: a second implementation of EngineStore, for unit tests of the
 * importer and the deliverer with fakes. The store contract suite (test/unit/store-contract.test.ts)
 * runs against it and the data-folder store alike, so what the fakes prove holds for the real one.
 */
import type { AcceptedRow, RejectedRow } from '../../core/files/index.ts';
import type { LedgerEntry, RowWriter } from '../../core/inbound/ports.ts';
import type { DeliveryRef, FieldValues } from '../../core/outbound/index.ts';
import { datasetPager, datasetRows, type MemberRow, type Submission } from '../../core/submissions/index.ts';
import type { EngineStore } from '../../emulator/engine/submission-store.ts';

const clone = <T>(value: T): T => structuredClone(value);

function writer<T>(rows: Map<string, T[]>, id: string): RowWriter<T> {
  const written: T[] = [];
  rows.set(id, written); // opening a writer discards what an earlier attempt wrote
  return { write: (row) => void written.push(clone(row)), close: async () => {} };
}

export function createMemoryStore(): EngineStore {
  const ledger = new Map<string, LedgerEntry>();
  const submissions = new Map<string, Submission>();
  const datasets = new Map<string, string[]>();
  const accepted = new Map<string, AcceptedRow[]>();
  const rejected = new Map<string, RejectedRow[]>();
  let counters = new Map<string, number>();
  const byCreation = () =>
    [...submissions.values()].sort((a, b) =>
      a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
    );
  async function* memberRows(submissionId: string): AsyncGenerator<MemberRow> {
    for (const row of accepted.get(submissionId) ?? [])
      yield {
        submissionId,
        row: row.row,
        at: submissions.get(submissionId)?.submittedAt ?? '',
        values: Object.fromEntries(row.values),
      };
  }
  const fieldValuesOf = (row: AcceptedRow): FieldValues & { row: number } => ({
    row: row.row,
    fields: [...row.values.keys()],
    values: [...row.values.values()],
  });
  return {
    async recordDetected(entry) {
      if (ledger.has(entry.id)) return false;
      ledger.set(entry.id, clone(entry));
      return true;
    },
    hasEntry: (id) => ledger.has(id),
    ledgerEntry: (id) => ledger.get(id),
    async setState(id, state, attempts) {
      const entry = ledger.get(id);
      if (!entry) return;
      entry.state = state;
      if (attempts !== undefined) entry.attempts = attempts;
    },
    unfinished: async () => [...ledger.values()].filter((e) => e.state !== 'done').map(clone),
    acceptedRows: (id) => writer(accepted, id),
    rejectedRows: (id) => writer(rejected, id),
    async commit(entryId, committed, newCounters, join) {
      for (const submission of committed) submissions.set(submission.id, clone(submission));
      if (join) {
        const members = datasets.get(join.template) ?? [];
        if (!members.includes(join.submissionId)) members.push(join.submissionId);
        if (join.replaces !== undefined && members.includes(join.replaces))
          members.splice(members.indexOf(join.replaces), 1);
        datasets.set(join.template, members);
      }
      counters = new Map(newCounters);
      const entry = ledger.get(entryId);
      if (entry) Object.assign(entry, { state: 'done', submissions: committed.map((s) => s.id) });
    },
    counters: () => new Map(counters),
    submission: (id) => submissions.get(id),
    submissions: () => [...submissions.values()],
    dataset(template, updateKeys) {
      const members = datasets.get(template) ?? [];
      return datasetRows(async function* () {
        for (const submissionId of members) yield* memberRows(submissionId);
      }, updateKeys);
    },
    datasetPage: datasetPager((template) => datasets.get(template) ?? [], memberRows),
    async setDelivery(submissionId, index, delivery) {
      const deliveries = submissions.get(submissionId)?.deliveries;
      if (!deliveries || index < 0 || index >= deliveries.length)
        throw new Error(`submission ${submissionId} has no delivery ${index}`);
      deliveries[index] = clone(delivery);
    },
    accepted: async function* (id) {
      for (const row of accepted.get(id) ?? []) yield fieldValuesOf(row);
    },
    rejected: async function* (id) {
      yield* rejected.get(id) ?? [];
    },
    deliveredTo(bucket, key) {
      const refs: DeliveryRef[] = [];
      for (const s of submissions.values())
        (s.deliveries ?? []).forEach((d, index) => {
          if (d.status === 'delivered' && d.bucket === bucket && d.key === key)
            refs.push({ submissionId: s.id, index });
        });
      return refs;
    },
    newest({ limit, before, match }) {
      const all = byCreation().reverse();
      const start = before === undefined ? 0 : all.findIndex((s) => s.id === before) + 1;
      const found: Submission[] = [];
      let i = start;
      for (; i < all.length && found.length < limit; i++) if (!match || match(all[i]!)) found.push(all[i]!);
      const last = found[found.length - 1];
      return { submissions: found, ...(i < all.length && last ? { next: last.id } : {}) };
    },
    close() {},
  };
}
