/**
 * The IAM gateway: every request is authenticated (SigV4), mapped to its S3 operation, checked
 * for key safety, authorised against the workspace's policies, and only then answered from the
 * object store (store/object-store.ts), which owns the data folder.
 */
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { PolicyDocument } from '../../core/iam/index.ts';
import type { Workspace, WorkspaceUser } from '../../core/workspace/index.ts';
import { authorize } from './access.ts';
import type { ChunkSigning } from './aws-chunked.ts';
import { globalContext, principalOf, type Caller } from './authorizer.ts';
import { openBucketState } from './bucket-state.ts';
import { awaitingContinue, type GatewayEvents, type GatewayRequest, type GatewayServices } from './context.ts';
import { assertSafeKey } from './key-safety.ts';
import { classifyRequest } from './operations/classify.ts';
import { headerLookup, requestPermissions } from './operations/request-permissions.ts';
import { newRequestIds } from './request-id.ts';
import { answerForError } from './error-answer.ts';
import { RequestTrace } from './request-trace.ts';
import { renderS3Error, S3Error } from './s3-errors.ts';
import {
  assertHeadersSigned,
  assertNoSessionToken,
  assertScope,
  parseQuery,
  parseSignature,
  amzDateToMs,
  scopeOf,
  verifySignature,
  type SignedRequestParts,
} from './sigv4.ts';
import { DEFAULTS } from '../defaults.ts';
import { createDecisionLog, type DecisionFilter, type LoggedDecision } from './decision-log.ts';
import type { PendingEvents } from './store/object-events.ts';
import type { ObjectVersion } from './store/object-record.ts';
import { ObjectStore } from './store/object-store.ts';

export interface GatewayOptions {
  workspace: Workspace;
  /** Objects go in `store/` (store/layout.ts), bucket policies and versioning in `state.json`. */
  dataDirectory: string;
  /** The clock signatures are checked against. @default Date.now */
  now?: () => number;
  /** Request bodies above this size are spooled to disk. @default 8 MiB */
  memoryLimitBytes?: number;
}

const GATEWAY_DEFAULTS = {
  now: Date.now,
  memoryLimitBytes: DEFAULTS.memoryLimitBytes,
} satisfies Partial<GatewayOptions>;

export interface Gateway {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /**
   * For the server's `checkContinue` event: the request is authenticated and authorised before
   * `100 Continue` is sent, so a denied client never uploads its body (as S3 does).
   */
  handleExpectingContinue(req: IncomingMessage, res: ServerResponse): void;
  readonly events: EventEmitter<GatewayEvents>;
  /** The buckets whose policy was changed through the S3 API, with when. */
  policyOverrides(): { bucket: string; changedAt: string }[];
  /** A bucket's policy now (the workspace's, or what PutBucketPolicy set since). */
  bucketPolicy(bucket: string): PolicyDocument | undefined;
  /** The IAM user who wrote an object (the gateway records it; S3 clients never see it). */
  uploaderOf(bucket: string, key: string): Promise<string | undefined>;
  /** What is stored, seen by the harness itself rather than by a user (the web UI's S3 browser). */
  readonly inspect: StorageInspector;
  /** Takes a changed workspace (users, keys, policies, buckets) for the requests that follow. */
  reconfigure(workspace: Workspace): Promise<void>;
  /** Makes the workspace's bucket policy the one in force again, over one set through the S3 API. */
  clearPolicyOverride(bucket: string): Promise<void>;
  /** Object-created events acknowledged with a 200 and not yet taken by the platform (docs/durability.md). */
  pendingEvents(): Promise<PendingEvents>;
  /** The platform has recorded the pending events up to `through`: they are forgotten. */
  acknowledgeEvents(through: number): Promise<void>;
  /** The platform has recorded the event of this request (store/object-store.ts, `forgetEvent`). */
  acknowledgeEvent(requestId: string): void;
  /** The latest IAM decisions, newest first (a bounded ring: docs/api.md). */
  decisions(filter?: DecisionFilter): LoggedDecision[];
  /** Closes the object store's journal (after the server has stopped answering). */
  close(): Promise<void>;
}

