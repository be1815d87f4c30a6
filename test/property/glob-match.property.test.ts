/**
 * IAM wildcards (`*`, `?`) are matched without a RegExp (core/iam/pattern.ts): on short inputs the
 * matcher agrees with the anchored RegExp it replaced, with and without case, and a pattern of many
 * `*` against a long key answers at once.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { matchTokens, tokenize } from '../../core/iam/pattern.ts';

const alphabet = fc.constantFrom('a', 'b', 'A', '/', '.', 'é', 'É', '😀', '*', '?');
const text = fc
  .array(fc.constantFrom('a', 'b', 'A', '/', '.', 'é', 'É', '😀'), { maxLength: 12 })
  .map((c) => c.join(''));
const pattern = fc.array(alphabet, { maxLength: 8 }).map((c) => c.join(''));

function byRegExp(patternText: string, subject: string, ignoreCase: boolean): boolean {
  const source = Array.from(patternText, (c) =>
    c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
  ).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u').test(subject);
}

describe('wildcard matching', () => {
  test.prop([pattern, text, fc.boolean()], { numRuns: 3000 })(
    'agrees with the anchored RegExp on short inputs',
    (p, t, ignoreCase) => {
      const tokens = tokenize(p, undefined, true)!;
      expect(matchTokens(tokens, t, ignoreCase)).toBe(byRegExp(p, t, ignoreCase));
    },
  );

  test.prop([pattern, fc.boolean()])('a pattern matches itself when it has no wildcard', (p, ignoreCase) => {
    const literal = p.replace(/[*?]/g, 'x');
    expect(matchTokens(tokenize(literal, undefined, true)!, literal, ignoreCase)).toBe(true);
  });

  it('decides a many-star resource against a 10 KB key (the RegExp it replaced outlasted the test timeout; bench/policy.ts measures it)', () => {
    const tokens = tokenize('b/reports/*/*/*/*/*.csv', undefined, true)!;
    const key = `b/reports/${'a/'.repeat(5000)}x.csvx`;
    expect(matchTokens(tokens, key, false)).toBe(false);
    expect(matchTokens(tokens, `b/reports/${'a/'.repeat(5000)}x.csv`, false)).toBe(true);
  });
});
