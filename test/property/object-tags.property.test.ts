/**
 * Tag limits and forms (AWS's: 10 tags, keys of 1-128 characters, values of 0-256, letters, digits,
 * white space and `+ - = . _ : / @`, unique keys): every valid set round-trips through the header, the
 * stored form and the gateway; every set that breaks one limit is refused, naming it.
 */
import { GetObjectTaggingCommand, PutObjectCommand, PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import {
  parseTaggingHeader,
  storedTags,
  TAG_LIMITS,
  tagProblem,
  tagsFromStored,
  type TagSet,
} from '../../emulator/gateway/object-tags.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

/** Letters and digits of several scripts, white space and the punctuation AWS allows. */
const allowedCharacter = fc.constantFrom(...'aZéß中ж9٣ +-=._:/@'.split(''));
const text = (minLength: number, maxLength: number) =>
  fc.array(allowedCharacter, { minLength, maxLength }).map((chars) => chars.join(''));
const key = text(1, TAG_LIMITS.keyLength).filter((k) => !k.toLowerCase().startsWith('aws:'));
const value = text(0, TAG_LIMITS.valueLength);
const validSet: fc.Arbitrary<TagSet> = fc.uniqueArray(fc.tuple(key, value), {
  maxLength: TAG_LIMITS.count,
  selector: ([k]) => k,
});

const headerOf = (tags: TagSet) => tags.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');

describe('tag sets', () => {
  test.prop([validSet])('a valid set is accepted and round-trips through the header and the stored form', (tags) => {
    expect(tagProblem(tags)).toBeUndefined();
    expect(parseTaggingHeader(headerOf(tags))).toEqual(tags);
    expect(tagsFromStored(storedTags(tags))).toEqual(tags);
  });

  test.prop([
    validSet,
    fc.constantFrom('count', 'keyLength', 'valueLength', 'duplicate', 'character', 'reserved'),
    fc.nat(),
  ])('a set that breaks one limit is refused, naming it', (tags, broken, seed) => {
    const base = [...tags];
    const some = base[seed % Math.max(base.length, 1)] ?? (['k', 'v'] as const);
    const broke: Record<string, () => [TagSet, RegExp]> = {
      count: () => [
        Array.from({ length: TAG_LIMITS.count + 1 + (seed % 5) }, (_, i) => [`k${i}`, 'v'] as const),
        /cannot be greater than 10/,
      ],
      keyLength: () => [[['k'.repeat(TAG_LIMITS.keyLength + 1 + (seed % 50)), 'v']], /TagKey .* too long, max 128/],
      valueLength: () => [
        [['k', 'v'.repeat(TAG_LIMITS.valueLength + 1 + (seed % 50))]],
        /TagValue .* too long, max 256/,
      ],
      duplicate: () => [[some, [some[0], `${some[1]}x`]], /same key/],
      character: () => [[[`${some[0]}#`, some[1]]], /TagKey you have provided is invalid/],
      reserved: () => [[[`aws:${some[0]}`, some[1]]], /cannot be prefixed with aws:/],
    };
    const [set, message] = broke[broken]!();
    expect(tagProblem(set)).toMatch(message);
    expect(() => parseTaggingHeader(headerOf(set))).toThrow(message);
  });
});

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe('tag sets through the gateway', () => {
  test.prop([validSet, validSet], { numRuns: 15 })(
    'a valid set written with x-amz-tagging, then replaced with PutObjectTagging, reads back as written',
    async (first, second) => {
      const admin = stack.client('admin');
      const Key = 'tags/property.txt';
      await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key, Body: 'x', Tagging: headerOf(first) }));
      const read = async () =>
        ((await admin.send(new GetObjectTaggingCommand({ Bucket: 'acme-claravine', Key }))).TagSet ?? []).map(
          (t) => [t.Key, t.Value ?? ''] as const,
        );
      expect(await read()).toEqual(first);
      await admin.send(
        new PutObjectTaggingCommand({
          Bucket: 'acme-claravine',
          Key,
          Tagging: { TagSet: second.map(([k, v]) => ({ Key: k, Value: v })) },
        }),
      );
      expect(await read()).toEqual(second);
    },
  );
});
