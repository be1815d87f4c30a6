/**
 * S3 as a connected account sees it: @aws-sdk/client-s3 with the account's keys, pointed at the
 * gateway, exactly as the platform would call AWS. Errors become data, with the gateway's
 * explanation of the IAM decision.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AccountS3, OutboundS3, PutOutcome, S3ObjectSummary, S3Outcome } from '../../core/s3/index.ts';
import type { S3Failure } from '../../core/submissions/index.ts';
import { EXPLANATION_HEADER } from '../gateway/index.ts';
import { s3Sdk } from '../s3-sdk.ts';

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
}

export function toS3Failure(error: unknown): S3Failure {
  const e = error as SdkError;
  const status = e.$metadata?.httpStatusCode;
  const explanation = e.$response?.headers?.[EXPLANATION_HEADER];
  // A HEAD or a body-less 403 reaches the SDK as "Unknown": the status says what it was.
  const code =
    e.name && e.name !== 'Unknown'
      ? e.name
      : status === 403
        ? 'AccessDenied'
        : status === 404
          ? 'NotFound'
          : (e.name ?? 'Error');
  return {
    code,
    message: e.message ?? String(error),
    ...(status !== undefined ? { status } : {}),
    ...(e.$metadata?.requestId ? { requestId: e.$metadata.requestId } : {}),
    ...(explanation ? { explanation: decodeURIComponent(explanation) } : {}),
  };
}

async function attempt<T>(call: () => Promise<T>): Promise<S3Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: toS3Failure(error) };
  }
}

/**
 * Writes a streamed file to a spool file first: PutObject needs its length up front, and a file on
 * disk keeps a large export out of memory.
 */
async function spool(
  body: AsyncIterable<string | Uint8Array>,
  directory: string,
): Promise<{ path: string; bytes: number }> {
  await mkdir(directory, { recursive: true });
  const path = join(directory, `${randomUUID()}.part`);
  let bytes = 0;
  const counted = async function* () {
    for await (const chunk of body) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      bytes += buffer.byteLength;
      yield buffer;
    }
  };
  try {
    await pipeline(Readable.from(counted()), createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  return { path, bytes };
}

export interface AccountS3Options {
  /** Where outbound files are spooled before they are written. */
  spoolDirectory: string;
}

/** The port over a client made on first use (by `makeClient`): a workspace that never calls S3 never loads the SDK. */
export function createAccountS3(
  makeClient: () => S3Client,
  options: AccountS3Options,
): AccountS3 & OutboundS3 & { destroy(): void } {
  let made: S3Client | undefined;
  const client = () => (made ??= makeClient());
  return {
    destroy: () => made?.destroy(),
    listBuckets: () =>
      attempt(async () =>
        ((await client().send(new (s3Sdk().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name ?? ''),
      ),
    listObjects: (bucket, prefix, options = {}) =>
      attempt(async () => {
        const { ListObjectsV2Command, paginateListObjectsV2 } = s3Sdk();
        const summaries: S3ObjectSummary[] = [];
        const add = (contents: { Key?: string; ETag?: string; Size?: number; LastModified?: Date }[] | undefined) => {
          for (const c of contents ?? [])
            summaries.push({
              key: c.Key ?? '',
              etag: c.ETag ?? '',
              size: c.Size ?? 0,
              ...(c.LastModified ? { lastModified: c.LastModified.toISOString() } : {}),
            });
        };
        if (!options.all) {
          add(
            (await client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }))).Contents,
          );
        } else {
          for await (const page of paginateListObjectsV2({ client: client() }, { Bucket: bucket, Prefix: prefix }))
            add(page.Contents);
        }
        return summaries;
      }),
    getObject: (bucket, key) =>
      attempt(async () => {
        const response = await client().send(new (s3Sdk().GetObjectCommand)({ Bucket: bucket, Key: key }));
        return {
          body: response.Body as AsyncIterable<Uint8Array>,
          etag: response.ETag ?? '',
          size: response.ContentLength ?? 0,
          ...(response.VersionId && response.VersionId !== 'null' ? { versionId: response.VersionId } : {}),
        };
      }),
    async putObject(bucket, key, body, { sse, contentType }): Promise<PutOutcome> {
      const file = await spool(body, options.spoolDirectory);
      try {
        const response = await client().send(
          new (s3Sdk().PutObjectCommand)({
            Bucket: bucket,
            Key: key,
            Body: createReadStream(file.path),
            ContentLength: file.bytes,
            ContentType: contentType,
            ...(sse ? { ServerSideEncryption: 'AES256' as const } : {}),
          }),
        );
        return { ok: true, value: { etag: response.ETag ?? '', bytes: file.bytes } };
      } catch (error) {
        return { ok: false, error: toS3Failure(error), bytes: file.bytes };
      } finally {
        await rm(file.path, { force: true });
      }
    },
  };
}
