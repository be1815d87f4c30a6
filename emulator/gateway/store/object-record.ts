/**
 * The one record of a stored object version (docs/durability.md, "The object store"): what S3 answers
 * about it, kept in the store's journal and snapshot. Its bytes are a file of their own, named by
 * `blob` (blob-files.ts), written once and never changed. A delete marker is a version with no bytes.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
 */
import { checksumHeader, checksumType, type ChecksumAlgorithm } from '../checksums.ts';
import type { TagSet } from '../object-tags.ts';

/** The standard headers a write may set and GET/HEAD answer (S3's system-defined, user-settable metadata). */
export const CONTENT_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
  'x-amz-website-redirect-location',
] as const;
export type ContentHeader = (typeof CONTENT_HEADERS)[number];

/** The storage classes S3 accepts on a write; all are stored alike here. */
export const STORAGE_CLASSES = [
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
] as const;
export const DEFAULT_STORAGE_CLASS = 'STANDARD';

/** S3's content type for an object written without one. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** The version id of an object written while its bucket was never versioned, or suspended. */
export const NULL_VERSION = 'null';

/** What a write says about the object it makes; the store adds its size, ETag, version id and bytes. */
export interface ObjectAttributes {
  /** Standard headers, as given (names lower-cased). */
  contentHeaders: readonly (readonly [ContentHeader, string])[];
  /** `x-amz-meta-*` entries, names lower-cased as S3 keeps them; a name users choose is data, hence pairs. */
  userMetadata: readonly (readonly [string, string])[];
  tags: TagSet;
  /** `AES256` when stored with SSE-S3. */
  sse?: 'AES256';
  storageClass: string;
  /** The IAM user who wrote it (S3 clients never see it; the platform's Submitted By). */
  uploadedBy?: string;
  /** The whole-object checksum the client sent and the gateway verified. */
  checksum?: readonly [ChecksumAlgorithm, string];
}

export interface ObjectVersion extends ObjectAttributes {
  kind: 'object';
  versionId: string;
  size: number;
  /** Quoted, as answered: `"<md5>"`, or `"<md5 of the parts' md5s>-<parts>"` for a multipart upload. */
  etag: string;
  /** Epoch milliseconds of the commit. */
  lastModified: number;
  /** The file holding the bytes. */
  blob: string;
  /** A multipart upload's parts, in order (GetObjectAttributes, GET with `partNumber`). */
  parts?: readonly PartSummary[];
}

export interface PartSummary {
  size: number;
  checksum?: readonly [ChecksumAlgorithm, string];
}

export interface DeleteMarker {
  kind: 'deleteMarker';
  versionId: string;
  lastModified: number;
  uploadedBy?: string;
}

export type StoredVersion = ObjectVersion | DeleteMarker;

/** The headers GET and HEAD answer for a version (not its length or range: the sender's). */
export function objectHeaders(version: ObjectVersion, options: { versionIdAsked: boolean }): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  headers['content-type'] = DEFAULT_CONTENT_TYPE;
  for (const [name, value] of version.contentHeaders) headers[name] = value;
  for (const [name, value] of version.userMetadata) headers[name] = value;
  headers.etag = version.etag;
  headers['last-modified'] = new Date(version.lastModified).toUTCString();
  headers['accept-ranges'] = 'bytes';
  if (version.sse) headers['x-amz-server-side-encryption'] = version.sse;
  if (version.tags.length > 0) headers['x-amz-tagging-count'] = String(version.tags.length);
  if (version.versionId !== NULL_VERSION || options.versionIdAsked) headers['x-amz-version-id'] = version.versionId;
  if (version.storageClass !== DEFAULT_STORAGE_CLASS) headers['x-amz-storage-class'] = version.storageClass;
  return headers;
}

/** The checksum headers a read answers (`x-amz-checksum-crc32: ...`, `x-amz-checksum-type`), if the object has one. */
export function checksumHeaders(version: ObjectVersion): Record<string, string> {
  if (!version.checksum) return {};
  return { ...checksumHeader(version.checksum), 'x-amz-checksum-type': checksumType(version.checksum[1]) };
}

/** Whether a version is a stored object rather than a delete marker. */
export function isObject(version: StoredVersion | undefined): version is ObjectVersion {
  return version?.kind === 'object';
}

/** Whether two ETags are the same, quoted (as answered) or not (as clients often send them back). */
export function sameEtag(a: string, b: string): boolean {
  return a.trim().replace(/"/g, '') === b.trim().replace(/"/g, '');
}
