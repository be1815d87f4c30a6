/**
 * An object's answer written by the gateway rather than s3rver: an older version, and a ranged GET
 * (s3rver 3.7.1 reads `bytes=0-0` as the whole object and `bytes=-N` as the first N+1 bytes). One
 * range, the conditional headers, and the stored metadata as S3's headers.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { once } from 'node:events';
import { headerOf, type GatewayRequest } from './context.ts';
import { RESERVED_META_PREFIX, reservedMetadataHeaders } from './forward.ts';
import { S3Error } from './s3-errors.ts';

export interface StoredObject {
  metadata: Record<string, string>;
  etag: string;
  size: number;
  lastModified: Date;
  versionId?: string;
}

const STANDARD_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

function objectHeaders(object: StoredObject): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': object.metadata['content-type'] ?? 'binary/octet-stream',
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    ...reservedMetadataHeaders(Object.entries(object.metadata)),
    ...(object.versionId !== undefined ? { 'x-amz-version-id': object.versionId } : {}),
  };
  for (const [name, value] of Object.entries(object.metadata)) {
    if (name.startsWith(RESERVED_META_PREFIX)) continue;
    if (name.startsWith('x-amz-meta-') || STANDARD_HEADERS.includes(name)) headers[name] = value;
  }
  return headers;
}

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
function preconditionStatus(g: GatewayRequest, object: StoredObject): number | undefined {
  const ifMatch = headerOf(g.req, 'if-match');
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== object.etag) return 412;
  const unmodifiedSince = Date.parse(headerOf(g.req, 'if-unmodified-since') ?? '');
  if (ifMatch === undefined && unmodifiedSince < object.lastModified.getTime() - 999) return 412;
  const ifNoneMatch = headerOf(g.req, 'if-none-match');
  if (ifNoneMatch !== undefined && (ifNoneMatch === '*' || ifNoneMatch === object.etag)) return 304;
  const modifiedSince = Date.parse(headerOf(g.req, 'if-modified-since') ?? '');
  if (ifNoneMatch === undefined && modifiedSince >= object.lastModified.getTime() - 999) return 304;
  return undefined;
}

/**
 * Answers the object from `bodyPath`. The file is open before this resolves: a caller holding the
 * key's lock may release it then (the reader keeps the file it opened).
 */
export async function sendStoredObject(g: GatewayRequest, object: StoredObject, bodyPath: string): Promise<void> {
  const headers = objectHeaders(object);
  const status = preconditionStatus(g, object);
  if (status === 412) throw new S3Error('PreconditionFailed', undefined, { Condition: 'If-Match' });
  if (status === 304) {
    g.res.writeHead(304, { etag: headers.etag!, 'last-modified': headers['last-modified']! });
    g.res.end();
    return;
  }
  const range = byteRange(headerOf(g.req, 'range'), object.size);
  const length = range ? range.end - range.start + 1 : object.size;
  let body: ReadStream | undefined;
  if (g.req.method !== 'HEAD' && length > 0) {
    body = createReadStream(bodyPath, range ?? {});
    await once(body, 'open');
  }
  g.res.writeHead(range ? 206 : 200, {
    ...headers,
    'content-length': length,
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${object.size}` } : {}),
  });
  if (body) body.pipe(g.res);
  else g.res.end();
}