/** The latest version of an object as the harness's own pages show it (a view of store/object-record.ts). */
export interface InspectedObject {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  contentType?: string;
  /** `AES256` when stored with SSE-S3. */
  sse?: string;
  uploadedBy?: string;
}

/** A key or prefix the gateway would refuse (`../`, `//`, ...), with the gateway's message. */
export interface UnsafeKey {
  refused: string;
}

export interface StorageInspector {
  buckets(): string[];
  /** Every object under a prefix, in S3's key order. */
  objects(bucket: string, prefix: string): Promise<InspectedObject[] | UnsafeKey>;
  /** An object's details and a stream of its bytes, or undefined when there is none. */
  read(bucket: string, key: string): Promise<{ object: InspectedObject; body: Readable } | UnsafeKey | undefined>;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { workspace, dataDirectory, now, memoryLimitBytes } = { ...GATEWAY_DEFAULTS, ...options };
  const state = await openBucketState(join(dataDirectory, 'state.json'), workspace);
  const store = await ObjectStore.open({ dataDirectory, versioningOf: (bucket) => state.versioningOf(bucket) });
  await rm(store.layout.legacy.spool, { recursive: true, force: true }); // an earlier release's spools
  for (const bucket of workspace.buckets) store.createBucket(bucket.name);
  const services: GatewayServices = {
    workspace,
    store,
    state,
    events: new EventEmitter<GatewayEvents>(),
    body: { memoryLimitBytes, spoolDirectory: store.spoolDirectory },
  };
  const usersByKey = new Map(workspace.iam.users.map((u) => [u.accessKeyId, u]));
  const decisionLog = createDecisionLog(DEFAULTS.decisionLogSize);
  services.events.on('decision', (event) => decisionLog.record(event, new Date(now())));
  let current = workspace;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const { requestId, hostId } = newRequestIds();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    res.setHeader('server', 'AmazonS3');
    // A socket error while answering is the client's going away: handled here, never the process's end.
    res.on('error', () => res.destroy());
    const trace = new RequestTrace(requestId, req.method ?? 'GET', (req.url ?? '/').split('?')[0]!, new Date(now()));
    res.once('close', () => services.events.emit('request', trace.finish(res.statusCode, res.writableFinished)));
    handleRequest(services, usersByKey, now(), req, res, requestId, hostId, trace).catch((error: unknown) => {
      sendError(req, res, error, requestId, hostId, trace);
    });
  };

  return {
    handle,
    handleExpectingContinue(req, res) {
      awaitingContinue.add(req);
      handle(req, res);
    },
    events: services.events,
    decisions: (filter) => decisionLog.list(filter),
    uploaderOf: async (bucket, key) => {
      const latest = store.latest(bucket, key);
      return latest?.kind === 'object' ? latest.uploadedBy : undefined;
    },
    inspect: createInspector(store),
    bucketPolicy: (bucket) => state.policyOf(bucket),
    clearPolicyOverride: (bucket) => state.clearOverride(bucket),
    pendingEvents: async () => store.pendingEvents(),
    acknowledgeEvents: async (through) => store.acknowledgeEvents(through),
    acknowledgeEvent: (requestId) => store.forgetEvent(requestId),
    close: () => store.close(),
    async reconfigure(next) {
      for (const bucket of next.buckets) store.createBucket(bucket.name);
      state.useWorkspace(next);
      usersByKey.clear();
      for (const user of next.iam.users) usersByKey.set(user.accessKeyId, user);
      services.workspace = next;
      current = next;
    },
    policyOverrides: () =>
      current.buckets.flatMap((b) => {
        const changedAt = state.policyChangedThroughApi(b.name);
        return changedAt ? [{ bucket: b.name, changedAt }] : [];
      }),
  };
}

