/**
 * Submissions (the product's API calls them Transactions): one batch of rows for one template.
 * The shapes served by the JSON API are documented in docs/api.md.
 */
import type { FileIssue } from '../files/index.ts';

export type SubmissionStatus = 'complete' | 'failed' | 'pending';

export interface SubmissionSource {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  /** The object's version, in a versioned bucket. */
  versionId?: string;
  /** The IAM user who uploaded the object, when known. */
  uploadedBy?: string;
}

/** An S3 error that stopped an import, with the IAM decision that explains it. */
export interface S3Failure {
  code: string;
  message: string;
  status?: number;
  requestId?: string;
  /** Which policy statement decided, or why none applied (from the gateway). */
  explanation?: string;
}

export interface Submission {
  id: string;
  template: string;
  /** The inbound integration that imported it. */
  integration: string;
  /** The file's name; auto-submitted halves add " AUTOSUBMIT" or " PENDING". */
  name: string;
  status: SubmissionStatus;
  source: SubmissionSource;
  /** Display name of the submitter: {{submitted_by}} from the key, else the uploader's display name. */
  submittedBy: string;
  submittedByEmail?: string;
  /** When the import completed (ISO 8601). */
  submittedAt: string;
  counts: { rows: number; accepted: number; rejected: number };
  issues: FileIssue[];
  issuesNotKept: number;
  /** Set when S3 refused the import (a denied GetObject, say). */
  error?: S3Failure;
  /** The other half of an auto-submitted file. */
  splitFrom?: string;
  /** A re-import: the submission of the same object this one replaces (failed or not). */
  replaces?: string;
  /** One per outbound integration of the template, for complete submissions. */
  deliveries?: Delivery[];
  createdAt: string;
  updatedAt: string;
}

/**
 * An outbound file for one submission and one outbound integration, as a state machine:
 * queued -> writing -> delivered | failed; a retry makes a failed delivery queued again.
 */
export type DeliveryStatus = 'queued' | 'writing' | 'delivered' | 'failed';

export interface Delivery {
  /** The outbound integration's name. */
  integration: string;
  bucket: string;
  /** The object key, as of the last attempt (settings may change between attempts). */
  key: string;
  /** A format of core/outbound/file-formats.ts (its name; core/submissions does not import the outbound side). */
  fileType: string;
  sse: boolean;
  status: DeliveryStatus;
  /** Attempts started, retries included. */
  attempts: number;
  /** Size of the file written or refused; null until it has been rendered. */
  bytes: number | null;
  etag: string | null;
  /** When the last attempt ended (ISO 8601). */
  finishedAt: string | null;
  /** Why the last attempt failed, with the gateway's explanation of the IAM decision. */
  error: S3Failure | null;
  /** Things worth knowing that did not stop the delivery (it overwrote another submission's object, say). */
  warnings: string[];
}

/** A row of a template's dataset. */
export interface DatasetRow {
  id: string;
  submission: string;
  createdAt: string;
  updatedAt: string;
  values: Record<string, string>;
}
