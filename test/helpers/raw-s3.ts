/**
 * Signed S3 requests written byte by byte on a socket of the test's own: what the SDK never does
 * (a part number spelled `07`, two requests pipelined on one connection, a client that hangs up
 * right after sending its body or never reads the answer).
 */
import { connect, type Socket } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../emulator/go-live/sha256.ts';
import type { TestStack } from './stack.ts';

export interface RawRequest {
  method: string;
  /** Path-style and already percent-encoded: `/bucket/key`. */
  path: string;
  /** Sent as written (`partNumber=07` stays `07`). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** The bytes of one HTTP/1.1 request, signed as `userName` (payload UNSIGNED-PAYLOAD). */
export async function signedRequestBytes(stack: TestStack, userName: string, request: RawRequest): Promise<Buffer> {
  const user = stack.workspace.iam.users.find((u) => u.name === userName)!;
  const url = new URL(stack.endpoint);
  const body = Buffer.from(request.body ?? '');
  const signer = new SignatureV4({
    service: 's3',
    region: stack.workspace.region,
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    sha256: Sha256,
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: request.path,
    query: request.query ?? {},
    headers: {
      host: url.host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-length': String(body.length),
      ...request.headers,
    },
  });
  const query = Object.entries(request.query ?? {})
    .map(([name, value]) => (value === '' ? name : `${name}=${value}`))
    .join('&');
  const head = [
    `${request.method} ${request.path}${query ? `?${query}` : ''} HTTP/1.1`,
    ...Object.entries(signed.headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head), body]);
}

export function openSocket(stack: TestStack): Promise<Socket> {
  const url = new URL(stack.endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

export interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Sends one request on a connection of its own and reads the answer (a body with content-length). */
export async function sendRaw(stack: TestStack, userName: string, request: RawRequest): Promise<RawAnswer> {
  const socket = await openSocket(stack);
  socket.write(await signedRequestBytes(stack, userName, request));
  const received: Buffer[] = [];
  return new Promise((resolve, reject) => {
    const parse = () => {
      const all = Buffer.concat(received);
      const end = all.indexOf('\r\n\r\n');
      if (end === -1) return undefined;
      const [statusLine, ...lines] = all.subarray(0, end).toString().split('\r\n');
      const headers = new Map(
        lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const length = request.method === 'HEAD' ? 0 : Number(headers.get('content-length') ?? 0);
      if (all.length < end + 4 + length) return undefined;
      return {
        status: Number(statusLine!.split(' ')[1]),
        headers,
        body: all.subarray(end + 4, end + 4 + length).toString(),
      };
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const answer = parse();
      if (answer) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', reject);
    socket.on('close', () =>
      reject(new Error(`the connection closed before a whole answer: ${Buffer.concat(received)}`)),
    );
  });
}

/** Resolves with the promise's value, or rejects naming `what` once `ms` have passed. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}
