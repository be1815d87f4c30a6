/**
 * Reads a request body completely before anything is stored: decodes aws-chunked framing, checks
 * the declared SHA-256, Content-MD5 and flexible checksums, and keeps the bytes in memory (small
 * bodies) or in a temporary file. A body that fails a check is never handed to storage, and an
 * interrupted upload leaves nothing behind, as on S3.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { decodeAwsChunked, isStreamingPayload, type ChunkSigning } from './aws-chunked.ts';
import {
  CHECKSUM_ALGORITHMS,
  checksumAlgorithmOfHeader,
  checksumAlgorithmOfName,
  checksumHeaderName,
  createChecksum,
  type ChecksumAlgorithm,
  type IncrementalChecksum,
} from './checksums.ts';
import { S3Error } from './s3-errors.ts';

export interface BodyOptions {
  /** Bodies larger than this go to a temporary file. @default 8 MiB */
  memoryLimitBytes: number;
  /** Where temporary files go. */
  spoolDirectory: string;
}

/** A body read in full and verified: in memory (`bytes`) or in a temporary file (`file`). */
export interface SpooledBody {
  length: number;
  /** The MD5 of the bytes, hex: an object's ETag. */
  md5Hex: string;
  /** The whole-body checksum the client sent (header or trailer) and the gateway verified. */
  checksum?: readonly [ChecksumAlgorithm, string];
  bytes?: Buffer;
  file?: string;
  open(): Readable;
  text(): Promise<string>;
  dispose(): Promise<void>;
}

export interface BodyRequest {
  source: AsyncIterable<Buffer>;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The declared payload hash (`x-amz-content-sha256` or `UNSIGNED-PAYLOAD`); undefined for anonymous requests. */
  payloadHash: string | undefined;
  signing: ChunkSigning | undefined;
}

