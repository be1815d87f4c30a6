/** What every handler receives: the decided request and the gateway's services. */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ContextValue, Decision } from '../../core/iam/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import type { ChunkSigning } from './aws-chunked.ts';
import type { Caller } from './authorizer.ts';
import type { BucketState } from './bucket-state.ts';
import type { S3Operation } from './operations/recognise.ts';
import type { PermissionRule } from './operations/permissions.ts';
import type { BodyOptions } from './request-body.ts';
import type { RequestActivity } from './request-trace.ts';
import type { ObjectEvent } from './store/object-events.ts';
import type { ObjectStore } from './store/object-store.ts';

export type { ObjectEvent };

export interface DecisionEvent {
  requestId: string;
  operation: string;
  userName?: string;
  action: string;
  resource: string;
  /** The operation's condition keys (`s3:prefix`, ...), beside the request's global ones. */
  context: Readonly<Record<string, ContextValue>>;
  decision: Decision;
}

export interface GatewayEvents {
  objectCreated: [ObjectEvent];
  objectRemoved: [ObjectEvent];
  decision: [DecisionEvent];
  /** Every request answered (or given up by its client), with why it was refused (request-trace.ts). */
  request: [RequestActivity];
}

export interface GatewayServices {
  workspace: Workspace;
  /** Buckets, objects, their versions and multipart uploads (store/object-store.ts). */
  store: ObjectStore;
  state: BucketState;
  events: EventEmitter<GatewayEvents>;
  body: BodyOptions;
}

export interface GatewayRequest {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  hostId: string;
  now: number;
  operation: S3Operation;
  /** The permissions its operation needs (operations/table.ts), for a handler that authorizes them itself. */
  rules: readonly PermissionRule[];
  caller: Caller;
  /** Global condition keys (aws:username, aws:SourceIp, ...). */
  baseContext: Record<string, ContextValue>;
  /** Path-style path as received, still encoded: `/bucket/key`. */
  path: string;
  rawQuery: string;
  payloadHash: string | undefined;
  signing: ChunkSigning | undefined;
}

/** Requests whose client waits for `100 Continue` before sending its body. */
export const awaitingContinue = new WeakSet<IncomingMessage>();

/**
 * The object-created event of a write: made by the store from the version it commits (and journaled
 * with it, so no acknowledged write is lost), then emitted to listeners once the 200 has gone.
 */
export function createdEvent(
  s: GatewayServices,
  g: GatewayRequest,
  eventName: ObjectEvent['eventName'],
  bucket: string,
  key: string,
): (version: { size: number; etag: string; versionId: string }, sequencer: string) => ObjectEvent {
  return (version, sequencer) => {
    const event = objectEvent(g, eventName, bucket, key, {
      size: version.size,
      etag: version.etag,
      ...(version.versionId !== 'null' ? { versionId: version.versionId } : {}),
      sequencer,
    });
    g.res.once('finish', () => {
      if (g.res.statusCode === 200) s.events.emit('objectCreated', event);
    });
    return event;
  };
}

/** An object event for this request, with its time, request id and caller. */
export function objectEvent(
  g: GatewayRequest,
  eventName: ObjectEvent['eventName'],
  bucket: string,
  key: string,
  object: { size?: number; etag?: string; versionId?: string; sequencer?: string } = {},
): ObjectEvent {
  return {
    eventName,
    bucket,
    key,
    ...object,
    time: new Date(g.now).toISOString(),
    requestId: g.requestId,
    ...(g.caller.user ? { userName: g.caller.user.name } : {}),
  };
}

export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function sendXml(res: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml), ...headers });
  res.end(xml);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': 0, ...headers });
  res.end();
}
