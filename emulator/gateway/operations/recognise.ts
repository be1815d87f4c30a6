/**
 * Which S3 operation a request is, from AWS's own API model (s3-api.generated.ts): the method, the path
 * (service, bucket or object), the markers of the operation's URI (`?tagging`, `?list-type=2`), then the
 * query and header members it requires (`uploadId`, `x-amz-copy-source`) tell the operations apart.
 * @see docs/gateway.md ("Operations")
 */
import { S3_API_OPERATIONS, type S3ApiOperationName } from './s3-api.generated.ts';

export type PathShape = 'service' | 'bucket' | 'object';

type ApiRow = (typeof S3_API_OPERATIONS)[number];

/** Operations of the model another endpoint answers: they never arrive on a bucket's path. */
export const OTHER_ENDPOINTS: Partial<Record<S3ApiOperationName, string>> = {
  ListDirectoryBuckets: 'the S3 Express One Zone control endpoint answers it (GET / here is ListBuckets)',
  WriteGetObjectResponse: "S3 Object Lambda's endpoint answers it",
};

/**
 * Operations newer than the model, recognised so that they are refused by name instead of being taken
 * for the operation of the same path (`PUT ?renameObject` is not a PutObject).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_RenameObject.html
 */
const NEWER_OPERATIONS = [
  { name: 'RenameObject', method: 'PUT', shape: 'object', marker: 'renameObject' },
  { name: 'CreateBucketMetadataTableConfiguration', method: 'POST', shape: 'bucket', marker: 'metadataTable' },
  { name: 'GetBucketMetadataTableConfiguration', method: 'GET', shape: 'bucket', marker: 'metadataTable' },
  { name: 'DeleteBucketMetadataTableConfiguration', method: 'DELETE', shape: 'bucket', marker: 'metadataTable' },
] as const;

export type NewerOperationName = (typeof NEWER_OPERATIONS)[number]['name'];
export type OperationName = S3ApiOperationName | NewerOperationName;

/** A request's operation, and what it names. */
export interface S3Operation {
  name: OperationName;
  bucket?: string;
  key?: string;
  query: ReadonlyMap<string, string>;
}

/** Query parameters any operation may carry: presigned URLs' and the SDKs' own. */
const ALWAYS_ALLOWED = /^(x-amz-|x-id$)/i;

/** The routable operations by `METHOD shape`, most URI markers first (model order among equals). */
const ROWS_BY_PATH = new Map<string, ApiRow[]>();
for (const row of S3_API_OPERATIONS as readonly ApiRow[]) {
  if ('deprecated' in row || OTHER_ENDPOINTS[row.name] !== undefined) continue;
  const path = `${row.method} ${row.shape}`;
  ROWS_BY_PATH.set(path, [...(ROWS_BY_PATH.get(path) ?? []), row]);
}
for (const rows of ROWS_BY_PATH.values()) rows.sort((a, b) => b.markers.length - a.markers.length);

const requirementCount = (row: ApiRow) => row.requiredQuery.length + row.requiredHeaders.length;

const hasMarker = (query: ReadonlyMap<string, string>, marker: readonly string[]) =>
  marker.length === 1 ? query.has(marker[0]!) : query.get(marker[0]!) === marker[1];

const requirementsMet = (row: ApiRow, query: ReadonlyMap<string, string>, headers: HeaderLookup) =>
  row.requiredQuery.every((name) => query.has(name)) &&
  row.requiredHeaders.every((name) => headers(name) !== undefined);

export type HeaderLookup = (name: string) => string | undefined;

export type Recognised =
  | { kind: 'operation'; name: OperationName; row?: ApiRow }
  /** A parameter shaped like a subresource (`?foo`, no value) that no operation of this path has. */
  | { kind: 'unknown-subresource'; parameter: string }
  | { kind: 'none' };

export function recogniseOperation(
  method: string,
  shape: PathShape,
  query: ReadonlyMap<string, string>,
  headers: HeaderLookup,
): Recognised {
  const newer = NEWER_OPERATIONS.find((op) => op.method === method && op.shape === shape && query.has(op.marker));
  if (newer) return { kind: 'operation', name: newer.name };
  // The operations whose markers are all present, with the most markers.
  const best: ApiRow[] = [];
  for (const row of ROWS_BY_PATH.get(`${method} ${shape}`) ?? []) {
    if (best.length > 0 && row.markers.length < best[0]!.markers.length) break;
    if (row.markers.every((m) => hasMarker(query, m))) best.push(row);
  }
  // A marker names its operation even when a required member is missing (the handler says which);
  // without one, an operation is this request only when all it requires is there (the most of it wins).
  const met = best.filter((row) => requirementsMet(row, query, headers));
  const row =
    met.reduce<ApiRow | undefined>(
      (chosen, r) => (!chosen || requirementCount(r) > requirementCount(chosen) ? r : chosen),
      undefined,
    ) ?? (best[0] && best[0].markers.length > 0 ? best[0] : undefined);
  const unknown = unknownSubresource(query, row);
  if (unknown !== undefined) return { kind: 'unknown-subresource', parameter: unknown };
  return row ? { kind: 'operation', name: row.name, row } : { kind: 'none' };
}

function unknownSubresource(query: ReadonlyMap<string, string>, row: ApiRow | undefined): string | undefined {
  for (const [name, value] of query) {
    if (value !== '' || ALWAYS_ALLOWED.test(name)) continue;
    const known =
      row !== undefined &&
      ((row.query as readonly string[]).includes(name) || row.markers.some((marker) => marker[0] === name));
    if (!known) return name;
  }
  return undefined;
}
