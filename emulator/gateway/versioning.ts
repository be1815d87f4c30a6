/**
 * Which version a request names (the latest, or `?versionId=`), answered as S3 answers when there is
 * none: 404 NoSuchKey (403 for a caller who may not list) with the delete marker's headers when the
 * latest is one, NoSuchVersion, or 405 for a delete marker named by its id. Where versions are kept
 * and how a write or a delete changes them: store/object-store.ts.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
 */
import { missingObject } from './access.ts';
import type { GatewayRequest, GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';
import type { ObjectVersion } from './store/object-record.ts';
import { assertVersionIdForm, type DeleteOutcome } from './store/object-store.ts';

/** The object version a GET, HEAD or tagging request reads: the latest, or the one `?versionId=` names. */
export function versionToRead(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): ObjectVersion {
  const versionId = g.operation.query.get('versionId');
  if (versionId === undefined) {
    const latest = s.store.latest(bucket, key);
    if (latest?.kind === 'object') return latest;
    const error = missingObject(s, g, bucket, key);
    if (latest?.kind === 'deleteMarker' && error.code === 'NoSuchKey')
      Object.assign(error.headers, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': latest.versionId });
    throw error;
  }
  assertVersionIdForm(versionId);
  const version = s.store.version(bucket, key, versionId);
  if (!version) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
  if (version.kind === 'deleteMarker')
    throw new S3Error(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      { Method: g.req.method ?? 'GET', ResourceType: 'DeleteMarker' },
      {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': versionId,
        'last-modified': new Date(version.lastModified).toUTCString(),
      },
    );
  return version;
}

/** The version a copy reads: the source's latest, or the one `?versionId=` names (never a delete marker). */
export function copySourceVersion(
  s: GatewayServices,
  g: GatewayRequest,
  source: { bucket: string; key: string; versionId?: string },
): ObjectVersion {
  if (source.versionId === undefined) {
    const latest = s.store.latest(source.bucket, source.key);
    if (latest?.kind !== 'object') throw missingObject(s, g, source.bucket, source.key);
    return latest;
  }
  assertVersionIdForm(source.versionId);
  const version = s.store.version(source.bucket, source.key, source.versionId);
  if (!version) throw new S3Error('NoSuchVersion', undefined, { Key: source.key, VersionId: source.versionId });
  if (version.kind === 'deleteMarker')
    throw new S3Error(
      'InvalidRequest',
      'The source of a copy request may not specifically refer to a delete marker by version id.',
    );
  return version;
}

export function deleteAnswerHeaders(outcome: DeleteOutcome): Record<string, string> {
  return {
    ...(outcome.versionId !== undefined ? { 'x-amz-version-id': outcome.versionId } : {}),
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
  };
}

/** `x-amz-copy-source-version-id` when the source's bucket is versioned or a version was named. */
export function copySourceVersionHeader(
  s: GatewayServices,
  source: { bucket: string; versionId?: string },
  read: ObjectVersion,
): Record<string, string> {
  const versioned = s.state.versioningOf(source.bucket) !== undefined || source.versionId !== undefined;
  return versioned ? { 'x-amz-copy-source-version-id': read.versionId } : {};
}
