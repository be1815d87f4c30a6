/**
 * Decodes `aws-chunked` request bodies (signed chunks, unsigned chunks with a trailer, signed
 * chunks with a signed trailer), verifying each chunk signature and returning the trailers.
 * The framing is never part of the object: the gateway stores the decoded bytes.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { ALGORITHM, EMPTY_SHA256, hmacHex, sha256Hex, signaturesEqual } from './sigv4.ts';
import { S3Error } from './s3-errors.ts';

export const STREAMING_PAYLOADS = {
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD': { signed: true, trailer: false },
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER': { signed: true, trailer: true },
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER': { signed: false, trailer: true },
} as const;
export type StreamingPayload = keyof typeof STREAMING_PAYLOADS;

export function isStreamingPayload(hash: string): hash is StreamingPayload {
  return hash in STREAMING_PAYLOADS;
}

/** What is needed to verify chunk signatures: the seed is the request's own signature. */
export interface ChunkSigning {
  key: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

const MAX_CHUNK_HEADER = 4096;

function malformed(detail: string): S3Error {
  return new S3Error('IncompleteBody', `The aws-chunked body is malformed: ${detail}`);
}

/**
 * Yields the decoded bytes; fills `trailers` (lower-case names) when the body ends.
 */
export async function* decodeAwsChunked(
  source: AsyncIterable<Buffer>,
  payload: StreamingPayload,
  signing: ChunkSigning | undefined,
  trailers: Map<string, string>,
): AsyncGenerator<Buffer> {
  const { signed, trailer } = STREAMING_PAYLOADS[payload];
  if (signed && !signing) throw malformed('signed chunks need a signed request');
  let previousSignature = signing?.seedSignature ?? '';
  let buffer: Buffer = Buffer.alloc(0);
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buffer = buffer.length === 0 ? next.value : Buffer.concat([buffer, next.value]);
    return true;
  };
  const readLine = async (): Promise<string> => {
    for (;;) {
      const end = buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        return line;
      }
      if (buffer.length > MAX_CHUNK_HEADER) throw malformed('a chunk header is too long');
      if (!(await fill())) throw malformed('the body ended inside a chunk header');
    }
  };
  const verifyChunk = (data: Buffer, signature: string | undefined) => {
    if (!signed || !signing) return;
    if (!signature) throw malformed('a chunk has no chunk-signature');
    const stringToSign = [
      `${ALGORITHM}-PAYLOAD`,
      signing.amzDate,
      signing.scope,
      previousSignature,
      EMPTY_SHA256,
      sha256Hex(data),
    ].join('\n');
    const expected = hmacHex(signing.key, stringToSign);
    if (!signaturesEqual(expected, signature)) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided (chunk signature).',
      );
    }
    previousSignature = signature;
  };

  for (;;) {
    const headerLine = await readLine();
    const [sizeText = '', ...extensions] = headerLine.split(';');
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw malformed(`bad chunk size "${sizeText}"`);
    const size = parseInt(sizeText, 16);
    const signature = extensions
      .map((e) => e.trim())
      .find((e) => e.startsWith('chunk-signature='))
      ?.slice('chunk-signature='.length);
    while (buffer.length < size + (size > 0 ? 2 : 0)) {
      if (!(await fill())) throw malformed('the body ended inside a chunk');
    }
    const data = buffer.subarray(0, size);
    verifyChunk(data, signature);
    if (size === 0) break;
    if (buffer[size] !== 0x0d || buffer[size + 1] !== 0x0a) throw malformed('a chunk does not end with CRLF');
    yield Buffer.from(data);
    buffer = buffer.subarray(size + 2);
  }

  // After the last chunk: optional trailer lines, then an empty line.
  const trailerLines: string[] = [];
  for (;;) {
    if (!trailer && buffer.length === 0 && ended) break;
    let line: string;
    try {
      line = await readLine();
    } catch (error) {
      if (!trailer && buffer.length === 0) break; // some clients omit the final CRLF
      throw error;
    }
    if (line === '') break;
    trailerLines.push(line);
  }
  let trailerSignature: string | undefined;
  for (const line of trailerLines) {
    const colon = line.indexOf(':');
    if (colon === -1) throw malformed(`bad trailer "${line}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') trailerSignature = value;
    else trailers.set(name, value);
  }
  if (signed && trailer && signing) {
    const canonicalTrailers = [...trailers].map(([n, v]) => `${n}:${v}\n`).join('');
    const stringToSign = [
      `${ALGORITHM}-TRAILER`,
      signing.amzDate,
      signing.scope,
      previousSignature,
      sha256Hex(canonicalTrailers),
    ].join('\n');
    if (!trailerSignature || !signaturesEqual(hmacHex(signing.key, stringToSign), trailerSignature)) {
      throw new S3Error(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided (trailer signature).',
      );
    }
  }
}
