/**
 * ListObjects (v1), ListObjectsV2 and ListObjectVersions, from the object store's index: pages with
 * their own continuation tokens, MaxKeys counting common prefixes, KeyCount, `encoding-type=url`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
 */
import { S3Error } from './s3-errors.ts';
import { compareKeys } from './store/key-order.ts';
import type { ObjectVersion, StoredVersion } from './store/object-record.ts';
import type { ObjectStore } from './store/object-store.ts';
import { xmlDocument, type XmlElement } from './xml.ts';

/** S3 returns at most 1,000 entries per page. */
export const MAX_KEYS_LIMIT = 1000;

export interface ListPageRequest {
  prefix: string;
  delimiter: string;
  /** Entries after this key (exclusive). */
  after: string;
  /** When the previous page ended on a common prefix: skip every key under it. */
  skipPrefix?: string;
  maxKeys: number;
}

export interface ListedObject extends ObjectVersion {
  key: string;
}

export interface ListPage {
  objects: ListedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last entry returned (a key or a common prefix), for the next page's token. */
  last?: { value: string; isPrefix: boolean };
}

/**
 * The keys under a prefix whose latest version is an object, from the store's index: one synchronous
 * pass, so a page is a snapshot of one moment and includes every write acknowledged before it began.
 */
export function listPage(store: ObjectStore, bucket: string, request: ListPageRequest): ListPage {
  const objects: ListedObject[] = [];
  const commonPrefixes: string[] = [];
  let last: ListPage['last'];
  let isTruncated = false;
  const start = compareKeys(request.after, request.prefix) > 0 ? request.after : request.prefix;
  for (const key of store.keysFrom(bucket, start)) {
    if (!key.startsWith(request.prefix)) break;
    if (request.after && compareKeys(key, request.after) <= 0) continue;
    if (request.skipPrefix && key.startsWith(request.skipPrefix)) continue;
    const latest = store.latest(bucket, key);
    if (latest?.kind !== 'object') continue; // a delete marker hides the key
    let entry = { value: key, isPrefix: false };
    if (request.delimiter) {
      const at = key.indexOf(request.delimiter, request.prefix.length);
      if (at !== -1) entry = { value: key.slice(0, at + request.delimiter.length), isPrefix: true };
    }
    if (entry.isPrefix && last?.isPrefix && last.value === entry.value) continue;
    if (objects.length + commonPrefixes.length >= request.maxKeys) {
      isTruncated = true;
      break;
    }
    if (entry.isPrefix) commonPrefixes.push(entry.value);
    else objects.push({ ...latest, key });
    last = entry;
  }
  return { objects, commonPrefixes, isTruncated, ...(last ? { last } : {}) };
}

export function parseMaxKeys(query: ReadonlyMap<string, string>): number {
  const text = query.get('max-keys');
  if (text === undefined) return MAX_KEYS_LIMIT;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      ArgumentName: 'max-keys',
      ArgumentValue: text,
    });
  }
  return Math.min(value, MAX_KEYS_LIMIT);
}

function encodingOf(query: ReadonlyMap<string, string>): (text: string) => string {
  const encoding = query.get('encoding-type');
  if (encoding === undefined) return (t) => t;
  if (encoding !== 'url')
    throw new S3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      ArgumentName: 'encoding-type',
      ArgumentValue: encoding,
    });
  return (t) => encodeURIComponent(t).replace(/%2F/g, '/');
}

const isoDate = (epochMs: number) => new Date(epochMs).toISOString();

function contents(objects: ListedObject[], encode: (t: string) => string, owner?: XmlElement): XmlElement[] {
  return objects.map((o) => ({
    Key: encode(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: o.etag,
    Size: o.size,
    StorageClass: o.storageClass,
    ...(owner ? { Owner: owner } : {}),
  }));
}

export function encodeContinuationToken(last: NonNullable<ListPage['last']>): string {
  return Buffer.from(JSON.stringify([last.value, last.isPrefix ? 1 : 0])).toString('base64url');
}

function decodeContinuationToken(token: string): { after: string; skipPrefix?: string } {
  try {
    const [value, isPrefix] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof value !== 'string') throw new Error('bad token');
    return isPrefix ? { after: value, skipPrefix: value } : { after: value };
  } catch {
    throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      ArgumentName: 'continuation-token',
      ArgumentValue: token,
    });
  }
}

/** The parameters every listing shares. */
function listParameters(query: ReadonlyMap<string, string>) {
  return {
    encode: encodingOf(query),
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') ?? '',
    maxKeys: parseMaxKeys(query),
    encodingType: query.has('encoding-type') ? { EncodingType: 'url' } : {},
  };
}

/** A marker that is a common prefix (from NextMarker) skips the keys under it, as on S3. */
function skipAfterPrefix(marker: string, delimiter: string): { skipPrefix?: string } {
  return delimiter && marker.endsWith(delimiter) ? { skipPrefix: marker } : {};
}

export interface ListingOwner {
  ID: string;
  DisplayName: string;
}