function createInspector(store: ObjectStore): StorageInspector {
  const describe = (key: string, version: ObjectVersion): InspectedObject => {
    const contentType = version.contentHeaders.find(([name]) => name === 'content-type')?.[1];
    return {
      key,
      size: version.size,
      etag: version.etag,
      lastModified: new Date(version.lastModified).toISOString(),
      ...(contentType ? { contentType } : {}),
      ...(version.sse ? { sse: version.sse } : {}),
      ...(version.uploadedBy ? { uploadedBy: version.uploadedBy } : {}),
    };
  };
  // The harness's own pages read through the gateway's key rules: a key the gateway refuses is refused here too.
  const unsafe = (key: string): UnsafeKey | undefined => {
    try {
      assertSafeKey(key);
      return undefined;
    } catch (error) {
      return { refused: (error as S3Error).message };
    }
  };
  return {
    buckets: () => store.bucketNames(),
    async objects(bucket, prefix) {
      const refused = prefix === '' ? undefined : unsafe(prefix);
      if (refused) return refused;
      const found: InspectedObject[] = [];
      for (const key of store.keysFrom(bucket, prefix)) {
        if (!key.startsWith(prefix)) break;
        const latest = store.latest(bucket, key);
        if (latest?.kind === 'object') found.push(describe(key, latest));
      }
      return found;
    },
    async read(bucket, key) {
      const refused = unsafe(key);
      if (refused) return refused;
      const latest = store.latest(bucket, key);
      if (latest?.kind !== 'object') return undefined;
      // Opened in the same turn as the lookup: a write committed meanwhile changes nothing read here.
      const handle = await store.openBody(bucket, key, latest);
      return { object: describe(key, latest), body: handle.createReadStream() };
    },
  };
}

