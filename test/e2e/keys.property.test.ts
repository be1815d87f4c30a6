import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { keyProblem } from '../../emulator/gateway/key-safety.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

/** Files of the store's blob folder: one per version stored (keys are never paths: they cannot escape). */
const blobCount = () => filesUnder(join(stack.dataDirectory, 'store', 'blobs')).length;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const keyUnit = fc.constantFrom(
  'a',
  'B',
  '/',
  '.',
  '..',
  ' ',
  '+',
  '%',
  '&',
  '?',
  '#',
  ':',
  'é',
  '中',
  '😀',
  '\\',
  '~',
  '=',
  '*',
  "'",
  '"',
  '<',
);
const key = fc.array(keyUnit, { minLength: 1, maxLength: 12 }).map((units) => units.join(''));

describe('object keys', () => {
  test.prop([key, fc.uint8Array({ maxLength: 64 })], { numRuns: 60 })(
    'a key is either refused with a reason, or stored and read back byte for byte',
    async (k, bytes) => {
      const admin = stack.client('admin');
      const put = await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: k, Body: bytes })).then(
        () => undefined,
        (e: Error) => e,
      );
      if (keyProblem(k)) {
        expect(put?.name).toBe('InvalidArgument');
        return;
      }
      expect(put).toBeUndefined();
      const got = await admin.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: k }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.from(bytes))).toBe(true);
      const listed = await admin.send(new ListObjectsV2Command({ Bucket: 'acme-claravine', Prefix: k }));
      expect(listed.Contents?.map((c) => c.Key)).toContain(k);
    },
  );

  // S3 allows 1,024-byte keys with segments of any length (a file name has 255 bytes at most).
  const longUnit = fc.constantFrom('x'.repeat(190), '中'.repeat(67), '😀'.repeat(55), 'é'.repeat(101), '.');
  const longKey = fc
    .array(fc.oneof(keyUnit, longUnit), { minLength: 1, maxLength: 14 })
    .map((units) => units.join(''))
    .filter((k) => Buffer.byteLength(k) <= 1024 && !keyProblem(k) && !k.endsWith('/'));

  test.prop([longKey], { numRuns: 40 })(
    'a key with segments longer than a file name is stored, listed, copied and deleted as the one key it is',
    async (k) => {
      const admin = stack.client('admin');
      const bucket = 'acme-claravine';
      const body = `body of ${k}`;
      const prefix = [...k].slice(0, 40).join(''); // whole characters: a lone surrogate is no key
      const blobsBefore = blobCount();
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body }));
      const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      expect(await got.Body!.transformToString()).toBe(body);
      const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      expect(listed.Contents?.map((c) => c.Key)).toContain(k);
      const copy = `copy/${k}`;
      if (Buffer.byteLength(copy) <= 1024) {
        await admin.send(
          new CopyObjectCommand({ Bucket: bucket, Key: copy, CopySource: `${bucket}/${encodeURIComponent(k)}` }),
        );
        const copied = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: copy }));
        expect(await copied.Body!.transformToString()).toBe(body);
        await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: copy }));
      }
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: k }));
      const after = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      expect(after.Contents?.map((c) => c.Key) ?? []).not.toContain(k);
      // Deleting the key removes its bytes too (their file goes just after the answer).
      await expect.poll(blobCount).toBeLessThanOrEqual(blobsBefore); // (files of earlier deletes may go meanwhile)
    },
  );
});
