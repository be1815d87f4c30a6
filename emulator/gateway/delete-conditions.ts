import { headerOf, type GatewayRequest, type GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';
import { sameEtag } from './store/object-record.ts';

/**
 * A conditional delete (`If-Match: ETAG`, general purpose buckets): 404 NoSuchKey when there is no such
 * object (a version named that is not there: nothing to do, 204), 412 PreconditionFailed when its ETag differs. The directory buckets' `x-amz-if-match-size` and
 * `x-amz-if-match-last-modified-time` are refused as not emulated.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
 */
export function assertDeleteCondition(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
  versionId: string | undefined,
  ifMatch: string | undefined,
): void {
  for (const header of ['x-amz-if-match-size', 'x-amz-if-match-last-modified-time'])
    if (headerOf(g.req, header) !== undefined)
      throw new S3Error('NotImplemented', `${header} (directory buckets) is not emulated by s3-harness.`, {
        Header: header,
      });
  if (ifMatch === undefined) return;
  const version = versionId === undefined ? s.store.latest(bucket, key) : s.store.version(bucket, key, versionId);
  // A version named that is not there is deleted already: S3 answers 204, as to any delete of one.
  if (versionId !== undefined && version === undefined) return;
  if (version?.kind !== 'object') throw new S3Error('NoSuchKey', undefined, { Key: key });
  if (ifMatch.trim() !== '*' && !sameEtag(ifMatch, version.etag))
    throw new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: 'If-Match',
    });
}
