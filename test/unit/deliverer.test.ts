/**
 * The deliverer's state machine (queued -> writing -> delivered | failed, failed -> queued on retry)
 * with fakes: submissions imported into the in-memory store by the real importer, S3 in memory.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createImporter } from '../../core/inbound/index.ts';
import { createDeliverer, queuedDeliveries, type OutboundIntegration } from '../../core/outbound/index.ts';
import type { Delivery } from '../../core/submissions/index.ts';
import type { WorkspaceTemplate } from '../../core/workspace/index.ts';
import { createMemoryS3 } from '../helpers/memory-s3.ts';
import { createMemoryStore } from '../helpers/memory-store.ts';
import { loadWorkspace } from '../helpers/stack.ts';

const EMAIL_CSV = readFileSync('fixtures/files/Email.csv', 'utf8');
const email = loadWorkspace().templates.find((t) => t.name === 'Email')!;

function setUp(change: Partial<OutboundIntegration> = {}) {
  let template: WorkspaceTemplate = { ...email, outbound: email.outbound.map((o) => ({ ...o, ...change })) };
  const store = createMemoryStore();
  const s3 = createMemoryS3(['acme-claravine', 'acme-exports']);
  let clock = Date.parse('2026-03-01T10:00:00Z');
  const now = () => new Date((clock += 1000));
  let ids = 0;
  const importer = createImporter({
    store,
    templates: [template],
    deliveriesFor: (submission) => queuedDeliveries(template, submission),
    s3For: () => s3,
    person: () => ({ displayName: 'Ulla Loader', email: 'ulla@example.com' }),
    now,
    randomInt: () => 0,
    newId: () => `S${++ids}`,
  });
  const deliverer = () => createDeliverer({ store, templates: [template], s3For: () => s3, now });
  const imported = async (name: string) => {
    const key = `us/submissions/Email/${name}`;
    const etag = s3.put('acme-claravine', key, EMAIL_CSV);
    const [entry] = await importer.detect({ bucket: 'acme-claravine', key, etag, size: EMAIL_CSV.length });
    const [submission] = await importer.run(entry!);
    return submission!;
  };
  const edit = (next: Partial<OutboundIntegration>) => {
    template = { ...template, outbound: template.outbound.map((o) => ({ ...o, ...next })) };
  };
  return { store, s3, deliverer, imported, edit };
}

describe('the deliverer', () => {
  it('writes a queued delivery: writing, then delivered with its bytes, ETag, content type and SSE as recorded', async () => {
    const { store, s3, deliverer, imported } = setUp();
    const submission = await imported('drop.csv');
    const statuses: Delivery['status'][] = [];
    const setDelivery = store.setDelivery.bind(store);
    store.setDelivery = (id, index, delivery) => (statuses.push(delivery.status), setDelivery(id, index, delivery));
    const delivery = await deliverer().run({ submissionId: submission.id, index: 0 });
    expect(statuses).toEqual(['writing', 'delivered']);
    const written = s3.objects.get(`acme-exports/${delivery!.key}`)!;
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 1,
      bytes: written.body.length,
      etag: written.etag,
    });
    expect([written.contentType, written.sse]).toEqual(['text/csv; charset=utf-8', true]);
    const text = new TextDecoder().decode(written.body);
    expect(text).toContain('CAMPAIGN;TRACKING CODE;BY;NOTES');
    expect(text).toContain('Spring Sale');
    // A delivered delivery is not written again.
    expect(await deliverer().run({ submissionId: submission.id, index: 0 })).toEqual(delivery);
    expect(statuses).toHaveLength(2);
  });

  it('records a denied write as failed with S3 error; a retry takes the current settings and delivers', async () => {
    const { s3, deliverer, imported, edit, store } = setUp({ sse: false });
    const submission = await imported('drop.csv');
    const ref = { submissionId: submission.id, index: 0 };
    s3.deny.add('PutObject');
    expect(await deliverer().run(ref)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'AccessDenied', explanation: 'no statement allows it' },
      etag: null,
    });
    expect(await deliverer().requeue({ ...ref, index: 5 })).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await deliverer().requeue({ submissionId: 'nope', index: 0 })).toMatchObject({ reason: 'not-found' });
    s3.deny.clear();
    edit({ sse: true });
    expect(await deliverer().requeue(ref)).toEqual({ ok: true });
    expect(store.submission(submission.id)!.deliveries![0]!.status).toBe('queued');
    expect(await deliverer().run(ref)).toMatchObject({ status: 'delivered', attempts: 2, sse: true, error: null });
    expect(await deliverer().requeue(ref)).toMatchObject({ ok: false, reason: 'not-failed' });
  });

  it('fails a list-mode delivery whose account cannot list its buckets with the permission warning', async () => {
    const { s3, deliverer, imported } = setUp({ bucketMode: 'list' });
    const submission = await imported('drop.csv');
    s3.deny.add('ListBuckets');
    const delivery = await deliverer().run({ submissionId: submission.id, index: 0 });
    expect(delivery).toMatchObject({ status: 'failed', error: { code: 'PermissionWarning' } });
    expect(delivery!.error!.message).toMatch(/Manual Bucket Entry/);
    expect(s3.objects.size).toBe(1); // only the dropped file
  });

  it('says so on both deliveries when a later one overwrites the object an earlier one wrote', async () => {
    const { store, deliverer, imported } = setUp({ filename: 'inbox/fixed-name' });
    const first = await imported('one.csv');
    const second = await imported('two.csv');
    await deliverer().run({ submissionId: first.id, index: 0 });
    const later = await deliverer().run({ submissionId: second.id, index: 0 });
    expect(later!.warnings).toEqual([
      expect.stringMatching(new RegExp(`^overwrote s3://acme-exports/.*which submission ${first.id}`)),
    ]);
    expect(store.submission(first.id)!.deliveries![0]!.warnings).toEqual([
      expect.stringMatching(new RegExp(`^overwritten at .* by submission ${second.id}`)),
    ]);
  });

  it('fails a delivery whose integration is gone, and one whose rows cannot be read, without throwing', async () => {
    const { store, deliverer, imported, edit } = setUp();
    const submission = await imported('drop.csv');
    store.accepted = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('EIO: i/o error')) }),
    });
    expect(await deliverer().run({ submissionId: submission.id, index: 0 })).toMatchObject({
      status: 'failed',
      error: { code: 'RenderError', message: expect.stringContaining('EIO') },
    });
    await deliverer().requeue({ submissionId: submission.id, index: 0 });
    edit({ name: 'Renamed' });
    expect(await deliverer().run({ submissionId: submission.id, index: 0 })).toMatchObject({
      status: 'failed',
      error: { code: 'NoSuchIntegration' },
    });
  });

  it('lists the deliveries a stop left queued or writing, oldest submission first', async () => {
    const { store, deliverer, imported } = setUp();
    const first = await imported('one.csv');
    const second = await imported('two.csv');
    const third = await imported('three.csv');
    await deliverer().run({ submissionId: second.id, index: 0 });
    const queued = store.submission(first.id)!.deliveries![0]!;
    await store.setDelivery(first.id, 0, { ...queued, status: 'writing', attempts: 1 });
    expect(deliverer().unfinished()).toEqual([
      { submissionId: first.id, index: 0 },
      { submissionId: third.id, index: 0 },
    ]);
  });
});
