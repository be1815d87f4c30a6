/**
 * UploadPartCopy: a part of a multipart upload copied from an existing object, whole or a byte range
 * (`x-amz-copy-source-range: bytes=first-last`), as clients do for copies over 5 GB. Authorised as
 * s3:GetObject on the source and s3:PutObject on the destination (operations.ts).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertBucketExists } from './access.ts';
import { readBody } from './bucket-handlers.ts';
import { headerOf, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { assertSafeKey } from './key-safety.ts';
import { existingUpload, partNumberOf } from './multipart-handlers.ts';
import { parseCopySource } from './operations.ts';
import { S3Error } from './s3-errors.ts';
import { uploadDirectory } from './storage.ts';
import { readCopySource } from './versioning.ts';
import { xmlDocument } from './xml.ts';

/** `bytes=first-last`, inclusive, within an object of `size` bytes; undefined copies the whole object. */
export function parseCopySourceRange(header: string | undefined, size: number): { start: number; end: number } {
  if (header === undefined) return { start: 0, end: size - 1 };
  const match = /^bytes=(\d+)-(\d+)$/.exec(header);
  const start = Number(match?.[1]);
  const end = Number(match?.[2]);
  if (!match || start > end) {
    throw new S3Error(
      'InvalidArgument',
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: header },
    );
  }
  if (end >= size) {
    throw new S3Error('InvalidRange', `The requested range is not satisfiable: the source object has ${size} bytes`, {
      RangeRequested: header,
      ActualObjectSize: String(size),
    });
  }
  return { start, end };
}

export async function uploadPartCopy(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  const partNumber = partNumberOf(g);
  const source = parseCopySource(String(headerOf(g.req, 'x-amz-copy-source')));
  assertSafeKey(source.key);
  assertBucketExists(s, source.bucket);
  const upload = await existingUpload(s, g, bucket, key);
  await (await readBody(s, g)).dispose(); // an UploadPartCopy has no body of its own
  const release = await s.locks.read(`${source.bucket}/${source.key}`);
  const directory = uploadDirectory(s.storage, bucket, upload.uploadId);
  const temporary = join(directory, `.copy-${partNumber}-${randomBytes(6).toString('hex')}`);
  try {
    // The latest version, or the one `?versionId=` names.
    const { object: original, bodyPath: sourcePath } = await readCopySource(s, g, source);
    const range = parseCopySourceRange(headerOf(g.req, 'x-amz-copy-source-range'), original.size);
    const md5 = createHash('md5');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        done(null, chunk);
      },
    });
    // An empty source copies nothing (a stream cannot be given the empty range 0..-1).
    const body = original.size === 0 ? Readable.from([]) : createReadStream(sourcePath, range);
    await pipeline(body, hashing, createWriteStream(temporary));
    const etag = md5.digest('hex');
    // The part's MD5 first, then the part: a listing never sees a part without its ETag.
    await writeFile(join(directory, `${partNumber}.md5`), etag);
    await rename(temporary, join(directory, String(partNumber)));
    const written = await stat(join(directory, String(partNumber)));
    sendXml(
      g.res,
      200,
      xmlDocument('CopyPartResult', { LastModified: written.mtime.toISOString(), ETag: `"${etag}"` }),
    );
  } finally {
    release();
    await rm(temporary, { force: true });
  }
}
