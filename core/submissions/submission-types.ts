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
  createdAt: string;
  updatedAt: string;
}

/** A row of a template's dataset. */
export interface DatasetRow {
  id: string;
  submission: string;
  createdAt: string;
  updatedAt: string;
  values: Record<string, string>;
}
