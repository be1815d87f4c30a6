import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  CONTINUES,
  keyPrefixOfFolder,
  MAX_STORED_SEGMENT_BYTES,
  storedKeyPath,
} from '../../emulator/gateway/long-segments.ts';

const segment = fc.string({ unit: 'grapheme', maxLength: 400 }).filter((s) => !s.includes('/'));
const key = fc.array(segment, { minLength: 1, maxLength: 6 }).map((segments) => segments.join('/'));

/** What the bucket listing does with a stored path: folder names, then the file's own name. */
function keyOfStoredPath(stored: string): string {
  const names = stored.split('/');
  const file = names.pop()!;
  return names.map(keyPrefixOfFolder).join('') + file;
}

describe('long key segments on disk', () => {
  test.prop([key])('a stored path has no name over the limit and reads back as the same key', (k) => {
    const stored = storedKeyPath(k);
    for (const name of stored.split('/'))
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_STORED_SEGMENT_BYTES + CONTINUES.length);
    expect(keyOfStoredPath(stored)).toBe(k);
  });

  test.prop([key])('keys whose segments are all short are stored exactly as before', (k) => {
    fc.pre(k.split('/').every((s) => Buffer.byteLength(s) <= MAX_STORED_SEGMENT_BYTES));
    expect(storedKeyPath(k)).toBe(k);
  });

  test.prop([fc.string({ unit: 'grapheme', minLength: MAX_STORED_SEGMENT_BYTES + 1, maxLength: 600 })])(
    'a long segment is cut from its end: pieces that continue say so, and the last one is full (never . or ..)',
    (long) => {
      fc.pre(!long.includes('/'));
      const pieces = storedKeyPath(long).split('/');
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.slice(0, -1).every((p) => p.endsWith(CONTINUES))).toBe(true);
      expect(Buffer.byteLength(pieces.at(-1)!)).toBeGreaterThan(MAX_STORED_SEGMENT_BYTES - 4);
    },
  );
});
