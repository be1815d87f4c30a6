/**
 * A data folder written by the release before the object store (s3rver's layout, fixtures/data-folders/
 * before-store, made by that release): its objects, older versions, delete markers, metadata, tags, SSE
 * and unacknowledged events are moved into the store at the first start, once; the old folders are
 * renamed aside; an upload in progress is not carried over.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureConsoleErrors } from '../helpers/console.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';
import { versionsInOrder } from '../helpers/versions-wire.ts';

let dir: string;
let stack: TestStack;
let logged: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-legacy-'));
  await cp('fixtures/data-folders/before-store', dir, { recursive: true });
  const errors = captureConsoleErrors();
  try {
    stack = await startStack(undefined, dir);
  } finally {
    errors.restore();
  }
  logged = errors.lines;
});
afterAll(async () => {
  await stack?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a data folder of the release before the object store', () => {
  it('is moved in once, and says so', async () => {
    expect(logged).toEqual([
      `[s3-harness] moved 7 object version(s) and delete marker(s) of an earlier release's data folder into ${join(dir, 'store')} (the old folders are kept beside it as objects.before-store and versions.before-store: delete them once you are satisfied)`,
    ]);
    expect((await readdir(dir)).sort()).toEqual(
      ['objects.before-store', 'state.json', 'store', 'versions.before-store'].sort(),
    );
  });

  it('keeps each object with its metadata, tags and SSE', async () => {
    const admin = stack.client('admin');
    const a = await admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'legacy/a.csv' }));
    expect(await a.Body!.transformToString()).toBe('a,b\n1,2\n');
    expect([a.ContentType, a.Metadata, a.TagCount, a.ETag]).toEqual([
      'text/csv',
      { owner: 'uma' },
      1,
      '"e5ebd4c02cefbe7955977c67ada242b7"',
    ]);
    const tags = await admin.send(new GetObjectTaggingCommand({ Bucket: 'acme-claravine', Key: 'legacy/a.csv' }));
    expect(tags.TagSet).toEqual([{ Key: 'stage', Value: 'old' }]);
    const long = `legacy/${'x'.repeat(300)}/long.txt`;
    expect(
      await (await admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: long }))).Body!.transformToString(),
    ).toBe('long segment');
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: 'acme-claravine', Prefix: 'legacy/' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['legacy/a.csv', long]);
    const encrypted = await admin.send(new HeadObjectCommand({ Bucket: 'acme-exports', Key: 'legacy/encrypted.csv' }));
    expect(encrypted.ServerSideEncryption).toBe('AES256');
    expect(await stack.gateway.uploaderOf('acme-claravine', 'legacy/a.csv')).toBe('admin');
    const uploads = await admin.send(new ListMultipartUploadsCommand({ Bucket: 'acme-claravine' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('keeps older versions and delete markers in their order', async () => {
    const admin = stack.client('admin');
    const versions = await versionsInOrder(admin, 'legacy-versions');
    expect(versions.map((v) => [v.key, v.etag === undefined ? 'marker' : 'version', v.isLatest])).toEqual([
      ['j', 'version', true],
      ['k', 'marker', true],
      ['k', 'version', false],
      ['k', 'version', false],
    ]);
    const bodies = [];
    for (const v of versions.filter((v) => v.key === 'k' && v.etag))
      bodies.push(
        await (
          await admin.send(new GetObjectCommand({ Bucket: 'legacy-versions', Key: 'k', VersionId: v.versionId }))
        ).Body!.transformToString(),
      );
    expect(bodies).toEqual(['version two', 'version one']);
  });

  it('keeps the events the platform had not taken', async () => {
    const pending = await stack.gateway.pendingEvents();
    expect(pending.events.map((e) => e.key)).toContain('legacy/a.csv');
    expect(pending.events).toHaveLength(6); // the PUTs (a DELETE is not journaled)
  });
});
