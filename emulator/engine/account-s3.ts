/**
 * S3 as a connected account sees it: @aws-sdk/client-s3 with the account's keys, pointed at the
 * gateway, exactly as the platform would call AWS. Errors become data, with the gateway's
 * explanation of the IAM decision.
 */
import { GetObjectCommand, ListBucketsCommand, S3Client, paginateListObjectsV2, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AccountS3, S3ObjectSummary, S3Outcome } from '../../core/inbound/ports.ts';
import type { Account } from '../../core/inbound/index.ts';
import type { S3Failure } from '../../core/submissions/index.ts';
import { EXPLANATION_HEADER } from '../gateway/index.ts';

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
  const code = e.name && e.name !== 'Unknown' ? e.name : status === 403 ? 'AccessDenied' : status === 404 ? 'NotFound' : (e.name ?? 'Error');
  return {
    code, message: e.message ?? String(error),
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

export function createAccountS3(endpoint: string, account: Account, region: string): AccountS3 & { client: S3Client } {
  const client = new S3Client({
    endpoint, region, forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
  });
  return {
    client,
    listBuckets: () => attempt(async () => ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name ?? '')),
    listObjects: (bucket, prefix, options = {}) => attempt(async () => {
      const summaries: S3ObjectSummary[] = [];
      const add = (contents: { Key?: string; ETag?: string; Size?: number }[] | undefined) => {
        for (const c of contents ?? []) summaries.push({ key: c.Key ?? '', etag: c.ETag ?? '', size: c.Size ?? 0 });
      };
      if (!options.all) {
        add((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 }))).Contents);
      } else {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) add(page.Contents);
      }
      return summaries;
    }),
    getObject: (bucket, key) => attempt(async () => {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: response.Body as AsyncIterable<Uint8Array>, etag: response.ETag ?? '', size: response.ContentLength ?? 0 };
    }),
  };
}
