/**
 * A write to the data folder that the machine refused: a full disk, a read-only or full quota file
 * system, a folder without write permission. The request cannot be served now and may be later, so the
 * gateway answers 503 ServiceUnavailable (as S3 does for "try again") and the process goes on.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (ServiceUnavailable)
 */
const CAUSES: Readonly<Record<string, string>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, string>, {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'the disk quota is exceeded',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
  }),
);

/**
 * One line saying why the data folder refused a write, or undefined for any other error. `where`: name
 * the file (for the log; an answer to a client does not show the harness's paths).
 */
export function dataFolderFault(error: unknown, options: { where?: boolean } = {}): string | undefined {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !Object.hasOwn(CAUSES, code)) return undefined;
  return `the harness's data folder cannot be written now (${code}: ${CAUSES[code]}${options.where && path ? `, at ${path}` : ''}): free space or fix the folder, then retry`;
}
