/**
 * UploadPartCopy: a part of a multipart upload copied from an existing object, whole or a byte range
 * (`x-amz-copy-source-range: bytes=first-last`), as clients do for copies over 5 GB. Authorised as
 * s3:GetObject on the source and s3:PutObject on the destination (operations.ts).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 */
import { assertBucketExists } from './access.ts';
import { readBody } from './handler-body.ts';
import { headerOf, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { assertSafeKey } from './key-safety.ts';
import { existingUpload, partNumberOf } from './multipart-handlers.ts';
import { parseCopySource } from './operations/copy-source.ts';
import { S3Error } from './s3-errors.ts';
import { copySourceVersion } from './versioning.ts';
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
  const spec = parseCopySource(String(headerOf(g.req, 'x-amz-copy-source')));
  assertSafeKey(spec.key);
  assertBucketExists(s, spec.bucket);
  existingUpload(s, g, bucket, key);
  await (await readBody(s, g)).dispose(); // an UploadPartCopy has no body of its own
  // The latest version, or the one `?versionId=` names, read in the same turn as the store's copy begins.
  const source = copySourceVersion(s, g, spec);
  const range = parseCopySourceRange(headerOf(g.req, 'x-amz-copy-source-range'), source.size);
  const part = await s.store.putPartCopy(
    g.operation.query.get('uploadId') ?? '',
    bucket,
    key,
    partNumber,
    source,
    range,
  );
  sendXml(
    g.res,
    200,
    xmlDocument('CopyPartResult', { LastModified: new Date(part.lastModified).toISOString(), ETag: part.etag }),
  );
}
