/** Runs an `upload` step (docs/scenarios.md). */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readScenarioText } from '../load-scenario.ts';
import { Mismatch, type RunContext, describeError, write } from '../run-context.ts';
import type { UploadStep } from '../../../core/scenarios/index.ts';

export async function runUpload(ctx: RunContext, step: UploadStep): Promise<void> {
  const body = 'file' in step.body ? await readScenarioText(ctx.loaded.directory, step.body.file) : step.body.text;
  try {
    await write(ctx, step.bucket, step.key, () =>
      ctx.client(step.as).send(
        new PutObjectCommand({
          Bucket: step.bucket,
          Key: step.key,
          Body: body,
          ...(step.sse ? { ServerSideEncryption: 'AES256' as const } : {}),
        }),
      ),
    );
  } catch (error) {
    throw new Mismatch(
      `the upload of s3://${step.bucket}/${step.key} as ${step.as} was refused: ${describeError(error)}`,
    );
  }
}
