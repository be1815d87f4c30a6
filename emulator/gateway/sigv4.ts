/**
 * Verifies AWS Signature Version 4, in the Authorization header and in presigned query strings.
 * The canonical request uses the path exactly as received (S3 does not normalise or re-encode it).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Error } from './s3-errors.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** AWS allows 15 minutes between the request's date and the server's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** A presigned URL is valid for at most seven days. */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

export interface SignedRequestParts {
  method: string;
  /** The raw path as received, still percent-encoded. */
  rawPath: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  /** Lower-case header names; repeated headers as lists. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Credential {
  accessKeyId: string;
  date: string; // YYYYMMDD
  region: string;
  service: string;
}

export interface ParsedSignature {
  mechanism: 'header' | 'query';
  credential: Credential;
  signedHeaders: string[];
  signature: string;
  /** `20261128T055304Z` */
  amzDate: string;
  payloadHash: string;
  /** Presigned URLs only. */
  expiresSeconds?: number;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

const signingKeys = new Map<string, Buffer>();
const MAX_CACHED_KEYS = 1000;

/** The derived key changes once a day per secret and scope; cached, as AWS's SDKs do. */
export function signingKey(secret: string, credential: Credential): Buffer {
  const cacheKey = `${secret}\n${credential.date}\n${credential.region}\n${credential.service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    const kDate = hmac(`AWS4${secret}`, credential.date);
    key = hmac(hmac(hmac(kDate, credential.region), credential.service), 'aws4_request');
    if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

export function scopeOf(credential: Credential): string {
  return `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

export function signaturesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 3986 encoding as SigV4 requires: everything but unreserved characters. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseQuery(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq === -1 ? [safeDecode(pair), ''] : [safeDecode(pair.slice(0, eq)), safeDecode(pair.slice(eq + 1))];
    });
}

function parseCredential(text: string, malformed: (message: string) => S3Error): Credential {
  const parts = text.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!)) {
    throw malformed(
      `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request", got "${text}"`,
    );
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

/** Reads the signature of a request; undefined for an anonymous request. */
export function parseSignature(request: SignedRequestParts): ParsedSignature | undefined {
  const authorization = header(request.headers, 'authorization');
  const query = new Map(parseQuery(request.rawQuery));
  const inQuery = query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature');
  if (authorization !== undefined && inQuery) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
  }
  if (authorization !== undefined) return parseAuthorizationHeader(authorization, request);
  if (inQuery) return parsePresignedQuery(query);
  if (query.has('Signature') || query.has('AWSAccessKeyId')) {
    throw new S3Error(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  return undefined;
}

function parseAuthorizationHeader(authorization: string, request: SignedRequestParts): ParsedSignature {
  const malformed = (message: string) =>
    new S3Error('AuthorizationHeaderMalformed', `The authorization header is malformed; ${message}`);
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw new S3Error(
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq !== -1) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature)
    throw malformed('it must hold Credential, SignedHeaders and Signature');
  const amzDate = header(request.headers, 'x-amz-date') ?? '';
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  }
  const payloadHash = header(request.headers, 'x-amz-content-sha256');
  if (!payloadHash)
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  return {
    mechanism: 'header',
    credential: parseCredential(credential, malformed),
    signedHeaders: signedHeaders.split(';'),
    signature,
    amzDate,
    payloadHash,
  };
}

