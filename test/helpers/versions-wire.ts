/**
 * ListObjectVersions as it comes over the wire: versions and delete markers interleaved in their
 * order (newest first within a key), which the SDK splits into two lists.
 */
import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface WireVersion {
  key: string;
  versionId: string;
  isLatest: boolean;
  /** Undefined for a delete marker. */
  etag?: string;
}

export async function versionsInOrder(s3: S3Client, bucket: string, prefix = ''): Promise<WireVersion[]> {
  const url = await getSignedUrl(s3, new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
  const xml = await (await fetch(url)).text();
  return [...xml.matchAll(/<(Version|DeleteMarker)>(.*?)<\/\1>/g)].map(([, kind, inner]) => {
    const field = (name: string) =>
      new RegExp(`<${name}>(.*?)</${name}>`)
        .exec(inner!)?.[1]
        ?.replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
    return {
      key: field('Key')!,
      versionId: field('VersionId')!,
      isLatest: field('IsLatest') === 'true',
      ...(kind === 'Version' ? { etag: field('ETag')! } : {}),
    };
  });
}
