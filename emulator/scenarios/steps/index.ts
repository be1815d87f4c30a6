/**
 * How each step kind runs, by name (what it takes and how it is read: core/scenarios/steps/). The map's
 * type makes a kind without a runner a compile error.
 */
import type { StepKind, StepOf } from '../../../core/scenarios/index.ts';
import type { RunContext } from '../run-context.ts';
import { tryAccess } from './expect-access.ts';
import { runExpectDataset } from './expect-dataset.ts';
import { runExpectIntegration } from './expect-integration.ts';
import { runExpectNoSubmission } from './expect-no-submission.ts';
import { expectObject } from './expect-object.ts';
import { expectPreflight } from './expect-preflight.ts';
import { expectSubmission } from './expect-submission.ts';
import { runPutBucketPolicy } from './put-bucket-policy.ts';
import { runRetryDelivery } from './retry-delivery.ts';
import { runUpload } from './upload.ts';

export const STEP_RUNNERS: { readonly [K in StepKind]: (ctx: RunContext, step: StepOf<K>) => Promise<void> | void } = {
  upload: runUpload,
  expectAccess: tryAccess,
  expectSubmission,
  expectNoSubmission: runExpectNoSubmission,
  expectObject,
  expectDataset: runExpectDataset,
  expectIntegration: runExpectIntegration,
  expectPreflight,
  putBucketPolicy: runPutBucketPolicy,
  retryDelivery: runRetryDelivery,
};
