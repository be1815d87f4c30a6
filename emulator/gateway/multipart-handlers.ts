/**
 * Multipart uploads, answered from the object store: creation, parts, completion (the parts named,
 * assembled and committed as one version; a repeated completion answered as AWS does), abort, and
 * the listing of parts.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { assertBucketExists } from './access.ts';
import { assertOwnerOnlyAcl } from './acl.ts';
import { ownerOf } from './account-owner.ts';
import { readBody, withBodyText } from './handler-body.ts';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfName,
  checksumElement,
  checksumHeader,
  checksumHeaderName,
  checksumType,
  type ChecksumAlgorithm,
} from './checksums.ts';
import { createdEvent, headerOf, sendEmpty, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import type { CompleteRequest } from './store/object-store.ts';
import { S3Error } from './s3-errors.ts';
import type { UploadRecord } from './store/store-state.ts';
import { parseXml, xmlDocument } from './xml.ts';
import { requestedAttributes, requestedSse, writeConditions } from './write-helpers.ts';

const MAX_PART_NUMBER = 10_000;

export async function createMultipartUpload(s: GatewayServices, g: GatewayRequest, bucket: string): Promise<void> {
  assertOwnerOnlyAcl(g);
  const sse = requestedSse(s, g, bucket);
  const attributes = requestedAttributes(g, sse);
  assertBucketExists(s, bucket);
  await (await readBody(s, g)).dispose(); // checks x-amz-checksum-algorithm
  const checksum = uploadChecksum(g);
  const upload = s.store.createUpload(bucket, g.operation.key ?? '', attributes, checksum);
  sendXml(
    g.res,
    200,
    xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }),
    {
      ...uploadSse(upload),
      ...(checksum
        ? { 'x-amz-checksum-algorithm': checksum.algorithm.toUpperCase(), 'x-amz-checksum-type': checksum.type }
        : {}),
    },
  );
}

/**
 * `x-amz-checksum-algorithm` and `x-amz-checksum-type` of CreateMultipartUpload: CRC-64/NVME is always
 * FULL_OBJECT, the SHAs always COMPOSITE, the CRC-32s either (COMPOSITE unless asked).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
function uploadChecksum(
  g: GatewayRequest,
): { algorithm: ChecksumAlgorithm; type: 'COMPOSITE' | 'FULL_OBJECT' } | undefined {
  const named = headerOf(g.req, 'x-amz-checksum-algorithm');
  const algorithm = named === undefined ? undefined : checksumAlgorithmOfName(named);
  const asked = headerOf(g.req, 'x-amz-checksum-type')?.toUpperCase();
  if (!algorithm) {
    if (asked !== undefined)
      throw new S3Error('InvalidRequest', 'x-amz-checksum-type requires x-amz-checksum-algorithm');
    return undefined;
  }
  const type = asked ?? (algorithm === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE');
  const allowed =
    algorithm === 'crc64nvme'
      ? ['FULL_OBJECT']
      : algorithm.startsWith('sha')
        ? ['COMPOSITE']
        : ['COMPOSITE', 'FULL_OBJECT'];
  if (!allowed.includes(type))
    throw new S3Error(
      'InvalidRequest',
      `The ${type} checksum type cannot be used with the ${algorithm.toUpperCase()} checksum algorithm.`,
    );
  return { algorithm, type: type as 'COMPOSITE' | 'FULL_OBJECT' };
}

export function existingUpload(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): UploadRecord {
  assertBucketExists(s, bucket);
  const uploadId = g.operation.query.get('uploadId') ?? '';
  const upload = s.store.upload(uploadId);
  if (!upload || upload.bucket !== bucket || upload.key !== key)
    throw new S3Error('NoSuchUpload', undefined, { UploadId: uploadId });
  return upload;
}

function uploadSse(upload: UploadRecord): Record<string, string> {
  return upload.attributes.sse ? { 'x-amz-server-side-encryption': upload.attributes.sse } : {};
}

/** The `partNumber` query parameter: an integer 1 to 10,000, in any spelling of one (`07` is part 7). */
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
  const upload = existingUpload(s, g, bucket, key);
  const body = await readBody(s, g);
  try {
    const part = await s.store.putPart(upload.uploadId, bucket, key, partNumber, body);
    sendEmpty(g.res, 200, { etag: part.etag, ...uploadSse(upload), ...checksumHeader(part.checksum) });
  } finally {
    await body.dispose();
  }
}

