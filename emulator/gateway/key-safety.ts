/**
 * Keys the harness refuses although S3 stores any key as an opaque name. The object store keeps keys
 * as data (store/), but the harness's web UI addresses keys as URL paths (a browser resolves `..`
 * and `.` segments away) and `mirror` saves objects as files, so keys with `.`, `..` or empty
 * segments, or a NUL, are refused with a message that says so (docs/gateway.md, "Limits").
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
 */
import { S3Error } from './s3-errors.ts';

/** S3's limit: 1,024 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1024;

export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return undefined; // reported as KeyTooLongError
  if (key.includes('\0')) return 'the key contains a NUL character';
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
      `Unsupported key: ${problem}. Amazon S3 would store it as an opaque name; s3-harness refuses it because its web UI and its mirror address keys as paths.`,
      { ArgumentName: 'key', ArgumentValue: key },
    );
  }
}