export function listObjectsV2(
  store: ObjectStore,
  bucket: string,
  query: ReadonlyMap<string, string>,
  owner: ListingOwner,
): string {
  const { encode, prefix, delimiter, maxKeys, encodingType } = listParameters(query);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  // An empty token is echoed and lists from the start, as AWS answers it (ceph/s3-tests).
  const position = token ? decodeContinuationToken(token) : { after: startAfter ?? '' };
  const page = listPage(store, bucket, { prefix, delimiter, maxKeys, ...position });
  const fetchOwner = query.get('fetch-owner') === 'true';
  return xmlDocument('ListBucketResult', {
    Name: bucket,
    Prefix: encode(prefix),
    ...(startAfter !== undefined ? { StartAfter: encode(startAfter) } : {}),
    ...(token !== undefined ? { ContinuationToken: token } : {}),
    KeyCount: page.objects.length + page.commonPrefixes.length,
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    IsTruncated: page.isTruncated,
    ...(page.isTruncated && page.last ? { NextContinuationToken: encodeContinuationToken(page.last) } : {}),
    Contents: contents(page.objects, encode, fetchOwner ? { ...owner } : undefined),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
    ...encodingType,
  });
}

export function listObjectsV1(
  store: ObjectStore,
  bucket: string,
  query: ReadonlyMap<string, string>,
  owner: ListingOwner,
): string {
  const { encode, prefix, delimiter, maxKeys, encodingType } = listParameters(query);
  const marker = query.get('marker') ?? '';
  const page = listPage(store, bucket, {
    prefix,
    delimiter,
    maxKeys,
    after: marker,
    ...skipAfterPrefix(marker, delimiter),
  });
  return xmlDocument('ListBucketResult', {
    Name: bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    IsTruncated: page.isTruncated,
    ...(page.isTruncated && delimiter && page.last ? { NextMarker: encode(page.last.value) } : {}),
    Contents: contents(page.objects, encode, { ...owner }),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
    ...encodingType,
  });
}

/**
 * Every version and delete marker, by key (in S3's order), newest first; `key-marker` and
 * `version-id-marker` continue after the entry they name. One synchronous pass over the index.
 */
export function listObjectVersions(
  store: ObjectStore,
  bucket: string,
  query: ReadonlyMap<string, string>,
  owner: ListingOwner,
): string {
  const { encode, prefix, delimiter, maxKeys, encodingType } = listParameters(query);
  const keyMarker = query.get('key-marker') ?? '';
  const versionIdMarker = query.get('version-id-marker') ?? '';
  const listed: { key: string; version: StoredVersion; isLatest: boolean }[] = [];
  const commonPrefixes: string[] = [];
  const { skipPrefix } = skipAfterPrefix(keyMarker, delimiter);
  let next: { key: string; versionId?: string } | undefined;
  let isTruncated = false;
  const full = () => listed.length + commonPrefixes.length >= maxKeys;
  const start = compareKeys(keyMarker, prefix) > 0 ? keyMarker : prefix;
  for (const key of store.keysFrom(bucket, start)) {
    if (!key.startsWith(prefix)) break;
    if (key === keyMarker && !versionIdMarker) continue;
    if (skipPrefix && key.startsWith(skipPrefix)) continue;
    const at = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (at !== -1) {
      const common = key.slice(0, at + delimiter.length);
      if (commonPrefixes[commonPrefixes.length - 1] === common) continue;
      if (full()) {
        isTruncated = true;
        break;
      }
      commonPrefixes.push(common);
      next = { key: common };
      continue;
    }
    let history = store.history(bucket, key).map((version, i) => ({ key, version, isLatest: i === 0 }));
    if (key === keyMarker)
      history = history.slice(history.findIndex((e) => e.version.versionId === versionIdMarker) + 1);
    for (const entry of history) {
      if (full()) {
        isTruncated = true;
        break;
      }
      listed.push(entry);
      next = { key, versionId: entry.version.versionId };
    }
    if (isTruncated) break;
  }
  const common = (e: (typeof listed)[number]) => ({
    Key: encode(e.key),
    VersionId: e.version.versionId,
    IsLatest: e.isLatest,
    LastModified: isoDate(e.version.lastModified),
    Owner: { ...owner },
  });
  // Versions and delete markers interleaved, in the listing's order (newest first within a key), as AWS answers.
  return xmlDocument('ListVersionsResult', [
    {
      Name: bucket,
      Prefix: encode(prefix),
      KeyMarker: encode(keyMarker),
      VersionIdMarker: versionIdMarker,
      MaxKeys: maxKeys,
      ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
      IsTruncated: isTruncated,
      ...(isTruncated && next
        ? { NextKeyMarker: encode(next.key), ...(next.versionId ? { NextVersionIdMarker: next.versionId } : {}) }
        : {}),
    },
    ...listed.map((e) =>
      e.version.kind === 'object'
        ? {
            Version: { ...common(e), ETag: e.version.etag, Size: e.version.size, StorageClass: e.version.storageClass },
          }
        : { DeleteMarker: common(e) },
    ),
    { CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: encode(p) })), ...encodingType },
  ]);
}
