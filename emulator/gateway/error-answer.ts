/**
 * The S3 error a thrown error is answered with, and the one line the harness logs for it: the same
 * mapping wherever it was thrown (gateway.ts). An S3Error is the client's answer as it is; a damaged object is InternalError;
 * a write the data folder refused is 503 ServiceUnavailable; anything else is unexpected.
 */
import { dataFolderFault } from './data-folder-fault.ts';
import { S3Error } from './s3-errors.ts';
import { DamagedObjectError } from './store/object-store.ts';

export interface ErrorAnswer {
  s3Error: S3Error;
  /** What the log says, when the error is known; none for an S3Error or an unexpected error. */
  logLine?: string;
  /** Not an error the gateway knows: the caller logs it whole. */
  unexpected: boolean;
}

export function answerForError(error: unknown): ErrorAnswer {
  if (error instanceof S3Error) return { s3Error: error, unexpected: false };
  // The store names a damaged file in the log once, however often it is read.
  if (error instanceof DamagedObjectError) return { s3Error: new S3Error('InternalError'), unexpected: false };
  const fault = dataFolderFault(error);
  if (fault)
    return {
      s3Error: new S3Error('ServiceUnavailable', fault),
      logLine: dataFolderFault(error, { where: true })!,
      unexpected: false,
    };
  return { s3Error: new S3Error('InternalError'), unexpected: true };
}
