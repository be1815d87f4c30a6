import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { applicablePolicies, decide, principalOf } from '../../core/iam/index.ts';
import { dictionary, own } from '../../core/shared/dictionary.ts';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__lookupGetter__'];
const key = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string());

describe('dictionary', () => {
  test.prop([fc.uniqueArray(fc.tuple(key, fc.string()), { selector: ([k]) => k }), key])(
    'holds exactly the keys given, whatever they are called',
    (pairs, other) => {
      const record = dictionary(pairs);
      expect(Object.keys(record).sort()).toEqual(pairs.map(([k]) => k).sort());
      for (const [k, v] of pairs) expect(own(record, k)).toBe(v);
      if (!pairs.some(([k]) => k === other)) expect(own(record, other)).toBeUndefined();
      expect(JSON.parse(JSON.stringify(record))).toEqual(Object.fromEntries(pairs.map(([k, v]) => [k, v])));
    },
  );

  it('copies a record read from JSON, `__proto__` included, without touching any prototype', () => {
    const record = dictionary(
      JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}') as Record<string, unknown>,
    );
    expect(Object.getPrototypeOf(record)).toBeNull();
    expect(own(record, '__proto__')).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(own({}, 'constructor')).toBeUndefined();
  });
});

describe('policy variables named after Object.prototype', () => {
  it("are variables like any other, not Object.prototype's members", () => {
    const user = {
      name: 'u',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow' as const, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${constructor}/*' },
          ],
        },
      ],
    };
    const caller = { principal: principalOf({ accountId: '123456789012' }, user), user };
    // Were `${constructor}` looked up on a plain object, it would read as Object's source text.
    const decision = decide(
      caller,
      { action: 's3:GetObject', resource: `arn:aws:s3:::b/${String(Object)}/x`, context: {} },
      applicablePolicies(caller, 'b', undefined),
      {},
    );
    expect(decision.allowed).toBe(false);
  });
});
