/**
 * The tags a write sets: `x-amz-tagging` on PutObject and CreateMultipartUpload, and on CopyObject only
 * with `x-amz-tagging-directive: REPLACE` (else the source's tags are copied).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import { parseTaggingHeader, type TagSet } from '../object-tags.ts';

const SETS_TAGS_BY_HEADER = new Set(['PutObject', 'CreateMultipartUpload', 'CopyObject']);

export function tagsSetBy(operation: string, header: (name: string) => string | undefined): TagSet | undefined {
  const tagging = header('x-amz-tagging');
  if (tagging === undefined || !SETS_TAGS_BY_HEADER.has(operation)) return undefined;
  if (operation === 'CopyObject' && (header('x-amz-tagging-directive') ?? 'COPY') !== 'REPLACE') return undefined;
  return parseTaggingHeader(tagging);
}
