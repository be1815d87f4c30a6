/**
 * A request as the gateway handles it: its operation (recognise.ts) and that operation's entry
 * (table.ts), or the S3 error of a request no entry answers: 501 NotImplemented naming the operation
 * and why, 405 for a method the path does not have.
 */
import { S3Error } from '../s3-errors.ts';
import { recogniseOperation, type HeaderLookup, type S3Operation } from './recognise.ts';
import { entryOf, NOT_EMULATED, NOT_EMULATED_BECAUSE, type OperationEntry } from './table.ts';

export type { S3Operation };

export interface ClassifiedRequest {
  operation: S3Operation;
  entry: OperationEntry;
}

export function classifyRequest(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: ReadonlyMap<string, string>,
  headers: HeaderLookup,
): ClassifiedRequest {
  const shape = bucket === undefined ? 'service' : key === undefined ? 'bucket' : 'object';
  const recognised = recogniseOperation(method, shape, query, headers);
  if (recognised.kind === 'unknown-subresource')
    throw new S3Error(
      'NotImplemented',
      `The ${shape === 'object' ? 'object' : 'bucket'} subresource "?${recognised.parameter}" is not an operation s3-harness knows.`,
    );
  if (recognised.kind === 'none') {
    // Browser form uploads (POST Object) are not in the API model: the product uploads with PUT.
    if (method === 'POST' && shape === 'bucket')
      throw new S3Error('NotImplemented', 'POST Object (browser form upload) is not emulated by s3-harness.');
    throw new S3Error(
      'MethodNotAllowed',
      shape === 'service' ? `${method} is not allowed on the service endpoint.` : undefined,
    );
  }
  const entry = entryOf(recognised.name);
  if (!entry) {
    const reason = NOT_EMULATED_BECAUSE[NOT_EMULATED[recognised.name as keyof typeof NOT_EMULATED]];
    throw new S3Error('NotImplemented', `${recognised.name} is not emulated by s3-harness: ${reason}.`);
  }
  const operation: S3Operation = {
    name: recognised.name,
    ...(bucket !== undefined ? { bucket } : {}),
    ...(key !== undefined ? { key } : {}),
    query,
  };
  return { operation, entry };
}
