/**
 * Keys whose segments are longer than a file name may be. S3 takes any key up to 1,024 bytes of
 * UTF-8, with no limit on a segment (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html);
 * s3rver stores each segment as a file or folder name, which most file systems cap at 255 bytes, and
 * adds its own suffix (`._S3rver_metadata.json`) to the last one. So a segment over
 * MAX_STORED_SEGMENT_BYTES is stored as a chain of folders: every piece but the last is named
 * `<piece>._S3rver_+` ("continues in the next name"), the last is the name s3rver would have used.
 * Keys may not contain `._S3rver_` (the gateway refuses it), so the mapping is unambiguous, and keys
 * whose segments are short are stored exactly as before.
 */

/** Bytes of one stored name, before s3rver's suffix (the longest is 22 bytes). */
export const MAX_STORED_SEGMENT_BYTES = 200;
/** The suffix of a folder that is a piece of a long segment, not a segment of its own. */
export const CONTINUES = '._S3rver_+';

/** The stored path of a key: long segments split into pieces, from the end, at character boundaries. */
export function storedKeyPath(key: string): string {
  return key
    .split('/')
    .map((segment) => (Buffer.byteLength(segment) > MAX_STORED_SEGMENT_BYTES ? splitSegment(segment) : segment))
    .join('/');
}

/**
 * Pieces are cut from the end, so the last piece (a folder's or the file's name) is a full one: never
 * `.` or `..`, which a path would read as a step.
 */
function splitSegment(segment: string): string {
  const characters = [...segment];
  const pieces: string[] = [];
  let piece = '';
  let bytes = 0;
  for (let i = characters.length - 1; i >= 0; i--) {
    const size = Buffer.byteLength(characters[i]!);
    if (bytes + size > MAX_STORED_SEGMENT_BYTES) {
      pieces.unshift(piece);
      piece = '';
      bytes = 0;
    }
    piece = characters[i]! + piece;
    bytes += size;
  }
  pieces.unshift(piece);
  return pieces.map((p, i) => (i < pieces.length - 1 ? `${p}${CONTINUES}` : p)).join('/');
}

/** The key prefix a stored folder name adds: a piece continues the segment, anything else ends it. */
export function keyPrefixOfFolder(name: string): string {
  return name.endsWith(CONTINUES) ? name.slice(0, -CONTINUES.length) : `${name}/`;
}
