/** Runs an `expectAccess` step (docs/scenarios.md). */
import { toS3Failure } from '../../engine/account-s3.ts';
import { unifiedDiff } from '../compare.ts';
import { Mismatch, type RunContext, describeError, write } from '../run-context.ts';
import type { AccessStep } from '../../../core/scenarios/index.ts';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';

export async function tryAccess(ctx: RunContext, step: AccessStep): Promise<void> {
  const client = ctx.client(step.as);
  const bucket = step.bucket ?? '';
  const key = step.key ?? '';
  const request = (() => {
    switch (step.operation) {
      case 'ListBuckets':
        return client.send(new ListBucketsCommand({}));
      case 'ListObjectsV2':
        return client.send(
          new ListObjectsV2Command({ Bucket: bucket, ...(step.prefix !== undefined ? { Prefix: step.prefix } : {}) }),
        );
      case 'GetObject':
        return client
          .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
          .then((r) => r.Body?.transformToByteArray());
      case 'HeadObject':
        return client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      case 'PutObject':
        return write(ctx, bucket, key, () =>
          client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: 'scenario',
              ...(step.sse ? { ServerSideEncryption: 'AES256' as const } : {}),
            }),
          ),
        );
      case 'DeleteObject':
        return client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
  })();
  const what = `${step.operation} as ${step.as}${step.bucket ? ` on s3://${bucket}/${key || step.prefix || ''}` : ''}`;
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (step.allowed) {
    if (error) throw new Mismatch(`${what}: expected it to be allowed, but it failed with ${describeError(error)}`);
    return;
  }
  if (!error) throw new Mismatch(`${what}: expected it to be denied, but it succeeded`);
  const failure = toS3Failure(error);
  const code = step.code ?? 'AccessDenied';
  if (failure.code !== code) throw new Mismatch(`${what}: expected ${code}, got ${describeError(error)}`);
  if (step.explanation && !(failure.explanation ?? '').includes(step.explanation)) {
    throw new Mismatch(
      `${what}: the explanation does not contain the expected text`,
      unifiedDiff(`${step.explanation}\n`, `${failure.explanation ?? '(no explanation)'}\n`),
    );
  }
}
