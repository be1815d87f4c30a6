/**
 * ListObjects (v1), ListObjectsV2 and ListObjectVersions, answered by the gateway: s3rver's own
 * paged listing fails on Node 20 (its continuation tokens use DES), counts MaxKeys without common
 * prefixes, omits KeyCount's prefixes and ignores `encoding-type=url`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
 */
import { S3Error } from './s3-errors.ts';
import { compareKeys, type ObjectSummary, type Storage } from './storage.ts';
import { xmlDocument, type XmlElement } from './xml.ts';
import { versionIdOf, type VersionEntry, type VersionStore } from './versions.ts';

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

export interface ListPage {
  objects: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last entry returned (a key or a common prefix), for the next page's token. */
  last?: { value: string; isPrefix: boolean };
}

export async function listPage(storage: Storage, bucket: string, request: ListPageRequest): Promise<ListPage> {
  const keys = await storage.listKeys(bucket, request.prefix);
  const objects: string[] = [];
  const commonPrefixes: string[] = [];
  let last: ListPage['last'];
  let isTruncated = false;
  for (const key of keys) {
    if (request.after && compareKeys(key, request.after) <= 0) continue;
    if (request.skipPrefix && key.startsWith(request.skipPrefix)) continue;
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
    (entry.isPrefix ? commonPrefixes : objects).push(entry.value);
    last = entry;
  }
  const summaries = await storage.readableSummaries(bucket, objects);
  return { objects: summaries, commonPrefixes, isTruncated, ...(last ? { last } : {}) };
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

const isoDate = (d: Date) => d.toISOString();

function contents(objects: ObjectSummary[], encode: (t: string) => string, owner?: XmlElement): XmlElement[] {
  return objects.map((o) => ({
    Key: encode(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: o.etag,
    Size: o.size,
    StorageClass: 'STANDARD',
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

export async function listObjectsV2(
  storage: Storage,
  bucket: string,
  query: ReadonlyMap<string, string>,
  owner: ListingOwner,
): Promise<string> {
  const { encode, prefix, delimiter, maxKeys, encodingType } = listParameters(query);
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after');
  // An empty token is echoed and lists from the start, as AWS answers it (ceph/s3-tests).
  const position = token ? decodeContinuationToken(token) : { after: startAfter ?? '' };
  const page = await listPage(storage, bucket, { prefix, delimiter, maxKeys, ...position });
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

export async function listObjectsV1(
  storage: Storage,
  bucket: string,
  query: ReadonlyMap<string, string>,
  owner: ListingOwner,
): Promise<string> {
  const { encode, prefix, delimiter, maxKeys, encodingType } = listParameters(query);
  const marker = query.get('marker') ?? '';
  const page = await listPage(storage, bucket, {
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

/** A version or a delete marker, as ListObjectVersions lists it. */
interface ListedVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: string;
  etag?: string;
  size?: number;
}

/** A key's versions, newest first: the one in place (the latest, unless a delete marker is), then the older ones. */
async function versionsOfKey(storage: Storage, bucket: string, key: string, history: VersionEntry[]) {
  const [current] = await storage.readableSummaries(bucket, [key]);
  const listed: ListedVersion[] = current
    ? [
        {
          key,
          versionId: versionIdOf(current),
          isLatest: true,
          deleteMarker: false,
          lastModified: isoDate(current.lastModified),
          etag: current.etag,
          size: current.size,
        },
      ]
    : [];
  history.forEach((entry, index) => listed.push({ key, ...entry, isLatest: !current && index === 0 }));
  return listed;
}

/**
 * Every version and delete marker, by key (in S3's order), newest first; `key-marker` and
 * `version-id-marker` continue after the entry they name.
 */
export async function listObjectVersions(
  storage: Storage,
  versions: VersionStore,
  bucket: string,
  query: ReadonlyMap<string, string>,
  owner: ListingOwner,
): Promise<string> {
  const { encode, prefix, delimiter, maxKeys, encodingType } = listParameters(query);
  const keyMarker = query.get('key-marker') ?? '';
  const versionIdMarker = query.get('version-id-marker') ?? '';
  const histories = await versions.histories(bucket);
  const keys = [
    ...new Set([
      ...(await storage.listKeys(bucket, prefix)),
      ...[...histories.keys()].filter((k) => k.startsWith(prefix)),
    ]),
  ].sort(compareKeys);
  const listed: ListedVersion[] = [];
  const commonPrefixes: string[] = [];
  const { skipPrefix } = skipAfterPrefix(keyMarker, delimiter);
  let next: { key: string; versionId?: string } | undefined;
  let isTruncated = false;
  const full = () => listed.length + commonPrefixes.length >= maxKeys;
  for (const key of keys) {
    if (keyMarker && compareKeys(key, keyMarker) < 0) continue;
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
    let entries = await versionsOfKey(storage, bucket, key, histories.get(key) ?? []);
    if (key === keyMarker) entries = entries.slice(entries.findIndex((e) => e.versionId === versionIdMarker) + 1);
    for (const entry of entries) {
      if (full()) {
        isTruncated = true;
        break;
      }
      listed.push(entry);
      next = { key, versionId: entry.versionId };
    }
    if (isTruncated) break;
  }
  const common = (v: ListedVersion) => ({
    Key: encode(v.key),
    VersionId: v.versionId,
    IsLatest: v.isLatest,
    LastModified: v.lastModified,
    Owner: { ...owner },
  });
  return xmlDocument('ListVersionsResult', {
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
    Version: listed
      .filter((v) => !v.deleteMarker)
      .map((v) => ({ ...common(v), ETag: v.etag, Size: v.size, StorageClass: 'STANDARD' })),
    DeleteMarker: listed.filter((v) => v.deleteMarker).map(common),
    CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: encode(p) })),
    ...encodingType,
  });
}
