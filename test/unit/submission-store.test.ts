import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatasetRow } from '../../core/submissions/index.ts';
import { openSubmissionStore } from '../../emulator/engine/submission-store.ts';

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

async function open() {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-store-'));
  let n = 0;
  return openSubmissionStore(dir, () => `id${++n}`);
}

async function rowsOf(
  store: Awaited<ReturnType<typeof open>>,
  template: string,
  updateKeys: string[] = [],
): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of store.dataset(template, updateKeys)) rows.push(row);
  return rows;
}

/** An import of rows for submission `id`, committed at `at`, joining the dataset unless it failed. */
async function importRows(
  store: Awaited<ReturnType<typeof open>>,
  id: string,
  at: string,
  values: Record<string, string>[],
  status: 'complete' | 'failed' = 'complete',
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
  };
  return () =>
    store.commit(
      entryId,
      [submission],
      new Map(),
      status === 'complete' ? { template: 'T', submissionId: id } : undefined,
    );
}

describe('the submission store', () => {
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
    let n = 0;
    const reopened = await openSubmissionStore(dir, () => `later${++n}`);
    expect((await rowsOf(reopened, 'T', ['K'])).map((r) => r.values.K)).toEqual(['b', 'B', 'b ', 'a']);
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
    let n = 0;
    const reopened = await openSubmissionStore(dir, () => `again${++n}`);
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
    store.close();
    expect(ids((await openSubmissionStore(dir, () => 'x')).newest({ limit: 10 }))).toEqual(['D', 'C', 'B', 'A']);
  });
});
