/**
 * Damaged files in the data folder are named, never a stack trace (docs/durability.md): a truncated
 * state file stops `start` with one line naming it and what to do; a damaged object metadata file
 * makes that object an InternalError while the rest of its bucket keeps working.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
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
  ] as const) {
    it(`(${name}) stops start with one line naming it and what to do`, async () => {
      const data = join(dir, name);
      mkdirSync(join(data, 'engine'), { recursive: true });
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

describe('a damaged object metadata file', () => {
  it('makes that object an InternalError, leaves it out of listings, names the file once, and the bucket keeps working', async () => {
    const stack = await startStack();
    const { lines: errors, restore } = captureConsoleErrors();
    try {
      const admin = stack.client('admin');
      await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'a.csv', Body: 'x' }));
      await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'b.csv', Body: 'y' }));
      const metadata = join(stack.dataDirectory, 'objects', 'acme-claravine', 'a.csv._S3rver_metadata.json');
      writeFileSync(metadata, '{"content-type": "te');
      const listed = await admin.send(new ListObjectsV2Command({ Bucket: 'acme-claravine' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['b.csv']);
      await expectS3Error(
        admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'a.csv' })),
        'InternalError',
        500,
      );
      expect(
        await (
          await admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'b.csv' }))
        ).Body!.transformToString(),
      ).toBe('y');
      expect(await stack.gateway.inspect.objects('acme-claravine', '')).toMatchObject([{ key: 'b.csv' }]);
      expect(errors).toEqual([
        `[s3-harness] the stored metadata of s3://acme-claravine/a.csv is damaged (${metadata}: Unterminated string in JSON at position 20); delete the object (through S3, or its files beside that one) or restore the file from a copy`,
      ]);
      expect(errors.join('\n')).not.toMatch(/\n\s+at /);
    } finally {
      restore();
      await stack.stop();
    }
  });
});

describe('a drop whose event cannot be journaled', () => {
  it('is not acknowledged: the client gets an S3 error, not a 200 and not a reset connection', async () => {
    const stack = await startStack();
    const { lines: errors, restore } = captureConsoleErrors();
    try {
      await stack.gateway.close(); // the event journal is closed: its next append fails
      const client = stack.client('admin');
      client.config.maxAttempts = async () => 1;
      await expectS3Error(
        client.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'unjournaled.csv', Body: 'x' })),
        'InternalError',
        500,
      );
      expect(
        errors.some(
          (e) => e.includes('PUT /acme-claravine/unjournaled.csv') && e.includes('the write could not be completed'),
        ),
      ).toBe(true);
    } finally {
      restore();
      await stack.stop();
    }
  });
});
