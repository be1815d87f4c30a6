/**
 * The store contract: what the importer and the deliverer rely on, run against every EngineStore
 * implementation (the data folder's journaled store and the in-memory one the unit tests use).
 * Reopening applies to stores that persist; for the in-memory store it is the same store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetRow, Delivery } from '../../core/submissions/index.ts';
import { openSubmissionStore, type EngineStore } from '../../emulator/engine/submission-store.ts';
import { createMemoryStore } from '../helpers/memory-store.ts';

interface StoreKind {
  name: string;
  open(): Promise<EngineStore>;
  /** The same state, opened again (a restart). */
  reopen(store: EngineStore): Promise<EngineStore>;
}

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

const KINDS: StoreKind[] = [
  {
    name: 'the data-folder store',
    async open() {
      dir = await mkdtemp(join(tmpdir(), 's3-harness-store-'));
      let n = 0;
      return openSubmissionStore(dir, () => `id${++n}`);
    },
    async reopen(store) {
      store.close();
      let n = 0;
      return openSubmissionStore(dir!, () => `again${++n}`);
    },
  },
  { name: 'the in-memory store', open: async () => createMemoryStore(), reopen: async (store) => store },
];

async function rowsOf(store: EngineStore, template: string, updateKeys: string[] = []): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of store.dataset(template, updateKeys)) rows.push(row);
  return rows;
}

/** An import of rows for submission `id`, committed at `at`, joining the dataset unless it failed. */
async function importRows(
  store: EngineStore,
  id: string,
  at: string,
  values: Record<string, string>[],
  status: 'complete' | 'failed' = 'complete',
  deliveries?: Delivery[],
  replaces?: string,
) {
  const writer = store.acceptedRows(id);
  for (const [i, v] of values.entries()) await writer.write({ row: i + 2, values: new Map(Object.entries(v)) });
  await writer.close();
  const entryId = `i|b|${id}|e`;
  await store.recordDetected({
    id: entryId,
    integration: 'i',
    template: 'T',
    bucket: 'b',
    key: id,
    etag: 'e',
    size: 1,
    state: 'committing',
    submissionIds: [id, 'unused'],
    detectedAt: at,
    attempts: 1,
  });
  const submission = {
    id,
    template: 'T',
    integration: 'i',
    name: id,
    status,
    source: { bucket: 'b', key: id, etag: 'e', size: 1 },
    submittedBy: 'u',
    submittedAt: at,
    counts: { rows: values.length, accepted: values.length, rejected: 0 },
    issues: [],
    issuesNotKept: 0,
    createdAt: at,
    updatedAt: at,
    ...(deliveries ? { deliveries } : {}),
  };
  return () =>
    store.commit(
      entryId,
      [submission],
      new Map(),
      status === 'complete' ? { template: 'T', submissionId: id, ...(replaces ? { replaces } : {}) } : undefined,
    );
}

const queued = (key: string): Delivery => ({
  integration: 'Out',
  bucket: 'out',
  key,
  fileType: 'csv',
  sse: false,
  status: 'queued',
  attempts: 0,
  bytes: null,
  etag: null,
  finishedAt: null,
  error: null,
  warnings: [],
});

