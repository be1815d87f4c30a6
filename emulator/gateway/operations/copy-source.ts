/**
 * The copy source of CopyObject and UploadPartCopy (`x-amz-copy-source`).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import { S3Error } from '../s3-errors.ts';

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

/** The copy source of CopyObject: `/bucket/key` or `bucket/key`, URL-encoded, maybe `?versionId=`. */
export function parseCopySource(header: string): CopySource {
  const invalid = () =>
    new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', {
      ArgumentName: 'x-amz-copy-source',
      ArgumentValue: header,
    });
  const [path = '', query = ''] = header.split('?');
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.replace(/^\//, ''));
  } catch {
    throw invalid(); // a broken percent-encoding (`%zz`) is the client's mistake, as S3 answers it
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalid();
  return {
    bucket: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}
