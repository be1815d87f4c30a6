/**
 * Keys the file-backed store cannot hold faithfully. S3 itself stores any key as an opaque name;
 * s3rver maps keys to paths, so `..` escapes its folder and `.` or empty segments collide with
 * other keys. Such keys are refused with a message that says so. (Segments longer than a file name
 * may be are stored in pieces: long-segments.ts.)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
import { S3Error } from './s3-errors.ts';

/** S3's limit: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;
/** s3rver's own file-name suffix; a key holding it could overwrite s3rver's metadata files. */
const RESERVED_MARKER = '._S3rver_';

export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return undefined; // reported as KeyTooLongError
  if (key.includes('\0')) return 'the key contains a NUL character';
  if (key.includes(RESERVED_MARKER)) return `the key contains "${RESERVED_MARKER}", which the storage engine reserves`;
  const segments = key.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '..' || segment === '.') return `the key has a "${segment}" segment`;
    if (segment === '' && !last) return i === 0 ? 'the key starts with "/"' : 'the key has an empty segment ("//")';
  }
  return undefined;
}

export function assertSafeKey(key: string): void {
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', undefined, { Size: Buffer.byteLength(key), MaxSizeAllowed: MAX_KEY_BYTES });
  }
  const problem = keyProblem(key);
  if (problem) {
    throw new S3Error(
      'InvalidArgument',
      `Unsupported key: ${problem}. Amazon S3 would store it as an opaque name, but s3-harness keeps objects as files and refuses keys that could escape or collide in its data folder.`,
      { ArgumentName: 'key', ArgumentValue: key },
    );
  }
}