function headerValue(headers: BodyRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function readRequestBody(request: BodyRequest, options: BodyOptions): Promise<SpooledBody> {
  const { headers, payloadHash } = request;
  assertBodyHeaders(headers);
  const streaming = payloadHash !== undefined && isStreamingPayload(payloadHash);
  const trailers = new Map<string, string>();
  const body = streaming ? decodeAwsChunked(request.source, payloadHash, request.signing, trailers) : request.source;

  const md5 = createHash('md5');
  const sha256 = payloadHash && /^[0-9a-f]{64}$/i.test(payloadHash) ? createHash('sha256') : undefined;
  const checksums = new Map<ChecksumAlgorithm, IncrementalChecksum>();
  const trailerNames = (headerValue(headers, 'x-amz-trailer') ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const name of [...Object.keys(headers), ...trailerNames]) {
    const algorithm = checksumAlgorithmOfHeader(name);
    if (algorithm && name.toLowerCase().startsWith('x-amz-checksum-') && !checksums.has(algorithm))
      checksums.set(algorithm, createChecksum(algorithm));
  }

  const chunks: Buffer[] = [];
  let length = 0;
  let spool: SpoolFile | undefined;
  try {
    for await (const chunk of body) {
      md5.update(chunk);
      sha256?.update(chunk);
      for (const c of checksums.values()) c.update(chunk);
      length += chunk.length;
      if (spool) await spool.write(chunk);
      else {
        chunks.push(chunk);
        if (length > options.memoryLimitBytes) {
          spool = new SpoolFile(join(options.spoolDirectory, `upload-${randomBytes(8).toString('hex')}`));
          for (const c of chunks.splice(0)) await spool.write(c);
        }
      }
    }
    await spool?.end();
  } catch (error) {
    await spool?.discard();
    // The client went away mid-body: nothing is stored, as on S3.
    if ((error as NodeJS.ErrnoException).code === 'ECONNRESET') throw new S3Error('IncompleteBody');
    throw error;
  }
  const md5Hex = md5.digest('hex');
  const spooled = spooledBody(length, md5Hex, spool?.path, chunks);
  try {
    const checksum = verifyBody({
      headers,
      payloadHash,
      streaming,
      length,
      sha256Hex: sha256?.digest('hex'),
      md5Hex,
      checksums,
      trailers,
    });
    if (checksum) spooled.checksum = checksum;
  } catch (error) {
    await spooled.dispose();
    throw error;
  }
  return spooled;
}

/**
 * A body being written to a temporary file. The file system's refusal (a full disk) is an error of the
 * write that meets it, never an 'error' event nobody listens to.
 */
class SpoolFile {
  readonly #stream: WriteStream;
  #failure: Error | undefined;
  constructor(readonly path: string) {
    this.#stream = createWriteStream(path);
    this.#stream.on('error', (error) => (this.#failure ??= error));
  }
  async write(chunk: Buffer): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (!this.#stream.write(chunk)) await once(this.#stream, 'drain'); // rejects on 'error'
  }
  async end(): Promise<void> {
    this.#stream.end();
    await finished(this.#stream);
    if (this.#failure) throw this.#failure;
  }
  async discard(): Promise<void> {
    this.#stream.destroy();
    await rm(this.path, { force: true });
  }
}

function spooledBody(length: number, md5Hex: string, path: string | undefined, chunks: Buffer[]): SpooledBody {
  const buffer = path ? undefined : Buffer.concat(chunks);
  return {
    length,
    md5Hex,
    ...(buffer ? { bytes: buffer } : { file: path! }),
    open: () => (path ? createReadStream(path) : Readable.from(buffer!.length ? [buffer!] : [])),
    text: async () => {
      if (buffer) return buffer.toString('utf8');
      const parts: Buffer[] = [];
      for await (const part of createReadStream(path!)) parts.push(part as Buffer);
      return Buffer.concat(parts).toString('utf8');
    },
    dispose: async () => {
      if (path) await rm(path, { force: true });
    },
  };
}

interface BodyFacts {
  headers: BodyRequest['headers'];
  payloadHash: string | undefined;
  streaming: boolean;
  length: number;
  sha256Hex: string | undefined;
  md5Hex: string;
  checksums: Map<ChecksumAlgorithm, IncrementalChecksum>;
  trailers: Map<string, string>;
}

/** Throws the S3 error for the first check the body fails; answers the verified whole-body checksum, if any. */
function verifyBody(facts: BodyFacts): readonly [ChecksumAlgorithm, string] | undefined {
  const { headers } = facts;
  if (facts.sha256Hex !== undefined && facts.sha256Hex !== facts.payloadHash!.toLowerCase()) {
    throw new S3Error('XAmzContentSHA256Mismatch', undefined, {
      ClientComputedContentSHA256: facts.payloadHash!,
      S3ComputedContentSHA256: facts.sha256Hex,
    });
  }
  if (facts.streaming) {
    const declared = headerValue(headers, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== facts.length) {
      throw new S3Error(
        'IncompleteBody',
        `The decoded body has ${facts.length} bytes but x-amz-decoded-content-length says ${declared}.`,
      );
    }
  }
  const contentMd5 = headerValue(headers, 'content-md5');
  if (contentMd5 !== undefined) {
    const declared = Buffer.from(contentMd5, 'base64');
    if (declared.length !== 16) throw new S3Error('InvalidDigest');
    if (declared.toString('hex') !== facts.md5Hex) {
      throw new S3Error('BadDigest', undefined, {
        ExpectedDigest: contentMd5,
        CalculatedDigest: Buffer.from(facts.md5Hex, 'hex').toString('base64'),
      });
    }
  }
  let verified: readonly [ChecksumAlgorithm, string] | undefined;
  for (const [algorithm, checksum] of facts.checksums) {
    const name = checksumHeaderName(algorithm);
    const declared = headerValue(headers, name) ?? facts.trailers.get(name);
    if (declared === undefined) {
      throw new S3Error('InvalidRequest', `The request announced a ${name} trailer but did not send it.`);
    }
    const computed = checksum.digestBase64();
    if (declared !== computed) {
      throw new S3Error(
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
    verified ??= [algorithm, computed];
  }
  return verified;
}

/**
 * Headers about the body that must be well formed before it is read: a checksum algorithm S3 has, a
 * decoded length that is a number.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
function assertBodyHeaders(headers: BodyRequest['headers']): void {
  const algorithm =
    headerValue(headers, 'x-amz-checksum-algorithm') ?? headerValue(headers, 'x-amz-sdk-checksum-algorithm');
  if (algorithm !== undefined && checksumAlgorithmOfName(algorithm) === undefined)
    throw new S3Error(
      'InvalidRequest',
      `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.map((a) => a.toUpperCase()).join(', ')}]`,
    );
  const decodedLength = headerValue(headers, 'x-amz-decoded-content-length');
  if (decodedLength !== undefined && !/^\d+$/.test(decodedLength))
    throw new S3Error('InvalidArgument', 'x-amz-decoded-content-length must be a number of bytes', {
      ArgumentName: 'x-amz-decoded-content-length',
      ArgumentValue: decodedLength,
    });
}
