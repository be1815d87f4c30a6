/**
 * Hands a decided request to s3rver's own handler, in the same process: auth stripped (the gateway
 * has verified it), the body already decoded and verified, the gateway's own metadata added; and
 * rewrites what comes back (request ids in error bodies, SSE headers, hidden metadata).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { SpooledBody } from './request-body.ts';

/** Metadata the gateway stores with objects and never shows to clients. */
export const RESERVED_META_PREFIX = 'x-amz-meta-s3harness-';
export const SSE_META = `${RESERVED_META_PREFIX}sse`;
export const UPLOADER_META = `${RESERVED_META_PREFIX}uploaded-by`;
/** The object's tags, in object-tags.ts's stored form; GET and HEAD answer their count. */
export const TAGGING_META = `${RESERVED_META_PREFIX}tagging`;
/** The version id of an object written to a versioned bucket (none: the `null` version); answered as x-amz-version-id. */
export const VERSION_META = `${RESERVED_META_PREFIX}version-id`;

/** The answer headers the gateway's own metadata stands for: the SSE, the tag count, the version id. */
export function reservedMetadataHeaders(metadata: Iterable<readonly [string, string]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of metadata) {
    if (name === SSE_META) headers['x-amz-server-side-encryption'] = value;
    else if (name === TAGGING_META) headers['x-amz-tagging-count'] = String(value.split('&').length);
    else if (name === VERSION_META) headers['x-amz-version-id'] = value;
  }
  return headers;
}

/** Headers the gateway consumed: authentication, payload framing and checksums. */
const CONSUMED_HEADERS =
  /^(authorization|x-amz-content-sha256|x-amz-decoded-content-length|x-amz-trailer|x-amz-checksum-.*|x-amz-sdk-checksum-algorithm|content-md5|x-amz-date|x-amz-security-token|expect|transfer-encoding|x-amz-server-side-encryption.*|x-amz-tagging.*)$/;
const AUTH_QUERY = /^X-Amz-(Algorithm|Credential|Date|Expires|SignedHeaders|Signature|Security-Token|Content-Sha256)$/;

export interface ForwardOptions {
  /** Path-style path, already encoded (`/bucket/key`). */
  path: string;
  rawQuery: string;
  body?: SpooledBody;
  extraHeaders?: Record<string, string>;
  /** Added to a successful response (`x-amz-server-side-encryption` on PutObject, say). */
  responseHeaders?: Record<string, string>;
  /**
   * Awaited before a successful response is ended: the drop is journaled here (and an upload part,
   * which s3rver still writes itself, is waited for until its bytes are all written).
   */
  beforeSuccessEnd?: () => Promise<void>;
  /** Renders the error answer when `beforeSuccessEnd` fails before anything was sent (the write is then not acknowledged). */
  errorAnswer?: (error: unknown) => { status: number; headers: Record<string, string>; body: string };
  requestId: string;
  hostId: string;
}

function forwardedHeaders(original: IncomingMessage, options: ForwardOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(original.headers)) {
    if (value === undefined || CONSUMED_HEADERS.test(name) || name.startsWith(RESERVED_META_PREFIX)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const encoding = (headers['content-encoding'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'aws-chunked');
  if (encoding.length) headers['content-encoding'] = encoding.join(',');
  else delete headers['content-encoding'];
  headers.host = '127.0.0.1';
  headers['content-length'] = String(options.body?.length ?? 0);
  return { ...headers, ...options.extraHeaders };
}

function forwardedQuery(rawQuery: string): string {
  return rawQuery
    .split('&')
    .filter((pair) => pair && !AUTH_QUERY.test(decodeURIComponent(pair.split('=')[0] ?? '')))
    .join('&');
}

/** Rewrites response headers just before they are sent. */
function interceptResponse(res: ServerResponse, initial: ForwardOptions): void {
  let options = initial;
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { writeHead: unknown }).writeHead = (...args: unknown[]) => {
    const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
    const reserved: [string, string][] = [];
    for (const name of res.getHeaderNames()) {
      if (!name.startsWith(RESERVED_META_PREFIX)) continue;
      reserved.push([name, String(res.getHeader(name))]);
      res.removeHeader(name);
    }
    if (status < 300) {
      for (const [name, value] of Object.entries(options.responseHeaders ?? {})) res.setHeader(name, value);
      for (const [name, value] of Object.entries(reservedMetadataHeaders(reserved)))
        if (!res.hasHeader(name)) res.setHeader(name, value);
    }
    return writeHead(...args);
  };
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { end: unknown }).end = (...args: unknown[]) => {
    const [chunk] = args;
    if (res.statusCode < 300 && options.beforeSuccessEnd) {
      const wait = options.beforeSuccessEnd;
      options = { ...options, beforeSuccessEnd: undefined };
      wait().then(
        () => end(...args),
        (error: unknown) => {
          if (res.headersSent || !options.errorAnswer) {
            console.error('[s3-harness] a write did not reach the disk:', error);
            res.destroy(error as Error);
            return;
          }
          // Nothing was sent yet: the client gets an error instead of the 200 (and may retry).
          const answer = options.errorAnswer(error);
          for (const name of res.getHeaderNames())
            if (name !== 'x-amz-request-id' && name !== 'x-amz-id-2' && name !== 'server') res.removeHeader(name);
          res.statusCode = answer.status;
          for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
          end(answer.body);
        },
      );
      return res;
    }
    if (res.statusCode >= 400 && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) && !res.headersSent) {
      const text = chunk.toString();
      if (text.includes('</Error>') && !text.includes('<RequestId>')) {
        const patched = text.replace(
          '</Error>',
          `<RequestId>${options.requestId}</RequestId><HostId>${options.hostId}</HostId></Error>`,
        );
        res.setHeader('content-length', Buffer.byteLength(patched));
        return end(patched, ...args.slice(1));
      }
    }
    return end(...args);
  };
}

export function forwardToStorage(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): void {
  const body = options.body ? options.body.open() : Readable.from([]);
  const query = forwardedQuery(options.rawQuery);
  const forwarded = Object.assign(body, {
    method: req.method,
    url: query ? `${options.path}?${query}` : options.path,
    headers: forwardedHeaders(req, options),
    rawHeaders: [] as string[],
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
  });
  interceptResponse(res, options);
  // s3rver may answer without reading the body (an error, say): never leave its stream open.
  res.once('close', () => body.destroy());
  handle(forwarded as unknown as IncomingMessage, res);
}
