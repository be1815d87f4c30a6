/**
 * A handler's request body, read once the request has been decided: a waiting client (`Expect: 100-continue`)
 * is told to send it, and it is spooled and verified (request-body.ts) with the request's signing.
 */
import { awaitingContinue, type GatewayRequest, type GatewayServices } from './context.ts';
import { readRequestBody, type SpooledBody } from './request-body.ts';

export interface ReadBodyOptions {
  /** The `x-amz-checksum-*` headers are the object's (CompleteMultipartUpload), not this body's. */
  checksumHeadersOfObject?: boolean;
}

export async function readBody(
  s: GatewayServices,
  g: GatewayRequest,
  options: ReadBodyOptions = {},
): Promise<SpooledBody> {
  // The request has been decided by now: let a waiting client send its body.
  if (awaitingContinue.delete(g.req)) g.res.writeContinue();
  const headers = options.checksumHeadersOfObject
    ? Object.fromEntries(Object.entries(g.req.headers).filter(([name]) => !name.startsWith('x-amz-checksum-')))
    : g.req.headers;
  return readRequestBody({ source: g.req, headers, payloadHash: g.payloadHash, signing: g.signing }, s.body);
}

export async function withBodyText<T>(
  s: GatewayServices,
  g: GatewayRequest,
  use: (text: string, length: number) => Promise<T>,
  options: ReadBodyOptions = {},
): Promise<T> {
  const body = await readBody(s, g, options);
  try {
    return await use(await body.text(), body.length);
  } finally {
    await body.dispose();
  }
}