function parseCompletion(text: string): CompleteRequest['parts'] {
  const root = parseXml(text)?.CompleteMultipartUpload as Record<string, unknown> | undefined;
  const parts = (root?.Part as Record<string, unknown>[] | undefined) ?? [];
  if (!root || parts.length === 0) throw new S3Error('MalformedXML');
  return parts.map((part) => {
    const partNumber = Number(part?.PartNumber);
    if (!Number.isInteger(partNumber) || typeof part?.ETag !== 'string') throw new S3Error('MalformedXML');
    const algorithm = CHECKSUM_ALGORITHMS.find((a) => typeof part[checksumElement(a)] === 'string');
    const checksum = algorithm ? ([algorithm, String(part[checksumElement(algorithm)])] as const) : undefined;
    return { partNumber, etag: part.ETag, ...(checksum ? { checksum } : {}) };
  });
}

/** The whole object's checksum a completion sends (`x-amz-checksum-sha256: ...-3`), to be checked. */
function expectedChecksum(g: GatewayRequest): CompleteRequest['expectedChecksum'] {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headerOf(g.req, checksumHeaderName(algorithm));
    if (value !== undefined) return [algorithm, value];
  }
  return undefined;
}

export async function completeMultipartUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  assertBucketExists(s, bucket);
  const parts = await withBodyText(s, g, async (text) => parseCompletion(text), { checksumHeadersOfObject: true });
  const expected = expectedChecksum(g);
  const { version } = await s.store.completeUpload({
    uploadId: g.operation.query.get('uploadId') ?? '',
    bucket,
    key,
    parts,
    ...(expected ? { expectedChecksum: expected } : {}),
    conditions: writeConditions(g),
    event: createdEvent(s, g, 'ObjectCreated:CompleteMultipartUpload', bucket, key),
  });
  sendXml(
    g.res,
    200,
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `http://${g.req.headers.host ?? 'localhost'}${g.path}`,
      Bucket: bucket,
      Key: key,
      ETag: version.etag,
      ...(version.checksum
        ? {
            [checksumElement(version.checksum[0])]: version.checksum[1],
            ChecksumType: checksumType(version.checksum[1]),
          }
        : {}),
    }),
    {
      ...(version.sse ? { 'x-amz-server-side-encryption': version.sse } : {}),
      ...(version.versionId !== 'null' ? { 'x-amz-version-id': version.versionId } : {}),
    },
  );
}

export async function abortMultipartUpload(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
): Promise<void> {
  assertBucketExists(s, bucket);
  s.store.abortUpload(g.operation.query.get('uploadId') ?? '', bucket, key);
  sendEmpty(g.res, 204);
}

export async function listParts(s: GatewayServices, g: GatewayRequest, bucket: string, key: string): Promise<void> {
  const upload = existingUpload(s, g, bucket, key);
  const marker = Number(g.operation.query.get('part-number-marker') ?? 0) || 0;
  const maxParts = Math.min(Number(g.operation.query.get('max-parts') ?? 1000) || 1000, 1000);
  const all = upload.parts.filter((p) => p.partNumber > marker);
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
        LastModified: new Date(p.lastModified).toISOString(),
        ETag: p.etag,
        Size: p.size,
        ...(p.checksum ? { [checksumElement(p.checksum[0])]: p.checksum[1] } : {}),
      })),
      Initiator: { ...owner },
      Owner: { ...owner },
      StorageClass: upload.attributes.storageClass,
    }),
    uploadSse(upload),
  );
}
