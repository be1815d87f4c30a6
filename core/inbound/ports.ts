/**
 * What the import engine needs from outside, as ports: S3 reached with an account's keys (the
 * emulator's adapter points the SDK at the gateway), the store of submissions and rows, a clock.
 */
import type { AcceptedRow, RejectedRow } from '../files/index.ts';
import type { DatasetRow, S3Failure, Submission } from '../submissions/index.ts';

export type S3Outcome<T> = { ok: true; value: T } | { ok: false; error: S3Failure };

export interface S3ObjectSummary {
  key: string;
  etag: string;
  size: number;
}

/** S3 as one account sees it. */
export interface AccountS3 {
  listBuckets(): Promise<S3Outcome<string[]>>;
  /** One page is enough to test the permission; `all` pages through (poll mode). */
  listObjects(bucket: string, prefix: string, options?: { all?: boolean }): Promise<S3Outcome<S3ObjectSummary[]>>;
  getObject(bucket: string, key: string): Promise<S3Outcome<{ body: AsyncIterable<Uint8Array>; etag: string; size: number }>>;
}

export type ImportState = 'detected' | 'fetching' | 'validating' | 'committing' | 'done';

/** One object version seen by one integration: imported once, across restarts. */
export interface LedgerEntry {
  /** `integration|bucket|key|etag` */
  id: string;
  integration: string;
  template: string;
  bucket: string;
  key: string;
  etag: string;
  size: number;
  uploadedBy?: string;
  state: ImportState;
  /** Ids reserved when the entry was detected, so that a re-run writes the same submissions. */
  submissionIds: [string, string];
  detectedAt: string;
  attempts: number;
  /** The submissions it produced, once done. */
  submissions?: string[];
  /** Where the dataset log ended before this entry's merge began (set by the store). */
  datasetOffset?: number;
}

export interface RowWriter<T> {
  write(row: T): void | Promise<void>;
  close(): Promise<void>;
}

export interface DatasetMerge {
  /** The ledger entry whose import this is (what an interrupted run appended is cut off first). */
  entryId: string;
  template: string;
  updateKeys: string[];
  submissionId: string;
  now: string;
}

/** Rows appended to a dataset while a file is validated; kept by `commit`, cut off by `abort`. */
export interface DatasetAppend extends RowWriter<AcceptedRow> {
  abort(): Promise<void>;
}

export interface SubmissionStore {
  /** Records a detected object; false when this object version is already in the ledger. */
  recordDetected(entry: LedgerEntry): Promise<boolean>;
  setState(entryId: string, state: ImportState, attempts?: number): Promise<void>;
  unfinished(): Promise<LedgerEntry[]>;
  /** Writers of a submission's row files; opening one discards what an earlier attempt wrote. */
  acceptedRows(submissionId: string): RowWriter<AcceptedRow>;
  rejectedRows(submissionId: string): RowWriter<RejectedRow>;
  /**
   * Starts appending a submission's rows to its template's dataset (honouring update keys). Safe to
   * repeat: what an earlier run of the same ledger entry appended is cut off first.
   */
  appendToDataset(merge: DatasetMerge): Promise<DatasetAppend>;
  /** Saves the submissions, the counters and the ledger entry as done, at once. */
  commit(entryId: string, submissions: Submission[], counters: ReadonlyMap<string, number>): Promise<void>;
  counters(): ReadonlyMap<string, number>;
  submission(id: string): Submission | undefined;
  submissions(): Submission[];
  dataset(template: string): AsyncIterable<DatasetRow>;
}
