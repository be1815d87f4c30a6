/**
 * The importer's state machine (detected -> fetching -> validating -> committing -> done) with fakes:
 * the in-memory store (held to the same contract as the data-folder store) and S3 in memory.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImporter, type LedgerEntry } from '../../core/inbound/index.ts';
import { queuedDeliveries } from '../../core/outbound/index.ts';
import type { ImportState } from '../../core/inbound/ports.ts';
import type { WorkspaceTemplate } from '../../core/workspace/index.ts';
import { createMemoryS3 } from '../helpers/memory-s3.ts';
import { createMemoryStore } from '../helpers/memory-store.ts';
import { loadWorkspace } from '../helpers/stack.ts';

const EMAIL_CSV = readFileSync('fixtures/files/Email.csv', 'utf8');
const demo = loadWorkspace();
const email = demo.templates.find((t) => t.name === 'Email')!;
const KEY = 'us/submissions/Email/drop.csv';

function setUp(template: WorkspaceTemplate = email) {
  const store = createMemoryStore();
  const states: ImportState[] = [];
  const setState = store.setState.bind(store);
  store.setState = async (id, state, attempts) => {
    states.push(state);
    return setState(id, state, attempts);
  };
  const s3 = createMemoryS3(['acme-claravine']);
  let ids = 0;
  const importer = createImporter({
    store,
    templates: [template],
    deliveriesFor: (submission) => queuedDeliveries(template, submission),
    s3For: () => s3,
    person: (name) => (name === 'uploader' ? { displayName: 'Ulla Loader', email: 'ulla@example.com' } : undefined),
    now: () => new Date('2026-03-01T10:00:00Z'),
    randomInt: () => 0,
    newId: () => `id${++ids}`,
  });
  const drop = async (body: string, key = KEY) => {
    const etag = s3.put('acme-claravine', key, body);
    return importer.detect({ bucket: 'acme-claravine', key, etag, size: body.length, uploadedBy: 'uploader' });
  };
  return { store, states, s3, importer, drop };
}

const withOutcome = (outcome: 'auto-submit' | 'all-or-nothing'): WorkspaceTemplate => ({
  ...email,
  inbound: email.inbound.map((i) => ({ ...i, outcome })),
});

describe('the importer', () => {
  it('detects a version once, for the integrations whose bucket and prefix take it, and never a folder marker', async () => {
    const { importer, drop } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    expect(entry).toMatchObject({
      integration: 'Email/Email drop',
      key: KEY,
      state: 'detected',
      uploadedBy: 'uploader',
    });
    expect(await drop(EMAIL_CSV)).toEqual([]);
    expect(await drop(`${EMAIL_CSV}\n`)).toHaveLength(1); // a new version is a new drop
    expect(await drop(EMAIL_CSV, 'us/elsewhere/drop.csv')).toEqual([]);
    expect(
      await importer.detect({ bucket: 'acme-claravine', key: 'us/submissions/Email/', etag: 'e', size: 0 }),
    ).toEqual([]);
    expect(await importer.detect({ bucket: 'other', key: KEY, etag: 'e', size: 0 })).toEqual([]);
  });

  it('walks fetching, validating, committing; commits a clean file complete, in its dataset, with its deliveries queued', async () => {
    const { importer, drop, store, states } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    const [submission] = await importer.run(entry!);
    expect(states).toEqual(['fetching', 'validating', 'committing']);
    expect(submission).toMatchObject({
      id: 'id1',
      status: 'complete',
      name: 'drop.csv',
      submittedBy: 'Ulla Loader',
      submittedByEmail: 'ulla@example.com',
      counts: { rows: 3, accepted: 3, rejected: 0 },
    });
    expect(submission!.deliveries!.map((d) => [d.integration, d.status])).toEqual([['Email export', 'queued']]);
    expect(await store.unfinished()).toEqual([]);
    const dataset = [];
    for await (const row of store.dataset('Email', [])) dataset.push(row.values['Campaign Name']);
    expect(dataset).toEqual(['Spring Sale', 'Summer Launch', 'Back to School - Fall']);
  });

  it('fails a file S3 refuses to hand over, with the error and an access issue; nothing joins the dataset', async () => {
    const { importer, drop, s3, store } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    s3.deny.add('GetObject');
    const [failed] = await importer.run(entry!);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'AccessDenied' }, issues: [{ rule: 'access' }] });
    expect(failed!.deliveries).toBeUndefined();
    expect(await store.unfinished()).toEqual([]);
    for await (const _ of store.dataset('Email', [])) expect.unreachable('a failed import joined the dataset');
  });

  it('imports nothing for a version overwritten before it was read (the new version has its own entry)', async () => {
    const { importer, drop, s3, store } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    s3.put('acme-claravine', KEY, `${EMAIL_CSV}Later,Email,,EMEA,France,03/01/2026,\n`);
    expect(await importer.run(entry!)).toEqual([]);
    expect(store.submissions()).toEqual([]);
    expect(await store.unfinished()).toEqual([]);
  });

  it('all-or-nothing: one bad row fails the file; auto-submit: clean rows complete as AUTOSUBMIT, bad rows pending', async () => {
    const bad = `${EMAIL_CSV}Broken,NotAChannel,,EMEA,France,03/01/2026,\n`;
    const strict = setUp(withOutcome('all-or-nothing'));
    const [failed] = await strict.importer.run((await strict.drop(bad))[0]!);
    expect(failed).toMatchObject({ status: 'failed', counts: { rows: 4, accepted: 3, rejected: 1 } });
    expect(failed!.issues[0]).toMatchObject({ row: 5, column: 'Channel' });

    const lenient = setUp(withOutcome('auto-submit'));
    const split = await lenient.importer.run((await lenient.drop(bad))[0]!);
    expect(split.map((s) => [s.id, s.name, s.status, s.counts.rows, s.splitFrom])).toEqual([
      ['id1', 'drop.csv AUTOSUBMIT', 'complete', 3, 'id2'],
      ['id2', 'drop.csv', 'pending', 1, 'id1'],
    ]);
    expect(split[0]!.deliveries).toHaveLength(1);
    expect(split[1]!.deliveries).toBeUndefined();
    const refused = [];
    for await (const row of lenient.store.rejected('id2')) refused.push(row.cells[0]);
    expect(refused).toEqual(['Broken']);
  });

  it('run again after a crash mid-import (state validating), it writes the same submission once', async () => {
    const { importer, drop, store } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    await store.setState(entry!.id, 'validating', 1);
    const [interrupted] = (await store.unfinished()) as LedgerEntry[];
    const first = await importer.run(interrupted!);
    expect((await store.unfinished()).length).toBe(0);
    const again = await importer.run(interrupted!);
    expect(again.map((s) => s.id)).toEqual(first.map((s) => s.id));
    expect(store.submissions()).toHaveLength(1);
    const rows = [];
    for await (const row of store.dataset('Email', [])) rows.push(row.id);
    expect(rows).toEqual(['id1:2', 'id1:3', 'id1:4']);
  });

  it('leaves the entry unfinished when the store fails mid-import (retried at the next start)', async () => {
    const { importer, drop, store } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    store.acceptedRows = () => ({
      write: () => Promise.reject(new Error('ENOSPC: no space left on device')),
      close: async () => {},
    });
    await expect(importer.run(entry!)).rejects.toThrow(/ENOSPC/);
    expect((await store.unfinished()).map((e) => [e.id, e.state])).toEqual([[entry!.id, 'validating']]);
    expect(store.submissions()).toEqual([]);
  });

  it("imports a failed submission's object again as a new entry whose submissions name the one they replace", async () => {
    const { importer, drop, s3, store } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    s3.deny.add('GetObject');
    const [failed] = await importer.run(entry!);
    s3.deny.clear();
    const seen: string[] = [];
    expect(
      await importer.detect({ bucket: 'acme-claravine', key: KEY, etag: entry!.etag, size: 1 }, undefined, (e) =>
        seen.push(e.id),
      ),
    ).toEqual([]);
    expect(seen).toEqual([entry!.id]);
    const again = await importer.reimport(failed!);
    expect(again).toMatchObject({ replaces: failed!.id, key: KEY, etag: entry!.etag, state: 'detected' });
    expect(again!.id).not.toBe(entry!.id);
    const [replacement] = await importer.run(again!);
    expect(replacement).toMatchObject({ status: 'complete', replaces: failed!.id });
    expect(
      store
        .submissions()
        .map((s) => s.status)
        .sort(),
    ).toEqual(['complete', 'failed']);
    expect(await importer.reimport({ ...failed!, integration: 'Gone' })).toBeUndefined();
  });

  it('refuses an entry whose integration the workspace no longer has', async () => {
    const { importer, drop } = setUp();
    const [entry] = await drop(EMAIL_CSV);
    await expect(importer.run({ ...entry!, integration: 'Email/Gone' })).rejects.toThrow(/no longer has/);
  });
});
