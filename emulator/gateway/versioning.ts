/**
 * Versioning as S3 does it (docs/gateway.md, "Versioning"): Get/PutBucketVersioning, a version id for
 * each write to an Enabled bucket (`null` while Suspended), delete markers, reads and deletes of a
 * given `versionId`. Where versions are kept: versions.ts.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
 */
import { missingObject } from './access.ts';
import type { GatewayRequest, GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';
import { sendStoredObject } from './send-object.ts';
import type { ObjectSummary } from './storage.ts';
import { newVersionId, VERSION_META, versionIdOf, type VersionEntry } from './versions.ts';

/** What a write to a versioned bucket adds: the new version's id in its metadata and in the answer. */
export interface VersionedWrite {
  metadata: Record<string, string>;
  responseHeaders: Record<string, string>;
  versionId?: string;
  /** After the write: on success, a replaced `null` version goes; on failure, the archived latest is forgotten. */
  finish(succeeded: boolean): Promise<void>;
}

const UNVERSIONED: VersionedWrite = { metadata: {}, responseHeaders: {}, finish: async () => {} };

/**
 * Called under the key's write lock, before a write replaces the object in place: in an Enabled
 * bucket the latest version is kept as an older one; while Suspended, the new object is the `null`
 * version, which replaces any earlier `null` version or delete marker (a version with an id is kept).
 */
export async function prepareVersionedWrite(s: GatewayServices, bucket: string, key: string): Promise<VersionedWrite> {
  const status = s.state.versioningOf(bucket);
  if (!status) return UNVERSIONED;
  const versionId = status === 'Enabled' ? newVersionId() : 'null';
  const current = await s.storage.headObject(bucket, key);
  const keep = current && (status === 'Enabled' || versionIdOf(current) !== 'null');
  const archived = keep ? await s.versions.archiveCurrent(bucket, key, current) : undefined;
  return {
    metadata: status === 'Enabled' ? { [VERSION_META]: versionId } : {},
    // A Suspended bucket's writes (the null version) answer no version id, as on AWS.
    responseHeaders: status === 'Enabled' ? { 'x-amz-version-id': versionId } : {},
    versionId,
    async finish(succeeded) {
      if (succeeded && status === 'Suspended') await s.versions.removeVersion(bucket, key, 'null');
      if (!succeeded && archived) await s.versions.removeVersion(bucket, key, archived.versionId);
    },
  };
}

export interface DeleteOutcome {
  /** The object in place was removed (an ObjectRemoved event). */
  removedCurrent: boolean;
  versionId?: string;
  deleteMarker: boolean;
}

/**
 * DeleteObject (and each key of DeleteObjects), under the key's write lock. Without a version id: in
 * a versioned bucket, a delete marker becomes the latest version; with one, that version is removed
 * for good, and the newest remaining version becomes the latest again.
 */
export async function deleteKey(
  s: GatewayServices,
  bucket: string,
  key: string,
  versionId: string | undefined,
  now: Date,
): Promise<DeleteOutcome> {
  const status = s.state.versioningOf(bucket);
  if (!status && versionId === undefined) {
    // Never versioned: the object goes (even one whose metadata is damaged).
    const existed = await s.storage.objectExists(bucket, key);
    await s.storage.deleteObject(bucket, key);
    return { removedCurrent: existed, deleteMarker: false };
  }
  const current = await s.storage.headObject(bucket, key);
  if (versionId === undefined) {
    if (current) {
      if (status === 'Enabled' || versionIdOf(current) !== 'null')
        await s.versions.archiveCurrent(bucket, key, current);
      await s.storage.deleteObject(bucket, key);
    }
    if (status === 'Suspended') await s.versions.removeVersion(bucket, key, 'null');
    const marker = await s.versions.addDeleteMarker(bucket, key, status === 'Enabled' ? newVersionId() : 'null', now);
    return { removedCurrent: !!current, versionId: marker.versionId, deleteMarker: true };
  }
  assertVersionIdForm(versionId);
  if (current && versionIdOf(current) === versionId) {
    await s.storage.deleteObject(bucket, key);
    await s.versions.promoteNewest(bucket, key);
    return { removedCurrent: true, versionId, deleteMarker: false };
  }
  const removed = await s.versions.removeVersion(bucket, key, versionId);
  if (removed && !current) await s.versions.promoteNewest(bucket, key);
  return { removedCurrent: false, versionId, deleteMarker: removed?.deleteMarker ?? false };
}

function assertVersionIdForm(versionId: string): void {
  if (versionId !== 'null' && !/^[A-Za-z0-9_-]{1,64}$/.test(versionId))
    throw new S3Error('InvalidArgument', 'Invalid version id specified', {
      ArgumentName: 'versionId',
      ArgumentValue: versionId,
    });
}

export function deleteAnswerHeaders(outcome: DeleteOutcome): Record<string, string> {
  return {
    ...(outcome.versionId !== undefined ? { 'x-amz-version-id': outcome.versionId } : {}),
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
  };
}

/**
 * GET/HEAD of an older version or of a key whose latest version is a delete marker: answered here
 * (true); the object in place is left to s3rver (false).
 */
export async function answerVersionedRead(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
  current: ObjectSummary | undefined,
): Promise<boolean> {
  const versionId = g.operation.query.get('versionId');
  if (versionId === undefined) {
    if (current) return false;
    const [newest] = await s.versions.history(bucket, key);
    const error = missingObject(s, g, bucket, key);
    if (newest?.deleteMarker && error.code === 'NoSuchKey')
      Object.assign(error.headers, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': newest.versionId });
    throw error;
  }
  assertVersionIdForm(versionId);
  if (current && versionIdOf(current) === versionId) return false;
  const entry = (await s.versions.history(bucket, key)).find((v) => v.versionId === versionId);
  if (!entry) throw new S3Error('NoSuchVersion', undefined, { Key: key, VersionId: versionId });
  if (entry.deleteMarker)
    throw new S3Error(
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      { Method: g.req.method ?? 'GET', ResourceType: 'DeleteMarker' },
      {
        'x-amz-delete-marker': 'true',
        'x-amz-version-id': versionId,
        'last-modified': new Date(entry.lastModified).toUTCString(),
      },
    );
  await sendOlderVersion(s, g, bucket, key, entry);
  return true;
}

async function sendOlderVersion(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
  entry: VersionEntry,
): Promise<void> {
  const { metadata, bodyPath } = await s.versions.readVersion(bucket, key, entry);
  await sendStoredObject(
    g,
    {
      metadata,
      etag: entry.etag ?? '""',
      size: entry.size ?? 0,
      lastModified: new Date(entry.lastModified),
      versionId: entry.versionId,
    },
    bodyPath,
  );
}

/** The object a copy reads: the latest version, or the one `?versionId=` names, and how to copy it. */
export interface CopySource {
  object: { metadata: Record<string, string>; size: number; etag: string; lastModified: Date };
  /** Where its bytes are (a part copy reads a range of them). */
  bodyPath: string;
  /** The source's version id, when its bucket is versioned (or one was named). */
  versionId?: string;
  copyTo(dest: { bucket: string; key: string }, metadata: Record<string, string>): Promise<ObjectSummary>;
}

export async function readCopySource(
  s: GatewayServices,
  g: GatewayRequest,
  source: { bucket: string; key: string; versionId?: string },
): Promise<CopySource> {
  const current = await s.storage.headObject(source.bucket, source.key);
  const versioned = s.state.versioningOf(source.bucket) !== undefined;
  if (source.versionId === undefined || (current && versionIdOf(current) === source.versionId)) {
    if (!current) throw missingObject(s, g, source.bucket, source.key);
    return {
      object: current,
      bodyPath: s.storage.objectPath(source.bucket, source.key),
      ...(versioned || source.versionId !== undefined ? { versionId: versionIdOf(current) } : {}),
      copyTo: (dest, metadata) => s.storage.copyObject(source, dest, metadata),
    };
  }
  assertVersionIdForm(source.versionId);
  const entry = (await s.versions.history(source.bucket, source.key)).find((v) => v.versionId === source.versionId);
  if (!entry) throw new S3Error('NoSuchVersion', undefined, { Key: source.key, VersionId: source.versionId });
  if (entry.deleteMarker)
    throw new S3Error(
      'InvalidRequest',
      'The source of a copy request may not specifically refer to a delete marker by version id.',
    );
  const { metadata, bodyPath } = await s.versions.readVersion(source.bucket, source.key, entry);
  return {
    object: { metadata, size: entry.size ?? 0, etag: entry.etag ?? '""', lastModified: new Date(entry.lastModified) },
    bodyPath,
    versionId: entry.versionId,
    copyTo: (dest, kept) => s.storage.writeObjectFromFile(dest, bodyPath, kept),
  };
}

export function copyAnswerHeaders(sourceVersionId: string | undefined, copied: ObjectSummary): Record<string, string> {
  const versionId = copied.metadata[VERSION_META];
  return {
    ...(sourceVersionId !== undefined ? { 'x-amz-copy-source-version-id': sourceVersionId } : {}),
    ...(versionId ? { 'x-amz-version-id': versionId } : {}),
  };
}
