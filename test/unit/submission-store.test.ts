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

async function rowsOf(store: Awaited<ReturnType<typeof open>>, template: string): Promise<DatasetRow[]> {
  const rows: DatasetRow[] = [];
  for await (const row of store.dataset(template)) rows.push(row);
  return rows;
}

/** A ledger entry per submission: a merge belongs to the import that produced it. */
async function entryFor(store: Awaited<ReturnType<typeof open>>, submission: string): Promise<string> {
  const id = `i|b|${submission}|e`;
  await store.recordDetected({ id, integration: 'i', template: 'T', bucket: 'b', key: submission, etag: 'e', size: 1, state: 'committing', submissionIds: [submission, 'unused'], detectedAt: 'now', attempts: 1 });
  return id;
}

async function writeAccepted(store: Awaited<ReturnType<typeof open>>, id: string, values: Record<string, string>[]) {
  const writer = store.acceptedRows(id);
  for (const [i, v] of values.entries()) await writer.write({ row: i + 2, values: new Map(Object.entries(v)) });
  await writer.close();
}

describe('the submission store', () => {
  it('merges a submission into the dataset once, however often the merge runs (no update keys)', async () => {
    const store = await open();
    await writeAccepted(store, 'S1', [{ A: '1' }, { A: '2' }]);
    const e1 = await entryFor(store, 'S1');
    for (let i = 0; i < 3; i++) await store.mergeIntoDataset({ entryId: e1, template: 'T', updateKeys: [], submissionId: 'S1', now: '2026-01-01T00:00:00Z' });
    await writeAccepted(store, 'S2', [{ A: '3' }]);
    const e2 = await entryFor(store, 'S2');
    await store.mergeIntoDataset({ entryId: e2, template: 'T', updateKeys: [], submissionId: 'S2', now: '2026-01-02T00:00:00Z' });
    await store.mergeIntoDataset({ entryId: e2, template: 'T', updateKeys: [], submissionId: 'S2', now: '2026-01-02T00:00:00Z' });
    expect((await rowsOf(store, 'T')).map((r) => [r.submission, r.values.A])).toEqual([['S1', '1'], ['S1', '2'], ['S2', '3']]);
  });

  it('updates rows whose keys match exactly (case and trailing spaces count), however often the merge runs', async () => {
    const store = await open();
    await writeAccepted(store, 'S1', [{ K: 'a', V: '1' }, { K: 'b', V: '1' }]);
    await store.mergeIntoDataset({ entryId: await entryFor(store, 'S1'), template: 'T', updateKeys: ['K'], submissionId: 'S1', now: '2026-01-01T00:00:00Z' });
    await writeAccepted(store, 'S2', [{ K: 'a', V: '2' }, { K: 'B', V: '2' }, { K: 'b ', V: '2' }, { K: 'a', V: '3' }]);
    const e2 = await entryFor(store, 'S2');
    for (let i = 0; i < 2; i++) await store.mergeIntoDataset({ entryId: e2, template: 'T', updateKeys: ['K'], submissionId: 'S2', now: '2026-01-02T00:00:00Z' });
    const rows = await rowsOf(store, 'T');
    // Rows come in the order of their last change; an updated row keeps its id and creation time.
    expect(rows.map((r) => [r.values.K, r.values.V, r.submission, r.createdAt.slice(0, 10)])).toEqual([
      ['b', '1', 'S1', '2026-01-01'], ['B', '2', 'S2', '2026-01-02'], ['b ', '2', 'S2', '2026-01-02'], ['a', '3', 'S2', '2026-01-01'],
    ]);
    let n = 0;
    const reopened = await openSubmissionStore(dir, () => `later${++n}`);
    expect((await rowsOf(reopened, 'T')).map((r) => r.values.K)).toEqual(['b', 'B', 'b ', 'a']);
  });

  it('records an object version once in the ledger, and keeps state across reopening', async () => {
    const store = await open();
    const entry = { id: 'i|b|k|e', integration: 'i', template: 'T', bucket: 'b', key: 'k', etag: 'e', size: 1, state: 'detected' as const, submissionIds: ['x', 'y'] as [string, string], detectedAt: 'now', attempts: 0 };
    expect(await store.recordDetected(entry)).toBe(true);
    expect(await store.recordDetected({ ...entry, submissionIds: ['z', 'w'] })).toBe(false);
    await store.setState(entry.id, 'validating', 1);
    let n = 0;
    const reopened = await openSubmissionStore(dir, () => `again${++n}`);
    expect((await reopened.unfinished()).map((e) => [e.id, e.state, e.attempts, e.submissionIds])).toEqual([['i|b|k|e', 'validating', 1, ['x', 'y']]]);
  });
});
