/** `scenario run --shard I/N` (emulator/cli/scenario.ts): N shares that together are the suite, each file once. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { shardOf } from '../../emulator/cli/scenario.ts';

describe('shards of a suite', () => {
  test.prop([fc.uniqueArray(fc.string(), { maxLength: 40 }), fc.integer({ min: 1, max: 12 })])(
    'the N shares are disjoint, their union is the suite, and their sizes differ by one at most',
    (files, count) => {
      const shares = Array.from({ length: count }, (_, i) => shardOf(files, `${i + 1}/${count}`));
      expect(shares.flat().sort()).toEqual([...files].sort());
      const sizes = shares.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    },
  );

  it('refuses what is not I/N with 1 <= I <= N', () => {
    for (const bad of ['0/2', '3/2', '1/0', 'x', '1-2', '1/2/3']) expect(() => shardOf(['a'], bad)).toThrow(/--shard/);
  });
});
