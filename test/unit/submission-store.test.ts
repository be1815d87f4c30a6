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

async function append(store: Awaited<ReturnType<typeof open>>, entryId: string, submissionId: string, updateKeys: string[], now: string, values: Record<string, string>[], finish: 'close' | 'abort' | 'crash' = 'close') {
  const appender = await store.appendToDataset({ entryId, template: 'T', updateKeys, submissionId, now });
  for (const [i, v] of values.entries()) await appender.write({ row: i + 2, values: new Map(Object.entries(v)) });
  if (finish === 'close') await appender.close();
  else if (finish === 'abort') await appender.abort();
  else await appender.close(); // a crash after the rows reached the disk, before the commit
}

describe('the submission store', () => {
  it('appends a submission to the dataset once, however often its import runs (no update keys)', async () => {
    const store = await open();
    const e1 = await entryFor(store, 'S1');
    for (let i = 0; i < 3; i++) await append(store, e1, 'S1', [], '2026-01-01T00:00:00Z', [{ A: '1' }, { A: '2' }], 'crash');
    const e2 = await entryFor(store, 'S2');
    await append(store, e2, 'S2', [], '2026-01-02T00:00:00Z', [{ A: '3' }, { A: 'half' }], 'crash');
    await append(store, e2, 'S2', [], '2026-01-02T00:00:00Z', [{ A: '3' }]);
    expect((await rowsOf(store, 'T')).map((r) => [r.submission, r.values.A])).toEqual([['S1', '1'], ['S1', '2'], ['S2', '3']]);
  });

  it('cuts off the rows of a file that fails', async () => {
    const store = await open();
    await append(store, await entryFor(store, 'S1'), 'S1', ['K'], '2026-01-01T00:00:00Z', [{ K: 'a', V: '1' }]);
    await append(store, await entryFor(store, 'S2'), 'S2', ['K'], '2026-01-02T00:00:00Z', [{ K: 'a', V: '2' }, { K: 'z', V: '2' }], 'abort');
    await append(store, await entryFor(store, 'S3'), 'S3', ['K'], '2026-01-03T00:00:00Z', [{ K: 'a', V: '3' }]);
    expect((await rowsOf(store, 'T')).map((r) => [r.values.K, r.values.V, r.submission, r.createdAt.slice(0, 10)])).toEqual([['a', '3', 'S3', '2026-01-01']]);
  });

  it('updates rows whose keys match exactly (case and trailing spaces count), however often the import runs', async () => {
    const store = await open();
    await append(store, await entryFor(store, 'S1'), 'S1', ['K'], '2026-01-01T00:00:00Z', [{ K: 'a', V: '1' }, { K: 'b', V: '1' }]);
    const e2 = await entryFor(store, 'S2');
    for (let i = 0; i < 2; i++) await append(store, e2, 'S2', ['K'], '2026-01-02T00:00:00Z', [{ K: 'a', V: '2' }, { K: 'B', V: '2' }, { K: 'b ', V: '2' }, { K: 'a', V: '3' }], 'crash');
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
