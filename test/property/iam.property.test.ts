import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { actionMatches, evaluate, resourceMatches, type PolicyStatement } from '../../core/iam/index.ts';
import { identity, request } from '../helpers/iam.ts';

const actionName = fc.constantFrom(
  'GetObject',
  'PutObject',
  'ListBucket',
  'DeleteObject',
  'GetBucketLocation',
  'ListAllMyBuckets',
);
const keyText = fc.string({
  unit: fc.constantFrom('a', 'B', '/', '-', '.', 'é', ' ', '1'),
  minLength: 1,
  maxLength: 12,
});
const bucket = fc.constantFrom('b', 'acme');
const actionPattern = fc.oneof(
  actionName.map((a) => `s3:${a}`),
  fc.constant('s3:*'),
  fc.constant('*'),
  fc.constant('s3:Get*'),
  fc.constant('s3:List?ucket'),
);
const resourcePattern = fc.oneof(
  fc.constant('*'),
  bucket.map((b) => `arn:aws:s3:::${b}`),
  bucket.map((b) => `arn:aws:s3:::${b}/*`),
  fc.tuple(bucket, keyText).map(([b, k]) => `arn:aws:s3:::${b}/${k}*`),
);
const statement: fc.Arbitrary<PolicyStatement> = fc.record({
  Effect: fc.constantFrom('Allow' as const, 'Deny' as const),
  Action: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
  Resource: fc.array(resourcePattern, { minLength: 1, maxLength: 3 }),
});
const anyRequest = fc
  .tuple(actionName, bucket, fc.option(keyText, { nil: undefined }))
  .map(([a, b, k]) => request(`s3:${a}`, k === undefined ? `arn:aws:s3:::${b}` : `arn:aws:s3:::${b}/${k}`));

describe('IAM evaluation properties', () => {
  test.prop([fc.array(statement, { maxLength: 6 }), anyRequest, fc.nat()])(
    'an explicit deny wins whatever the statement order',
    (statements, req, seed) => {
      const shuffled = [...statements].sort(
        (x, y) => ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7),
      );
      const a = evaluate(req, [identity(statements)]);
      const b = evaluate(req, [identity(shuffled)]);
      expect(b.effect).toBe(a.effect);
      const denyApplies = statements.some(
        (s) => s.Effect === 'Deny' && evaluate(req, [identity([{ ...s, Effect: 'Allow' }])]).allowed,
      );
      expect(a.effect === 'ExplicitDeny').toBe(denyApplies);
    },
  );

  test.prop([fc.array(statement, { maxLength: 5 }), statement, anyRequest])(
    'adding a statement never turns a deny into an allow unless that statement allows',
    (statements, extra, req) => {
      const before = evaluate(req, [identity(statements)]);
      const after = evaluate(req, [identity([...statements, extra])]);
      if (before.effect === 'ExplicitDeny') expect(after.effect).toBe('ExplicitDeny');
      if (!before.allowed && after.allowed) {
        expect(extra.Effect).toBe('Allow');
        expect(evaluate(req, [identity([extra])]).allowed).toBe(true);
      }
    },
  );

  test.prop([actionName, fc.array(fc.boolean(), { minLength: 20, maxLength: 20 })])(
    'action matching ignores case',
    (action, flips) => {
      const pattern = `s3:${action}`
        .split('')
        .map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase()))
        .join('');
      expect(actionMatches(pattern, `s3:${action}`)).toBe(true);
    },
  );

  test.prop([bucket, keyText.filter((k) => k.toLowerCase() !== k.toUpperCase())])(
    'resource matching respects case',
    (b, key) => {
      const arn = `arn:aws:s3:::${b}/${key}`;
      expect(resourceMatches(arn, arn, () => undefined)).toBe(true);
      const swapped = `arn:aws:s3:::${b}/${[...key].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('')}`;
      if (swapped !== arn) expect(resourceMatches(arn, swapped, () => undefined)).toBe(false);
    },
  );

  test.prop([bucket, keyText, keyText])(
    'a trailing * covers every key under the prefix, slashes included',
    (b, prefix, rest) => {
      expect(
        resourceMatches(`arn:aws:s3:::${b}/${prefix}*`, `arn:aws:s3:::${b}/${prefix}${rest}`, () => undefined),
      ).toBe(true);
    },
  );

  test.prop([fc.array(statement, { maxLength: 6 }), anyRequest])(
    'every decision names a deciding statement exactly when it is not an implicit deny',
    (statements, req) => {
      const d = evaluate(req, [identity(statements)]);
      expect(d.decidingStatement === undefined).toBe(d.effect === 'ImplicitDeny');
      expect(d.explanation.length).toBeGreaterThan(0);
    },
  );
});
