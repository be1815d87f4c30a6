/**
 * The answer to GET and HEAD of an object version: its headers, one range, the conditional headers,
 * `response-*` overrides and, when asked (`x-amz-checksum-mode: ENABLED`), its checksum. The bytes come
 * from a file that is never written again, opened in the same turn as the lookup (store/object-store.ts):
 * the reader holds nothing while the client reads, and a write committed meanwhile changes nothing it sends.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { pipeline } from 'node:stream/promises';
import { headerOf, type GatewayRequest, type GatewayServices } from './context.ts';
import { checksumHeader, checksumType } from './checksums.ts';
import { partNumberOf } from './multipart-handlers.ts';
import { S3Error } from './s3-errors.ts';
import { checksumHeaders, objectHeaders, type ObjectVersion } from './store/object-record.ts';

/** `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; undefined (the whole body) for anything else, as S3 ignores it. */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const suffix = match[1] === '';
  const start = suffix ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = suffix || match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end || (suffix && Number(match[2]) === 0))
    throw new S3Error('InvalidRange', undefined, { RangeRequested: header!, ActualObjectSize: String(size) });
  return { start, end };
}

/** 304 or 412 for a failed If-None-Match / If-Modified-Since / If-Match / If-Unmodified-Since. */
function preconditionStatus(g: GatewayRequest, version: ObjectVersion): number | undefined {
  const ifMatch = headerOf(g.req, 'if-match');
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== version.etag) return 412;
  const unmodifiedSince = Date.parse(headerOf(g.req, 'if-unmodified-since') ?? '');
  if (ifMatch === undefined && unmodifiedSince < version.lastModified - 999) return 412;
  const ifNoneMatch = headerOf(g.req, 'if-none-match');
  if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || ifNoneMatch === version.etag)) return 304;
  const modifiedSince = Date.parse(headerOf(g.req, 'if-modified-since') ?? '');
  if (ifNoneMatch === undefined && modifiedSince >= version.lastModified - 999) return 304;
  return undefined;
}

/** The headers GET may override with `response-*` query parameters (signed requests only). */
const OVERRIDABLE = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

function responseOverrides(g: GatewayRequest): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const [name, value] of g.operation.query) {
    if (!name.startsWith('response-')) continue;
    const header = name.slice('response-'.length);
    if (!OVERRIDABLE.includes(header))
      throw new S3Error(
        'InvalidArgument',
        `${name} is not in the set of overridable response headers. Please refer to the S3 API documentation for a complete list of overridable response headers.`,
        { ArgumentName: name, ArgumentValue: value },
      );
    overrides[header] = value;
  }
  if (Object.keys(overrides).length > 0 && g.caller.principal.kind === 'anonymous')
    throw new S3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
  return overrides;
}

/**
 * Answers a version looked up in the same turn as this call (its bytes are opened before any other
 * request can run).
 */
export async function sendObjectVersion(
  s: GatewayServices,
  g: GatewayRequest,
  bucket: string,
  key: string,
  version: ObjectVersion,
): Promise<void> {
  const headers = objectHeaders(version, { versionIdAsked: g.operation.query.has('versionId') });
  const status = preconditionStatus(g, version);
  if (status === 412) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  if (status === 304) {
    g.res.writeHead(304, { etag: headers.etag!, 'last-modified': headers['last-modified']! });
    g.res.end();
    return;
  }
  const part = partOf(g, version);
  const range = part?.range ?? byteRange(headerOf(g.req, 'range'), version.size);
  const checksums = !range && headerOf(g.req, 'x-amz-checksum-mode') === 'ENABLED' ? checksumHeaders(version) : {};
  const answer = { ...headers, ...checksums, ...(part?.headers ?? {}), ...responseOverrides(g) };
  const length = range ? range.end - range.start + 1 : version.size;
  const head = {
    ...answer,
    'content-length': length,
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${version.size}` } : {}),
  };
  if (g.req.method === 'HEAD' || length === 0) {
    g.res.writeHead(range ? 206 : 200, head);
    g.res.end();
    return;
  }
  const handle = await s.store.openBody(bucket, key, version);
  const body = handle.createReadStream(range ?? {});
  g.res.writeHead(range ? 206 : 200, head);
  // A client that goes away mid-body ends the stream (and closes the file); a read error cuts the answer short.
  pipeline(body, g.res).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE' && error.code !== 'ECONNRESET' && error.code !== 'EPIPE')
      console.error(`[s3-harness] reading s3://${bucket}/${key} failed mid-answer: ${error.message}`);
  });
}

/**
 * GET or HEAD with `partNumber`: that part of a multipart object (its bytes, `x-amz-mp-parts-count`);
 * part 1 of any other object is the whole object. A part past the last is 400 InvalidPart.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (partNumber)
 */
function partOf(
  g: GatewayRequest,
  version: ObjectVersion,
): { range?: { start: number; end: number }; headers: Record<string, string> } | undefined {
  if (!g.operation.query.has('partNumber')) return undefined;
  const partNumber = partNumberOf(g);
  if (headerOf(g.req, 'range') !== undefined)
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  const parts = version.parts ?? [{ size: version.size }];
  // 400 InvalidPart, as ceph/s3-tests (test_multipart_get_part) and Ozone (HDDS-15740) observed of AWS.
  if (partNumber > parts.length)
    throw new S3Error('InvalidPart', undefined, {
      PartNumberRequested: partNumber,
      ActualPartCount: parts.length,
    });
  if (!version.parts) return { headers: {} };
  const start = parts.slice(0, partNumber - 1).reduce((sum, part) => sum + part.size, 0);
  const { size, checksum } = parts[partNumber - 1]!;
  // With checksum mode, the part's own checksum, and the object's checksum type.
  const checksums: Record<string, string> =
    checksum && version.checksum && headerOf(g.req, 'x-amz-checksum-mode') === 'ENABLED'
      ? { ...checksumHeader(checksum), 'x-amz-checksum-type': checksumType(version.checksum[1]) }
      : {};
  return {
    ...(size > 0 ? { range: { start, end: start + size - 1 } } : {}),
    headers: { 'x-amz-mp-parts-count': String(parts.length), ...checksums },
  };
}
