/** An SDK client with someone's keys, pointed at the gateway: the UI acts as that user or account. */
import { S3Client } from '@aws-sdk/client-s3';
import type { UiContext } from './context.ts';

export function clientWithKeys(ctx: UiContext, keys: { accessKeyId: string; secretAccessKey: string }, region = ctx.workspace.region): S3Client {
  return new S3Client({
    endpoint: ctx.endpoint, region, forcePathStyle: true, maxAttempts: 1,
    // Failures are shown on the page; the SDK would also warn on the console.
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
  });
}
