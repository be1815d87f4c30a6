/**
 * Every step kind a scenario may use, by name: a new kind is its type (scenario-types.ts), a module
 * here, and its runner in emulator/scenarios/steps/ (the map types make a missing one a compile error).
 */
import type { StepDefinition, StepKind } from './definition.ts';
import { expectAccess } from './expect-access.ts';
import { expectDataset } from './expect-dataset.ts';
import { expectIntegration } from './expect-integration.ts';
import { expectNoSubmission } from './expect-no-submission.ts';
import { expectObject } from './expect-object.ts';
import { expectPreflight } from './expect-preflight.ts';
import { expectSubmission } from './expect-submission.ts';
import { putBucketPolicy } from './put-bucket-policy.ts';
import { retryDelivery } from './retry-delivery.ts';
import { upload } from './upload.ts';

export const STEP_DEFINITIONS: { readonly [K in StepKind]: StepDefinition<K> } = {
  upload,
  expectAccess,
  expectSubmission,
  expectNoSubmission,
  expectObject,
  expectDataset,
  expectIntegration,
  expectPreflight,
  putBucketPolicy,
  retryDelivery,
};

export type { StepDefinition, StepKind, StepOf } from './definition.ts';
