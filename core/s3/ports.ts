/**
 * S3 as one connected account sees it: the port the inbound importer and the outbound deliverer
 * both use. The emulator's adapter points the SDK at the gateway with the account's keys; a fake in
 * tests answers from memory (docs/decisions.md, "Ports in core/, adapters in emulator/").
 */
import type { S3Failure } from '../submissions/index.ts';

export type S3Outcome<T> = { ok: true; value: T } | { ok: false; error: S3Failure };

export interface S3ObjectSummary {
  key: string;
  etag: string;
  size: number;
  /** ISO 8601, as listed: with the ETag, what tells a write from the one before it (poll detection). */
  lastModified?: string;
}

/** What an integration reads: its buckets, the objects under its prefix, a dropped file. */
export interface AccountS3 {
  listBuckets(): Promise<S3Outcome<string[]>>;
  /** One page is enough to test the permission; `all` pages through (poll mode). */
  listObjects(bucket: string, prefix: string, options?: { all?: boolean }): Promise<S3Outcome<S3ObjectSummary[]>>;
  /** The latest version (with its version id, in a versioned bucket): s3:GetObject, as the product reads. */
  getObject(
    bucket: string,
    key: string,
  ): Promise<S3Outcome<{ body: AsyncIterable<Uint8Array>; etag: string; size: number; versionId?: string }>>;
}

export type PutOutcome =
  { ok: true; value: { etag: string; bytes: number } } | { ok: false; error: S3Failure; bytes: number | null };

/** What a delivery writes with (and lists its buckets with, in "List Buckets" mode). */
export interface OutboundS3 extends Pick<AccountS3, 'listBuckets'> {
  /** Writes the file; the adapter measures it first (S3 needs a Content-Length). */
  putObject(
    bucket: string,
    key: string,
    body: AsyncIterable<string | Uint8Array>,
    options: { sse: boolean; contentType: string },
  ): Promise<PutOutcome>;
}

/** `list`: list buckets with the account's keys (a 403 gives the permission warning); `manual`: never lists. */
export const BUCKET_MODES = ['list', 'manual'] as const;

/** How an integration reaches a bucket: the same for inbound and outbound. */
export interface IntegrationConnection {
  /** @default the template's name */
  name: string;
  template: string;
  account: string;
  region: string;
  bucketMode: (typeof BUCKET_MODES)[number];
  bucket: string;
}