describe.each(KINDS)('$name', ({ open, reopen }) => {
  it('reads a dataset from its committed submissions; committing twice changes nothing; failed files never join', async () => {
    const store = await open();
    const commit1 = await importRows(store, 'S1', '2026-01-01T00:00:00Z', [{ A: '1' }, { A: '2' }]);
    await commit1();
    await commit1();
    await (
      await importRows(store, 'S2', '2026-01-02T00:00:00Z', [{ A: 'bad' }], 'failed')
    )();
    await (
      await importRows(store, 'S3', '2026-01-03T00:00:00Z', [{ A: '3' }])
    )();
    expect((await rowsOf(store, 'T')).map((r) => [r.id, r.submission, r.values.A, r.createdAt.slice(0, 10)])).toEqual([
      ['S1:2', 'S1', '1', '2026-01-01'],
      ['S1:3', 'S1', '2', '2026-01-01'],
      ['S3:2', 'S3', '3', '2026-01-03'],
    ]);
  });

  it('a re-import that completes takes the place of the submission it replaces in the dataset', async () => {
    const store = await open();
    await (
      await importRows(store, 'S1', '2026-01-01T00:00:00Z', [{ A: '1' }])
    )();
    await (
      await importRows(store, 'S2', '2026-01-02T00:00:00Z', [{ A: '2' }])
    )();
    await (
      await importRows(store, 'S3', '2026-01-03T00:00:00Z', [{ A: '1 again' }], 'complete', undefined, 'S1')
    )();
    const reopened = await reopen(store);
    expect((await rowsOf(reopened, 'T')).map((r) => [r.submission, r.values.A])).toEqual([
      ['S2', '2'],
      ['S3', '1 again'],
    ]);
  });

  it('rows are not in the dataset until their import commits (a crash before leaves nothing)', async () => {
    const store = await open();
    await importRows(store, 'S1', '2026-01-01T00:00:00Z', [{ A: '1' }]);
    expect(await rowsOf(store, 'T')).toEqual([]);
    expect((await store.unfinished()).map((e) => e.key)).toEqual(['S1']);
  });

  it('updates rows whose keys match exactly (case and trailing spaces count)', async () => {
    const store = await open();
    await (
      await importRows(store, 'S1', '2026-01-01T00:00:00Z', [
        { K: 'a', V: '1' },
        { K: 'b', V: '1' },
      ])
    )();
    await (
      await importRows(store, 'S2', '2026-01-02T00:00:00Z', [
        { K: 'a', V: '2' },
        { K: 'B', V: '2' },
        { K: 'b ', V: '2' },
        { K: 'a', V: '3' },
      ])
    )();
    const rows = await rowsOf(store, 'T', ['K']);
    // Rows come in the order of their last change; an updated row keeps its id and creation time.
    expect(
      rows.map((r) => [r.id, r.values.K, r.values.V, r.submission, r.createdAt.slice(0, 10), r.updatedAt.slice(0, 10)]),
    ).toEqual([
      ['S1:3', 'b', '1', 'S1', '2026-01-01', '2026-01-01'],
      ['S2:3', 'B', '2', 'S2', '2026-01-02', '2026-01-02'],
      ['S2:4', 'b ', '2', 'S2', '2026-01-02', '2026-01-02'],
      ['S1:2', 'a', '3', 'S2', '2026-01-01', '2026-01-02'],
    ]);
    expect((await rowsOf(await reopen(store), 'T', ['K'])).map((r) => r.values.K)).toEqual(['b', 'B', 'b ', 'a']);
  });

  it('records an object version once in the ledger, and keeps state across reopening', async () => {
    const store = await open();
    const entry = {
      id: 'i|b|k|e',
      integration: 'i',
      template: 'T',
      bucket: 'b',
      key: 'k',
      etag: 'e',
      size: 1,
      state: 'detected' as const,
      submissionIds: ['x', 'y'] as [string, string],
      detectedAt: 'now',
      attempts: 0,
    };
    expect(await store.recordDetected(entry)).toBe(true);
    expect(await store.recordDetected({ ...entry, submissionIds: ['z', 'w'] })).toBe(false);
    await store.setState(entry.id, 'validating', 1);
    expect(store.hasEntry(entry.id)).toBe(true);
    const reopened = await reopen(store);
    expect(reopened.hasEntry(entry.id)).toBe(true);
    expect((await reopened.unfinished()).map((e) => [e.id, e.state, e.attempts, e.submissionIds])).toEqual([
      ['i|b|k|e', 'validating', 1, ['x', 'y']],
    ]);
  });

  it('pages submissions newest first, whatever order they were committed in, across reopening', async () => {
    const store = await open();
    for (const [id, at] of [
      ['B', '2026-01-02'],
      ['C', '2026-01-03'],
      ['A', '2026-01-01'],
      ['D', '2026-01-04'],
    ] as const) {
      await (
        await importRows(store, id, `${at}T00:00:00Z`, [{ A: id }])
      )();
    }
    const ids = (page: { submissions: { id: string }[] }) => page.submissions.map((s) => s.id);
    expect(ids(store.newest({ limit: 10 }))).toEqual(['D', 'C', 'B', 'A']);
    const first = store.newest({ limit: 2 });
    expect([ids(first), first.next]).toEqual([['D', 'C'], 'C']);
    expect(store.newest({ limit: 2, before: 'C' })).toMatchObject({ submissions: [{ id: 'B' }, { id: 'A' }] });
    expect(store.newest({ limit: 2, before: 'C' }).next).toBeUndefined();
    expect(ids(store.newest({ limit: 10, match: (s) => s.id !== 'C' }))).toEqual(['D', 'B', 'A']);
    expect(ids((await reopen(store)).newest({ limit: 10 }))).toEqual(['D', 'C', 'B', 'A']);
  });

  it('keeps counters, accepted and rejected rows per submission; a writer opened again starts the file over', async () => {
    const store = await open();
    const first = store.acceptedRows('S1');
    await first.write({ row: 2, values: new Map([['A', 'stale']]) });
    await first.close();
    const commit = await importRows(store, 'S1', '2026-01-01T00:00:00Z', [{ A: 'x', B: 'y' }]);
    const rejected = store.rejectedRows('S1');
    await rejected.write({ row: 3, cells: ['bad'], issues: [{ row: 3, rule: 'required', message: 'm' }] });
    await rejected.close();
    await commit();
    await store.commit('i|b|S1|e', [store.submission('S1')!], new Map([['Tracking', 7]]));
    const accepted = [];
    for await (const row of store.accepted('S1')) accepted.push([row.fields, row.values]);
    expect(accepted).toEqual([
      [
        ['A', 'B'],
        ['x', 'y'],
      ],
    ]);
    const refused = [];
    for await (const row of store.rejected('S1')) refused.push(row.row);
    expect(refused).toEqual([3]);
    expect([...(await reopen(store)).counters()]).toEqual([['Tracking', 7]]);
  });

  it('replaces a delivery in one write, finds the deliveries that wrote an object, and refuses a delivery that does not exist', async () => {
    const store = await open();
    await (
      await importRows(store, 'S1', '2026-01-01T00:00:00Z', [{ A: '1' }], 'complete', [
        queued('a.csv'),
        queued('b.csv'),
      ])
    )();
    await (
      await importRows(store, 'S2', '2026-01-02T00:00:00Z', [{ A: '2' }], 'complete', [queued('a.csv')])
    )();
    expect(store.deliveredTo('out', 'a.csv')).toEqual([]);
    const delivered = (d: Delivery, at: string): Delivery => ({
      ...d,
      status: 'delivered',
      attempts: 1,
      etag: '"e"',
      bytes: 3,
      finishedAt: at,
    });
    await store.setDelivery('S1', 0, delivered(queued('a.csv'), '2026-01-01T00:00:01Z'));
    await store.setDelivery('S2', 0, delivered(queued('a.csv'), '2026-01-02T00:00:01Z'));
    await store.setDelivery('S1', 1, { ...queued('b.csv'), status: 'failed', attempts: 1 });
    const refs = (s: EngineStore, key: string) =>
      s
        .deliveredTo('out', key)
        .map((r) => `${r.submissionId}/${r.index}`)
        .sort();
    expect(refs(store, 'a.csv')).toEqual(['S1/0', 'S2/0']);
    expect(refs(store, 'b.csv')).toEqual([]);
    // A delivery written again to another key no longer counts as a writer of the first.
    await store.setDelivery('S1', 0, delivered(queued('c.csv'), '2026-01-03T00:00:01Z'));
    expect(refs(store, 'a.csv')).toEqual(['S2/0']);
    const reopened = await reopen(store);
    expect(refs(reopened, 'c.csv')).toEqual(['S1/0']);
    expect(reopened.submission('S1')!.deliveries!.map((d) => d.status)).toEqual(['delivered', 'failed']);
    await expect(reopened.setDelivery('S1', 2, queued('x'))).rejects.toThrow(/no delivery 2/);
    await expect(reopened.setDelivery('nope', 0, queued('x'))).rejects.toThrow(/no delivery 0/);
  });
});