function parsePresignedQuery(query: Map<string, string>): ParsedSignature {
  const malformed = (message: string) => new S3Error('AuthorizationQueryParametersError', message);
  if (query.get('X-Amz-Algorithm') !== ALGORITHM) throw malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const required = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
  const missing = required.filter((name) => !query.get(name));
  if (missing.length)
    throw malformed(
      `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; missing ${missing.join(', ')}`,
    );
  const expires = Number(query.get('X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 0) throw malformed('X-Amz-Expires should be a number');
  if (expires > MAX_PRESIGNED_EXPIRES_SECONDS)
    throw malformed('X-Amz-Expires must be less than a week (in seconds) that is 604800');
  const amzDate = query.get('X-Amz-Date')!;
  if (!/^\d{8}T\d{6}Z$/.test(amzDate))
    throw malformed("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  return {
    mechanism: 'query',
    credential: parseCredential(query.get('X-Amz-Credential')!, malformed),
    signedHeaders: query.get('X-Amz-SignedHeaders')!.split(';'),
    signature: query.get('X-Amz-Signature')!,
    amzDate,
    payloadHash: query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    expiresSeconds: expires,
  };
}

function header(headers: SignedRequestParts['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function canonicalRequest(request: SignedRequestParts, parsed: ParsedSignature): string {
  const query = parseQuery(request.rawQuery)
    .filter(([name]) => !(parsed.mechanism === 'query' && name === 'X-Amz-Signature'))
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = parsed.signedHeaders
    .map((name) => {
      const raw = request.headers[name];
      const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      return `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
    })
    .join('');
  return [
    request.method,
    request.rawPath || '/',
    query,
    headers,
    parsed.signedHeaders.join(';'),
    parsed.payloadHash,
  ].join('\n');
}

export function amzDateToMs(amzDate: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)!;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Only what was signed is honoured: every `x-amz-*` header must be in SignedHeaders, for presigned URLs
 * too (their `x-amz-*` values go in the query instead), or S3 answers AccessDenied naming the headers.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (CanonicalHeaders:
 * "any x-amz-* headers that you plan to include in your request must also be added")
 */
export function assertHeadersSigned(request: SignedRequestParts, parsed: ParsedSignature): void {
  const signed = new Set(parsed.signedHeaders);
  const unsigned = Object.keys(request.headers).filter((name) => name.startsWith('x-amz-') && !signed.has(name));
  if (unsigned.length)
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
}

/**
 * The credential scope must name this endpoint's service and region, as S3's does.
 * `regionExempt`: CreateBucket may be signed for the region the bucket is created in.
 */
export function assertScope(
  parsed: ParsedSignature,
  expected: { region: string; service: 's3' },
  regionExempt: boolean,
): void {
  const query = parsed.mechanism === 'query';
  const code = query ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed';
  const lead = query ? 'Error parsing the X-Amz-Credential parameter;' : 'The authorization header is malformed;';
  const { service, region } = parsed.credential;
  if (service !== expected.service)
    throw new S3Error(code, `${lead} incorrect service "${service}". This endpoint belongs to "${expected.service}".`);
  if (!regionExempt && region !== expected.region) {
    throw new S3Error(code, `${lead} the region '${region}' is wrong; expecting '${expected.region}'`, {
      Region: expected.region,
    });
  }
}

/**
 * The workspace's users have long-term keys only: a session token cannot belong to them.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (InvalidToken)
 */
export function assertNoSessionToken(request: SignedRequestParts, query: ReadonlyMap<string, string>): void {
  if (request.headers['x-amz-security-token'] !== undefined || query.has('X-Amz-Security-Token'))
    throw new S3Error('InvalidToken', undefined, { Token: '' });
}

/**
 * Checks the signature with the user's secret and the request's time against `now`.
 * Returns the signing key, which chunked uploads need to verify each chunk.
 */
export function verifySignature(
  request: SignedRequestParts,
  parsed: ParsedSignature,
  secret: string,
  now: number,
): Buffer {
  const requestTime = amzDateToMs(parsed.amzDate);
  if (parsed.mechanism === 'header' && Math.abs(now - requestTime) > MAX_CLOCK_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: parsed.amzDate,
      ServerTime: isoOf(now),
      MaxAllowedSkewMilliseconds: MAX_CLOCK_SKEW_MS,
    });
  }
  if (parsed.credential.date !== parsed.amzDate.slice(0, 8)) {
    throw new S3Error(
      parsed.mechanism === 'header' ? 'AuthorizationHeaderMalformed' : 'AuthorizationQueryParametersError',
      `Invalid credential date "${parsed.credential.date}". This date is not the same as X-Amz-Date: "${parsed.amzDate.slice(0, 8)}".`,
    );
  }
  if (!parsed.signedHeaders.includes('host')) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', {
      HeadersNotSigned: 'host',
    });
  }
  const canonical = canonicalRequest(request, parsed);
  const stringToSign = [ALGORITHM, parsed.amzDate, scopeOf(parsed.credential), sha256Hex(canonical)].join('\n');
  const key = signingKey(secret, parsed.credential);
  const expected = hmacHex(key, stringToSign);
  if (!signaturesEqual(expected, parsed.signature.toLowerCase())) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: parsed.credential.accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: parsed.signature,
      CanonicalRequest: canonical,
    });
  }
  if (parsed.mechanism === 'query') {
    if (requestTime - now > MAX_CLOCK_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
    if (now > requestTime + (parsed.expiresSeconds ?? 0) * 1000) {
      throw new S3Error('AccessDenied', 'Request has expired', {
        'X-Amz-Expires': parsed.expiresSeconds ?? 0,
        Expires: isoOf(requestTime + (parsed.expiresSeconds ?? 0) * 1000),
        ServerTime: isoOf(now),
      });
    }
  }
  return key;
}
