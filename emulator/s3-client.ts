/**
 * An SDK client with someone's keys, pointed at the gateway, as the engine, the web UI and the
 * scenario runner call it: path-style, one attempt (a refusal is an answer, not a fault to retry),
 * and quiet (failures are data; the SDK would otherwise warn on the console about failed streamed PUTs).
 */
import { S3Client } from '@aws-sdk/client-s3';

export function clientWithKeys(
  endpoint: string,
  region: string,
  keys: { accessKeyId: string; secretAccessKey: string },
): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    maxAttempts: 1,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
  });
}
