/**
 * GetObjectAttributes: what `x-amz-object-attributes` asks of a version (ETag, Checksum, ObjectParts,
 * StorageClass, ObjectSize) without its bytes; the parts of a multipart object paged by
 * `x-amz-max-parts` and `x-amz-part-number-marker`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html
 */
import { assertBucketExists } from './access.ts';
import { checksumElement, checksumType } from './checksums.ts';
import { headerOf, sendXml, type GatewayRequest, type GatewayServices } from './context.ts';
import { S3Error } from './s3-errors.ts';
import type { ObjectVersion } from './store/object-record.ts';
import { versionToRead } from './versioning.ts';
import { xmlDocument, type XmlElement } from './xml.ts';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

const MAX_PARTS = 1000;

function requestedAttributes(g: GatewayRequest): Set<Attribute> {
  const header = headerOf(g.req, 'x-amz-object-attributes');
  const names = (header ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0)
    throw new S3Error(
      'InvalidArgument',
      'x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty',
      { ArgumentName: 'x-amz-object-attributes', ArgumentValue: header ?? '' },
    );
  const unknown = names.find((name) => !(ATTRIBUTES as readonly string[]).includes(name));
  if (unknown !== undefined)
    throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', {
      ArgumentName: 'x-amz-object-attributes',
      ArgumentValue: unknown,
    });
  return new Set(names as Attribute[]);
}

function numberHeader(g: GatewayRequest, name: string, fallback: number): number {
  const text = headerOf(g.req, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim()))
    throw new S3Error('InvalidArgument', `${name} must be a whole number`, { ArgumentName: name, ArgumentValue: text });
  return Number(text);
}

function objectParts(g: GatewayRequest, version: ObjectVersion): XmlElement | undefined {
  if (!version.parts) return undefined;
  const maxParts = Math.min(numberHeader(g, 'x-amz-max-parts', MAX_PARTS), MAX_PARTS);
  const marker = numberHeader(g, 'x-amz-part-number-marker', 0);
  const numbered = version.parts.map((part, i) => ({ ...part, partNumber: i + 1 }));
  const after = numbered.filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  return {
    PartsCount: version.parts.length, // the SDK's TotalPartsCount
    PartNumberMarker: marker,
    ...(truncated ? { NextPartNumberMarker: page[page.length - 1]!.partNumber } : {}),
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page.map((part) => ({
      PartNumber: part.partNumber,
      Size: part.size,
      ...(part.checksum ? { [checksumElement(part.checksum[0])]: part.checksum[1] } : {}),
    })),
  };
}

export async function getObjectAttributes(s: GatewayServices, g: GatewayRequest, bucket: string, key: string) {
  const wanted = requestedAttributes(g);
  assertBucketExists(s, bucket);
  const version = versionToRead(s, g, bucket, key);
  const parts = wanted.has('ObjectParts') ? objectParts(g, version) : undefined;
  const checksum = wanted.has('Checksum') && version.checksum ? version.checksum : undefined;
  const body: XmlElement = {
    ...(wanted.has('ETag') ? { ETag: version.etag.replace(/"/g, '') } : {}),
    ...(checksum
      ? { Checksum: { [checksumElement(checksum[0])]: checksum[1], ChecksumType: checksumType(checksum[1]) } }
      : {}),
    ...(parts ? { ObjectParts: parts } : {}),
    ...(wanted.has('StorageClass') ? { StorageClass: version.storageClass } : {}),
    ...(wanted.has('ObjectSize') ? { ObjectSize: version.size } : {}),
  };
  const versioned = version.versionId !== 'null' || g.operation.query.has('versionId');
  sendXml(g.res, 200, xmlDocument('GetObjectAttributesResponse', body), {
    'last-modified': new Date(version.lastModified).toUTCString(),
    ...(versioned ? { 'x-amz-version-id': version.versionId } : {}),
  });
}
