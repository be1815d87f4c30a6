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

/** The body, buffered: whole lines (chunk headers, trailers) and a chunk's bytes, read as they arrive. */
class BodyReader {
  buffer: Buffer = Buffer.alloc(0);
  ended = false;
  readonly #iterator: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Reads more of the body; false once it has ended. */
  async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.#iterator.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    this.buffer = this.buffer.length === 0 ? next.value : Buffer.concat([this.buffer, next.value]);
    return true;
  }

  async readLine(): Promise<string> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n');
      if (end !== -1) {
        const line = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      if (this.buffer.length > MAX_CHUNK_HEADER) throw malformed('a chunk header is too long');
      if (!(await this.fill())) throw malformed('the body ended inside a chunk header');
    }
  }

  /** Waits until `length` bytes are buffered. */
  async need(length: number): Promise<void> {
    while (this.buffer.length < length) {
      if (!(await this.fill())) throw malformed('the body ended inside a chunk');
    }
  }
}

/** A chunk header `size;chunk-signature=...`: its size and signature. */
function parseChunkHeader(line: string): { size: number; signature: string | undefined } {
  const [sizeText = '', ...extensions] = line.split(';');
  if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw malformed(`bad chunk size "${sizeText}"`);
  const signature = extensions
    .map((e) => e.trim())
    .find((e) => e.startsWith('chunk-signature='))
    ?.slice('chunk-signature='.length);
  return { size: parseInt(sizeText, 16), signature };
}

function signatureMismatch(of: 'chunk' | 'trailer'): S3Error {
  return new S3Error(
    'SignatureDoesNotMatch',
    `The request signature we calculated does not match the signature you provided (${of} signature).`,
  );
}

/** Checks one chunk's signature, chained on the previous one; answers it, the next chunk's previous. */
function verifyChunk(signing: ChunkSigning, previousSignature: string, data: Buffer, signature?: string): string {
  if (!signature) throw malformed('a chunk has no chunk-signature');
  const stringToSign = [
    `${ALGORITHM}-PAYLOAD`,
    signing.amzDate,
    signing.scope,
    previousSignature,
    EMPTY_SHA256,
    sha256Hex(data),
  ].join('\n');
  if (!signaturesEqual(hmacHex(signing.key, stringToSign), signature)) throw signatureMismatch('chunk');
  return signature;
}

/** After the last chunk: optional trailer lines, then an empty line. */
async function readTrailerLines(body: BodyReader, trailer: boolean): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    if (!trailer && body.buffer.length === 0 && body.ended) break;
    let line: string;
    try {
      line = await body.readLine();
    } catch (error) {
      if (!trailer && body.buffer.length === 0) break; // some clients omit the final CRLF
      throw error;
    }
    if (line === '') break;
    lines.push(line);
  }
  return lines;
}

/** Fills `trailers` from their lines; answers the trailer signature, if one was sent. */
function parseTrailers(lines: readonly string[], trailers: Map<string, string>): string | undefined {
  let signature: string | undefined;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon === -1) throw malformed(`bad trailer "${line}"`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') signature = value;
    else trailers.set(name, value);
  }
  return signature;
}

function verifyTrailers(
  signing: ChunkSigning,
  previousSignature: string,
  trailers: ReadonlyMap<string, string>,
  signature: string | undefined,
): void {
  const canonicalTrailers = [...trailers].map(([n, v]) => `${n}:${v}\n`).join('');
  const stringToSign = [
    `${ALGORITHM}-TRAILER`,
    signing.amzDate,
    signing.scope,
    previousSignature,
    sha256Hex(canonicalTrailers),
  ].join('\n');
  if (!signature || !signaturesEqual(hmacHex(signing.key, stringToSign), signature)) throw signatureMismatch('trailer');
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
  const verifying = signed ? signing : undefined;
  let previousSignature = signing?.seedSignature ?? '';
  const body = new BodyReader(source);
  for (;;) {
    const { size, signature } = parseChunkHeader(await body.readLine());
    await body.need(size + (size > 0 ? 2 : 0));
    const data = body.buffer.subarray(0, size);
    if (verifying) previousSignature = verifyChunk(verifying, previousSignature, data, signature);
    if (size === 0) break;
    if (body.buffer[size] !== 0x0d || body.buffer[size + 1] !== 0x0a) throw malformed('a chunk does not end with CRLF');
    yield Buffer.from(data);
    body.buffer = body.buffer.subarray(size + 2);
  }
  const trailerSignature = parseTrailers(await readTrailerLines(body, trailer), trailers);
  if (verifying && trailer) verifyTrailers(verifying, previousSignature, trailers, trailerSignature);
}
