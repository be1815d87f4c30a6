/**
 * Multipart uploads: creation and parts go to s3rver; a completion is validated first (s3rver crashes
 * on some bad ones) and a repeated one answered as AWS does; ListParts and abort are answered here.
 */
import { rm } from 'node:fs/promises';
import { assertBucketExists } from './access.ts';
import { readBody, ownerOf } from './bucket-handlers.ts';
import {
  objectEvent,
  recordCreated,
  sendEmpty,
  sendXml,
  type GatewayRequest,
  type GatewayServices,
} from './context.ts';
import { forwardToStorage, SSE_META } from './forward.ts';
import { assertOwnerOnlyAcl } from './acl.ts';
import type { SpooledBody } from './request-body.ts';
import { S3Error } from './s3-errors.ts';
import { join } from 'node:path';
import { listUploadParts, readUpload, uploadDirectory, waitForFileSize, type UploadInfo } from './storage.ts';
import { parseXml, xmlDocument } from './xml.ts';
import {
  forwardOptions,
  onClose,
  rejectReservedMetadata,
  requestedSse,
  lockForWrite,
  writeMetadata,
} from './write-helpers.ts';

/** Every part but the last must be at least 5 MiB. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
export async function createMultipartUpload(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  rejectReservedMetadata(g);
  assertOwnerOnlyAcl(g);
  const sse = requestedSse(s, g, bucket);
  assertBucketExists(s, bucket);
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      extraHeaders: writeMetadata(g, sse),
      responseHeaders: sse ? { 'x-amz-server-side-encryption': sse } : {},
    }),
  );
}

export async function existingUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<UploadInfo> {
  assertBucketExists(s, bucket);
  const uploadId = g.operation.query.get('uploadId') ?? '';
  const upload = await readUpload(s.storage, bucket, uploadId);
  if (!upload || upload.key !== key) throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
  return upload;
}

function uploadSse(upload: UploadInfo): Record<string, string> {
  const sse = upload.metadata[SSE_META];
  return sse ? { 'x-amz-server-side-encryption': sse } : {};
}

/** The `partNumber` query parameter: 1 to 10,000. */
export function partNumberOf(g: GatewayRequest): number {
  const text = g.operation.query.get('partNumber') ?? '';
  const partNumber = Number(text);
  if (!/^\d+$/.test(text) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, {
      ArgumentName: 'partNumber',
      ArgumentValue: text,
    });
  }
  return partNumber;
}

export async function uploadPart(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  const partNumber = partNumberOf(g);
  const upload = await existingUpload(s, g, bucket, key);
  const body = await readBody(s, g);
  onClose(g, () => body.dispose());
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      body,
      responseHeaders: uploadSse(upload),
      beforeSuccessEnd: () =>
        waitForFileSize(join(uploadDirectory(s.storage, bucket, upload.uploadId), String(partNumber)), body.length),
    }),
  );
}

interface RequestedPart {
  partNumber: number;
  etag: string;
}

