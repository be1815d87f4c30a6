/**
 * What the import engine keeps, as a port: the ledger of detected objects, the submissions and their
 * row files. (S3 is reached through core/s3's port.)
 */
import type { AcceptedRow, RejectedRow } from '../files/index.ts';
import type { DatasetPage, DatasetRow, PageRequest, Submission } from '../submissions/index.ts';

export type ImportState = 'detected' | 'fetching' | 'validating' | 'committing' | 'done';

/** One object version seen by one integration: imported once, across restarts. */
export interface LedgerEntry {
  /** `integration|bucket|key|etag`, or `integration|bucket|key|v:versionId` for a version of a versioned bucket. */
  id: string;
  integration: string;
  template: string;
  bucket: string;
  key: string;
  etag: string;
  size: number;
  /** The version detected, in a versioned bucket: the one imported, even if a newer one follows. */
  versionId?: string;
  uploadedBy?: string;
  state: ImportState;
  /** Ids reserved when the entry was detected, so that a re-run writes the same submissions. */
  submissionIds: [string, string];
  detectedAt: string;
  attempts: number;
  /** The submissions it produced, once done. */
  submissions?: string[];
  /** A re-import: the failed submission whose object this entry imports again. */
  replaces?: string;
}

export interface RowWriter<T> {
  write(row: T): void | Promise<void>;
  close(): Promise<void>;
}

/** A complete submission whose rows join its template's dataset when the import commits. */
export interface DatasetJoin {
  template: string;
  submissionId: string;
  /** A re-import's: the submission it replaces leaves the dataset as this one joins. */
  replaces?: string;
}

export interface SubmissionStore {
  /** Records a detected object; false when this object version is already in the ledger. */
  recordDetected(entry: LedgerEntry): Promise<boolean>;
  hasEntry(entryId: string): boolean;
  ledgerEntry(entryId: string): LedgerEntry | undefined;
  setState(entryId: string, state: ImportState, attempts?: number): Promise<void>;
  unfinished(): Promise<LedgerEntry[]>;
  /** Writers of a submission's row files; opening one discards what an earlier attempt wrote. */
  acceptedRows(submissionId: string): RowWriter<AcceptedRow>;
  rejectedRows(submissionId: string): RowWriter<RejectedRow>;
  /**
   * Saves the submissions, the counters, the dataset's new member and the ledger entry as done, in
   * one write: an import is committed whole or not at all, and committing twice changes nothing.
   */
  commit(
    entryId: string,
    submissions: Submission[],
    counters: ReadonlyMap<string, number>,
    join?: DatasetJoin,
  ): Promise<void>;
  counters(): ReadonlyMap<string, number>;
  submission(id: string): Submission | undefined;
  submissions(): Submission[];
  /** The template's dataset: the rows of its complete submissions, update keys applied. */
  dataset(template: string, updateKeys: readonly string[]): AsyncIterable<DatasetRow>;
  /** A page of the dataset, in its order: it costs what it returns (and once, the rows of new members). */
  datasetPage(template: string, updateKeys: readonly string[], request: PageRequest): Promise<DatasetPage>;
}
