/**
 * Object tags: AWS's limits, the two forms they arrive in (the `x-amz-tagging` header and the Tagging
 * XML of PutObjectTagging), the form they are kept in (a reserved metadata entry), and the condition
 * keys they set.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html
 */
import type { ContextValue } from '../../core/iam/index.ts';
import { S3Error } from './s3-errors.ts';
import { parseXml } from './xml.ts';

/** Tags in the order given; keys are unique. */
export type TagSet = readonly (readonly [key: string, value: string])[];

export const TAG_LIMITS = { count: 10, keyLength: 128, valueLength: 256 } as const;

/** Letters, digits, white space and `+ - = . _ : / @`, in any script (AWS's tag restrictions). */
const ALLOWED = /^[\p{L}\p{N}\p{Z}+\-=._:/@]*$/u;

const characters = (text: string) => [...text].length;
const invalid = (message: string) => new S3Error('InvalidTag', message);

/** The first problem AWS would name, or undefined when the set is valid. */
export function tagProblem(tags: TagSet): string | undefined {
  if (tags.length > TAG_LIMITS.count) return `Object tags cannot be greater than ${TAG_LIMITS.count}`;
  const seen = new Set<string>();
  for (const [key, value] of tags) {
    if (key.length === 0) return 'The TagKey you have provided is invalid: it is empty';
    if (characters(key) > TAG_LIMITS.keyLength)
      return `The TagKey you have provided is too long, max ${TAG_LIMITS.keyLength}`;
    if (characters(value) > TAG_LIMITS.valueLength)
      return `The TagValue you have provided is too long, max ${TAG_LIMITS.valueLength}`;
    if (!ALLOWED.test(key)) return `The TagKey you have provided is invalid: ${JSON.stringify(key)}`;
    if (!ALLOWED.test(value)) return `The TagValue you have provided is invalid: ${JSON.stringify(value)}`;
    if (key.toLowerCase().startsWith('aws:')) return 'Your TagKey cannot be prefixed with aws:';
    if (seen.has(key)) return 'Cannot provide multiple Tags with the same key';
    seen.add(key);
  }
  return undefined;
}

function validated(tags: TagSet): TagSet {
  const problem = tagProblem(tags);
  if (problem) throw invalid(problem);
  return tags;
}

/** `x-amz-tagging: Key1=Value1&Key2=Value2`, URL-encoded as a query string. */
export function parseTaggingHeader(header: string): TagSet {
  if (header === '') return [];
  return validated([...new URLSearchParams(header)]);
}

/** The body of PutObjectTagging: `<Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>`. */
export function parseTaggingXml(text: string): TagSet {
  const root = parseXml(text)?.Tagging as Record<string, unknown> | undefined;
  const set = root?.TagSet;
  if (!root || (set !== undefined && set !== '' && typeof set !== 'object')) throw new S3Error('MalformedXML');
  const items = ((set as Record<string, unknown> | '' | undefined) || {}).Tag as Record<string, unknown>[] | undefined;
  const tags = (items ?? []).map((item) => {
    if (typeof item?.Key !== 'string') throw new S3Error('MalformedXML');
    return [item.Key, typeof item.Value === 'string' ? item.Value : ''] as const;
  });
  return validated(tags);
}

/** How tags are kept in an object's metadata: the header's form, with each part percent-encoded. */
export function storedTags(tags: TagSet): string | undefined {
  if (tags.length === 0) return undefined;
  return tags.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

export function tagsFromStored(stored: string | undefined): TagSet {
  if (!stored) return [];
  return stored.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return [decodeURIComponent(pair.slice(0, at)), decodeURIComponent(pair.slice(at + 1))] as const;
  });
}

/** `s3:RequestObjectTag/<key>` for each tag and `s3:RequestObjectTagKeys` (multivalued). */
export function requestTagContext(tags: TagSet): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = Object.create(null);
  for (const [key, value] of tags) context[`s3:RequestObjectTag/${key}`] = value;
  context['s3:RequestObjectTagKeys'] = tags.map(([key]) => key);
  return context;
}

/** `s3:ExistingObjectTag/<key>` for each tag the object has. */
export function existingTagContext(tags: TagSet): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = Object.create(null);
  for (const [key, value] of tags) context[`s3:ExistingObjectTag/${key}`] = value;
  return context;
}
