/**
 * Damaged files in the data folder are named, never a stack trace (docs/durability.md): a truncated
 * state file stops `start` with one line naming it and what to do; an object whose bytes are missing
 * or cut short is an InternalError while the rest of its bucket keeps working.
 */
import { mkdirSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.ts';
import { captureConsoleErrors } from '../helpers/console.ts';
import { expectS3Error, startStack } from '../helpers/stack.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-damaged-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a damaged state file', () => {
  for (const [name, file, what] of [
    ['engine', 'engine/state.json', 'the import ledger and the submissions'],
    ['gateway', 'state.json', 'the bucket policies set through the S3 API'],
    ['store', 'store/objects.json', 'the index of every object the harness stores'],
  ] as const) {
    it(`(${name}) stops start with one line naming it and what to do`, async () => {
      const data = join(dir, name);
      mkdirSync(join(data, 'engine'), { recursive: true });
      mkdirSync(join(data, 'store'), { recursive: true });
      writeFileSync(join(data, file), '{"ledger": {"a": {"state": "do');
      const result = await runCliAsync(['start', '--data', data, '--port', '0', '--api-port', '0']);
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(
          `^s3-harness: ${join(data, file).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON \\(cut short, or edited by hand\\?\\): .+\\. It holds ${what}`,
        ),
      );
    });
  }
});

describe('an object whose bytes are damaged', () => {
  it('is an InternalError naming the file once; the rest of the bucket keeps working', async () => {
    const stack = await startStack();
    const { lines: errors, restore } = captureConsoleErrors();
    try {
      const admin = stack.client('admin');
      admin.config.maxAttempts = async () => 1;
      const blobs = () =>
        readdirSync(join(stack.dataDirectory, 'store', 'blobs'), { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => join(e.parentPath, e.name));
      const put = async (Key: string, Body: string) => {
        const before = new Set(blobs());
        await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key, Body }));
        return blobs().find((b) => !before.has(b))!;
      };
      const aBlob = await put('a.csv', 'xxxx');
      await put('b.csv', 'y');
      const cBlob = await put('c.csv', 'zzzz');
      truncateSync(aBlob, 2); // cut short by hand
      rmSync(cBlob); // removed by hand
      for (let i = 0; i < 2; i++)
        await expectS3Error(
          admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'a.csv' })),
          'InternalError',
          500,
        );
      await expectS3Error(
        admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'c.csv' })),
        'InternalError',
        500,
      );
      const listed = await admin.send(new ListObjectsV2Command({ Bucket: 'acme-claravine' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['a.csv', 'b.csv', 'c.csv']);
      expect(
        await (
          await admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'b.csv' }))
        ).Body!.transformToString(),
      ).toBe('y');
      expect(errors).toEqual([
        `[s3-harness] the stored bytes of s3://acme-claravine/a.csv are damaged (${aBlob}: 2 bytes where 4 were written); delete the object through S3, or restore the file from a copy`,
        `[s3-harness] the stored bytes of s3://acme-claravine/c.csv are damaged (${cBlob}: the file is missing); delete the object through S3, or restore the file from a copy`,
      ]);
      expect(errors.join('\n')).not.toMatch(/\n\s+at /);
      // Deleting a damaged object through S3 works.
      await admin.send(new DeleteObjectCommand({ Bucket: 'acme-claravine', Key: 'a.csv' }));
      await expectS3Error(
        admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'a.csv' })),
        'NoSuchKey',
        404,
      );
    } finally {
      restore();
      await stack.stop();
    }
  });
});

describe('a drop whose commit cannot be journaled', () => {
  it('is not acknowledged: the client gets an S3 error, not a 200 and not a reset connection, and nothing is stored', async () => {
    const stack = await startStack();
    await stack.gateway.close(); // the store's journal is closed: no commit can be appended
    const client = stack.client('admin');
    client.config.maxAttempts = async () => 1;
    const refused = await expectS3Error(
      client.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'unjournaled.csv', Body: 'x' })),
      'ServiceUnavailable',
      503,
    );
    expect(refused.message).toBe('The harness is stopping: it takes no more writes.');
    await stack.stop({ keepData: true });
    const again = await startStack(undefined, stack.dataDirectory);
    try {
      await expectS3Error(
        again.client('admin').send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'unjournaled.csv' })),
        'NoSuchKey',
        404,
      );
    } finally {
      await again.stop();
    }
  });
});