function parseCompletion(text: string): RequestedPart[] {
  const root = parseXml(text)?.CompleteMultipartUpload as Record<string, unknown> | undefined;
  const parts = (root?.Part as Record<string, unknown>[] | undefined) ?? [];
  if (!root || parts.length === 0) throw new S3Error('MalformedXML');
  return parts.map((part) => {
    const partNumber = Number(part?.PartNumber);
    if (!Number.isInteger(partNumber) || typeof part?.ETag !== 'string') throw new S3Error('MalformedXML');
    return { partNumber, etag: part.ETag.replace(/"/g, '').trim() };
  });
}

/** Checks a completion against the stored parts, so s3rver never sees one that would crash it. */
async function validateCompletion(
  s: GatewayServices,
  bucket: string,
  uploadId: string,
  requested: RequestedPart[],
): Promise<void> {
  const stored = new Map((await listUploadParts(s.storage, bucket, uploadId)).map((p) => [p.partNumber, p]));
  requested.forEach((part, i) => {
    if (i > 0 && part.partNumber <= requested[i - 1]!.partNumber)
      throw new S3Error('InvalidPartOrder', undefined, { UploadId: uploadId });
    const found = stored.get(part.partNumber);
    if (!found || found.etag.replace(/"/g, '') !== part.etag) {
      throw new S3Error('InvalidPart', undefined, { UploadId: uploadId, PartNumber: part.partNumber, ETag: part.etag });
    }
    if (i < requested.length - 1 && found.size < MIN_PART_BYTES) {
      throw new S3Error('EntityTooSmall', undefined, {
        ProposedSize: found.size,
        MinSizeAllowed: MIN_PART_BYTES,
        PartNumber: part.partNumber,
        ETag: part.etag,
      });
    }
  });
}

export async function completeMultipartUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  if (await answeredRepeat(s, g, bucket, key)) return;
  const upload = await existingUpload(s, g, bucket, key);
  const body: SpooledBody = await readBody(s, g);
  try {
    await validateCompletion(s, bucket, upload.uploadId, parseCompletion(await body.text()));
  } catch (error) {
    await body.dispose();
    throw error;
  }
  const version = await lockForWrite(s, g, bucket, key, body);
  forwardToStorage(
    s.storage.handle,
    g.req,
    g.res,
    forwardOptions(g, {
      body,
      responseHeaders: { ...uploadSse(upload), ...version.responseHeaders },
      beforeSuccessEnd: async () => {
        // The upload's metadata was fixed at its creation: the version id is added now.
        if (Object.keys(version.metadata).length)
          await s.storage.rewriteMetadata(bucket, key, (stored) => ({ ...stored, ...version.metadata }));
        await version.succeeded();
        const o = await s.storage.headObject(bucket, key);
        if (o) s.completedUploads.remember(upload.uploadId, { bucket, key, etag: o.etag });
        recordCreated(
          s,
          g,
          objectEvent(g, 'ObjectCreated:CompleteMultipartUpload', bucket, key, {
            ...(o ? { size: o.size, etag: o.etag } : {}),
            ...version.eventFields,
          }),
        );
      },
    }),
  );
}

/**
 * A CompleteMultipartUpload repeated after it succeeded (a client retrying a lost answer) is answered
 * 200 with the same ETag while the key still holds that upload's object, as AWS answers it.
 */
async function answeredRepeat(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<boolean> {
  assertBucketExists(s, bucket);
  const completed = s.completedUploads.find(g.operation.query.get('uploadId') ?? '', bucket, key);
  if (!completed) return false;
  const current = await s.storage.headObject(bucket, key);
  if (current?.etag !== completed.etag) return false;
  await (await readBody(s, g)).dispose();
  sendXml(
    g.res,
    200,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `http://${g.req.headers.host ?? 'localhost'}${g.path}`,
      Bucket: bucket,
      Key: key,
      ETag: completed.etag,
    }),
  );
  return true;
}

export async function abortMultipartUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  const upload = await existingUpload(s, g, bucket, key);
  await rm(uploadDirectory(s.storage, bucket, upload.uploadId), { recursive: true, force: true });
  sendEmpty(g.res, 204);
}

export async function listParts(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  const upload = await existingUpload(s, g, bucket, key);
  const marker = Number(g.operation.query.get('part-number-marker') ?? 0) || 0;
  const maxParts = Math.min(Number(g.operation.query.get('max-parts') ?? 1000) || 1000, 1000);
  const all = (await listUploadParts(s.storage, bucket, upload.uploadId)).filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  const owner = ownerOf(s);
  sendXml(
    g.res,
    200,
    xmlDocument('ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      ...(all.length > page.length ? { NextPartNumberMarker: page[page.length - 1]!.partNumber } : {}),
      MaxParts: maxParts,
      IsTruncated: all.length > page.length,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified.toISOString(),
        ETag: p.etag,
        Size: p.size,
      })),
      Initiator: { ...owner },
      Owner: { ...owner },
      StorageClass: 'STANDARD',
    }),
    uploadSse(upload),
  );
}
