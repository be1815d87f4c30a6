/**
 * A scenario: a whole story told as data (docs/scenarios.md). A workspace, a fixed clock, and steps
 * run in order against a fresh harness: users upload and are allowed or denied, and then these
 * submissions, these objects, these warnings and this preflight must exist.
 */
import type { PolicyDocument } from '../iam/index.ts';

/** The S3 operations a step can try as a user. */
export const SCENARIO_OPERATIONS = [
  'ListBuckets',
  'ListObjectsV2',
  'GetObject',
  'HeadObject',
  'PutObject',
  'DeleteObject',
] as const;
export type ScenarioOperation = (typeof SCENARIO_OPERATIONS)[number];

export interface UploadStep {
  kind: 'upload';
  as: string;
  bucket: string;
  key: string;
  /** A file, relative to the scenario file, or inline text. */
  body: { file: string } | { text: string };
  sse: boolean;
}

export interface AccessStep {
  kind: 'expectAccess';
  as: string;
  operation: ScenarioOperation;
  bucket?: string;
  key?: string;
  prefix?: string;
  sse: boolean;
  allowed: boolean;
  /** The S3 error code expected when denied. @default "AccessDenied" */
  code?: string;
  /** Text the gateway's explanation must contain. */
  explanation?: string;
}

export interface SubmissionStep {
  kind: 'expectSubmission';
  bucket?: string;
  key: string;
  /** Which of the key's submissions (auto-submit makes two): the one with this status. */
  status?: string;
  /** How many of the key's submissions (of that status) there must be: each write is a drop; the latest is compared. */
  count?: number;
  /** Fields the submission must have, compared as a subset (`name`, `counts`, `submittedBy`, `error`, ...). */
  fields: Record<string, unknown>;
  /** Expected issues: each must be found (`subset`, the default) or the lists must be equal (`exact`). */
  issues?: Record<string, unknown>[];
  issuesMatch: 'subset' | 'exact';
  /** Expected deliveries, in order, each compared as a subset. */
  deliveries?: Record<string, unknown>[];
  timeoutMs: number;
}

export interface NoSubmissionStep {
  kind: 'expectNoSubmission';
  bucket?: string;
  key: string;
}

export interface ObjectStep {
  kind: 'expectObject';
  as: string;
  bucket: string;
  key?: string;
  /** A regular expression the key must match (exactly one object must). */
  keyPattern?: string;
  /** The whole body equals this file (relative to the scenario file). */
  equalsFile?: string;
  text?: string;
  /** The parsed rows: CSV (with `delimiter`) and XLSX as arrays of cells, JSON as parsed. */
  rows?: unknown;
  delimiter?: string;
  /** `AES256` or `none`. */
  sse?: 'AES256' | 'none';
}

export interface IntegrationStep {
  kind: 'expectIntegration';
  id: string;
  direction?: 'inbound' | 'outbound';
  status: 'active' | 'warning';
  /** Text one of its warnings must contain. */
  warning?: string;
}

export interface PreflightStep {
  kind: 'expectPreflight';
  ok?: boolean;
  /** One check: the integration's id and the action, and what is expected of it. */
  integration?: string;
  action?: string;
  allowed?: boolean;
  /** The Sid of the deciding statement. */
  statement?: string;
  explanation?: string;
}

export interface BucketPolicyStep {
  kind: 'putBucketPolicy';
  as: string;
  bucket: string;
  /** null deletes the policy. */
  policy: PolicyDocument | null;
}

export interface RetryStep {
  kind: 'retryDelivery';
  bucket?: string;
  key: string;
  integration: string;
}

export interface DatasetStep {
  kind: 'expectDataset';
  template: string;
  /** The dataset's rows in order, each compared as a subset (`values` with some fields, say). */
  rows: Record<string, unknown>[];
}

export type ScenarioStep =
  | UploadStep
  | AccessStep
  | SubmissionStep
  | NoSubmissionStep
  | ObjectStep
  | IntegrationStep
  | PreflightStep
  | BucketPolicyStep
  | RetryStep
  | DatasetStep;
export const STEP_KINDS = [
  'upload',
  'expectAccess',
  'expectSubmission',
  'expectNoSubmission',
  'expectObject',
  'expectDataset',
  'expectIntegration',
  'expectPreflight',
  'putBucketPolicy',
  'retryDelivery',
] as const;

/** true when two unions have the same members. */
type SameMembers<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
// A kind in the step union and not in STEP_KINDS, or the other way round, does not compile.
true satisfies SameMembers<(typeof STEP_KINDS)[number], ScenarioStep['kind']>;

export interface Scenario {
  name: string;
  description?: string;
  /** A workspace file relative to the scenario file, the workspace itself, or (left out) the bundled demo. */
  workspace: { file: string } | { inline: unknown } | { demo: true };
  /** Edits applied to the workspace's JSON before it is parsed: `"templates[0].outbound[0].sse": false`. */
  patch: Record<string, unknown>;
  /** The engine's clock, fixed: Submitted At and derived dates (ISO 8601). */
  clock?: string;
  rowLimit?: number;
  steps: ScenarioStep[];
}
