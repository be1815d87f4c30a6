/**
 * The S3 error a thrown error is answered with, and the one line the harness logs for it: the same
 * mapping whether it was thrown before an answer (gateway.ts) or after s3rver took a write
 * (object-handlers.ts). An S3Error is the client's answer as it is; a damaged object is InternalError;
 * a write the data folder refused is 503 ServiceUnavailable; anything else is unexpected.
 */
import { dataFolderFault } from './data-folder-fault.ts';
import { S3Error } from './s3-errors.ts';
import { DamagedObjectError } from './storage.ts';

export interface ErrorAnswer {
  s3Error: S3Error;
  /** What the log says, when the error is known; none for an S3Error or an unexpected error. */
  logLine?: string;
  /** Not an error the gateway knows: the caller logs it whole. */
  unexpected: boolean;
}

export function answerForError(error: unknown): ErrorAnswer {
  if (error instanceof S3Error) return { s3Error: error, unexpected: false };
  if (error instanceof DamagedObjectError)
    return { s3Error: new S3Error('InternalError'), logLine: error.message, unexpected: false };
  const fault = dataFolderFault(error);
  if (fault)
    return {
      s3Error: new S3Error('ServiceUnavailable', fault),
      logLine: dataFolderFault(error, { where: true })!,
      unexpected: false,
    };
  return { s3Error: new S3Error('InternalError'), unexpected: true };
}