function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  requestId: string,
  hostId: string,
  trace: RequestTrace,
): void {
  const { s3Error, logLine, unexpected } = answerForError(error);
  trace.failed(s3Error);
  const request = `${req.method} ${req.url} (request ${requestId})`;
  if (logLine) console.error(`[s3-harness] ${request}: ${logLine}`);
  else if (unexpected) console.error(`[s3-harness] internal error on ${request}:`, error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Drain what the client is still sending, so it reads our answer instead of a reset.
  req.resume();
  const body = req.method === 'HEAD' ? '' : renderS3Error(s3Error, requestId, hostId);
  for (const [name, value] of Object.entries(s3Error.headers)) res.setHeader(name, value);
  res.writeHead(s3Error.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

interface Target {
  bucket?: string;
  key?: string;
  path: string;
}

/** Path-style (`/bucket/key`) or virtual-host style on `*.localhost` (`bucket.localhost/key`). */
function targetOf(rawPath: string, host: string | undefined): Target {
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new S3Error('InvalidArgument', `The request path "${rawPath}" is not valid percent-encoding.`);
    }
  };
  const hostname = (host ?? '').replace(/:\d+$/, '');
  if (hostname.endsWith('.localhost')) {
    const bucket = hostname.slice(0, -'.localhost'.length);
    const key = rawPath.length > 1 ? decode(rawPath.slice(1)) : undefined;
    return {
      bucket,
      ...(key !== undefined ? { key } : {}),
      path: `/${encodeURIComponent(bucket)}${rawPath === '/' ? '' : rawPath}`,
    };
  }
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(rawPath);
  if (!match) return { path: rawPath };
  const bucket = decode(match[1]!);
  const key = match[2] !== undefined && match[2] !== '' ? decode(match[2]) : undefined;
  return { bucket, ...(key !== undefined ? { key } : {}), path: rawPath };
}

async function handleRequest(
  s: GatewayServices,
  usersByKey: Map<string, WorkspaceUser>,
  now: number,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  hostId: string,
  trace: RequestTrace,
): Promise<void> {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const rawQuery = queryAt === -1 ? '' : url.slice(queryAt + 1);
  const headers = req.headersDistinct as SignedRequestParts['headers'];
  const signedParts: SignedRequestParts = { method: req.method ?? 'GET', rawPath, rawQuery, headers };

  const target = targetOf(rawPath, req.headers.host);
  if (target.bucket !== undefined) trace.bucket = target.bucket;
  if (target.key !== undefined) trace.key = target.key;
  const query = new Map(parseQuery(rawQuery));
  // CreateBucket may be signed for the region it creates the bucket in.
  const createsBucket =
    req.method === 'PUT' && target.bucket !== undefined && target.key === undefined && query.size === 0;
  const { caller, signing, payloadHash, authType, signedAt } = authenticate(
    s,
    usersByKey,
    signedParts,
    query,
    now,
    createsBucket,
    trace,
  );
  if (caller.user) trace.user = caller.user.name;
  const { operation, entry } = classifyRequest(
    req.method ?? 'GET',
    target.bucket,
    target.key,
    query,
    headerLookup(req.headers),
  );
  trace.operation = operation.name;
  if (operation.key !== undefined) assertSafeKey(operation.key);

  const g: GatewayRequest = {
    req,
    res,
    requestId,
    hostId,
    now,
    operation,
    rules: entry.permissions,
    caller,
    path: target.path,
    rawQuery,
    payloadHash,
    signing,
    baseContext: globalContext(caller, {
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      secureTransport: false,
      now,
      authType,
      ...(signedAt !== undefined ? { signedAt } : {}),
      ...(req.headers.referer !== undefined ? { referer: req.headers.referer } : {}),
      ...(req.headers['user-agent'] !== undefined ? { userAgent: req.headers['user-agent'] } : {}),
      region: s.workspace.region,
      ...(target.bucket !== undefined ? { resourceAccount: s.workspace.accountId } : {}),
    }),
  };
  if (entry.authorizedBy !== 'handler')
    for (const permission of requestPermissions(s, g, entry.permissions)) authorize(s, g, permission);
  await entry.handle(s, g, operation.bucket ?? '', operation.key ?? '');
}

interface Authentication {
  caller: Caller;
  signing: ChunkSigning | undefined;
  payloadHash: string | undefined;
  authType: 'REST-HEADER' | 'REST-QUERY-STRING' | undefined;
  /** The signature's `X-Amz-Date`, in epoch milliseconds. */
  signedAt: number | undefined;
}

function authenticate(
  s: GatewayServices,
  usersByKey: Map<string, WorkspaceUser>,
  request: SignedRequestParts,
  query: ReadonlyMap<string, string>,
  now: number,
  createsBucket: boolean,
  trace: RequestTrace,
): Authentication {
  const parsed = parseSignature(request);
  if (parsed) {
    trace.accessKeyId = parsed.credential.accessKeyId;
    trace.keyOwner = usersByKey.get(parsed.credential.accessKeyId)?.name;
  }
  if (!parsed)
    return {
      caller: { principal: { kind: 'anonymous' } },
      signing: undefined,
      payloadHash: undefined,
      authType: undefined,
      signedAt: undefined,
    };
  assertScope(parsed, { region: s.workspace.region, service: 's3' }, createsBucket);
  const user = usersByKey.get(parsed.credential.accessKeyId);
  if (!user) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: parsed.credential.accessKeyId });
  assertNoSessionToken(request, query);
  assertHeadersSigned(request, parsed);
  const key = verifySignature(request, parsed, user.secretAccessKey, now);
  return {
    caller: { principal: principalOf(s.workspace, user), user },
    signing: { key, amzDate: parsed.amzDate, scope: scopeOf(parsed.credential), seedSignature: parsed.signature },
    payloadHash: parsed.payloadHash,
    authType: parsed.mechanism === 'header' ? 'REST-HEADER' : 'REST-QUERY-STRING',
    signedAt: amzDateToMs(parsed.amzDate),
  };
}
