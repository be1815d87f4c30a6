/**
 * The harness's activity timeline (docs/web-ui.md, "Activity"; docs/api.md): every request the S3
 * endpoint answered, with who, what and why it was refused, and every drop with what became of it
 * (imported as submission X, failed and why, skipped, or taken by no integration and which one nearly
 * did), newest first, in a bounded ring. LocalStack's request log and MinIO's `mc admin trace` record;
 * this explains.
 */
import type { DropActivity, EngineEvents } from './engine/report.ts';
import type { GatewayEvents, RequestActivity } from './gateway/index.ts';
import type { EventEmitter } from 'node:events';
import { createBoundedRing, fieldsEqual } from './bounded-ring.ts';

/** A request's (ok, denied, refused, error), then a drop's (DropActivity's: recording one checks it is here). */
export const ACTIVITY_OUTCOMES = [
  'ok',
  'denied',
  'refused',
  'error',
  'imported',
  'failed',
  'skipped',
  'unmatched',
] as const;
export type ActivityOutcome = (typeof ACTIVITY_OUTCOMES)[number];

export interface ActivityEntry {
  /** 1, 2, 3, ... in the order recorded: `since` pages from one. */
  seq: number;
  time: string;
  kind: 'request' | 'drop';
  /** The IAM user (for a failed authentication, the owner of the key used); null for an anonymous request or a key no user has. */
  user: string | null;
  bucket?: string;
  key?: string;
  outcome: ActivityOutcome;
  /** One line: what happened. */
  summary: string;
  /** Why, in words (the policy decision, the signature check, the nearest integration). */
  why?: string;
  /** The request's details (its operation, status, error code; a signature mismatch's string to sign). */
  request?: RequestActivity;
  drop?: DropActivity;
}

export interface ActivityFilter {
  user?: string;
  bucket?: string;
  outcome?: ActivityOutcome;
  kind?: ActivityEntry['kind'];
  since?: number;
  limit?: number;
}

export interface ActivityLog {
  list(filter?: ActivityFilter): ActivityEntry[];
  /** Records what the gateway answers; returns the unsubscribe. */
  follow(gateway: EventEmitter<GatewayEvents>): () => void;
  /** Records what the engine does with drops; returns the unsubscribe (an edited workspace has a new engine). */
  followEngine(engine: EventEmitter<EngineEvents>): () => void;
  readonly capacity: number;
}

function requestOutcome(request: RequestActivity): ActivityOutcome {
  if (request.status < 400) return 'ok';
  if (request.code === 'AccessDenied' && !request.authentication) return 'denied';
  return request.status >= 500 ? 'error' : 'refused';
}

function requestSummary(request: RequestActivity): string {
  const target = request.bucket ? ` s3://${request.bucket}${request.key !== undefined ? `/${request.key}` : ''}` : '';
  const what = request.operation ? `${request.operation}${target}` : `${request.method}${target || ` ${request.path}`}`;
  if (request.status === 499) return `${what}: the client went away before the answer`;
  return `${what}: ${request.status}${request.code ? ` ${request.code}` : ''}`;
}

export function createActivityLog(capacity: number): ActivityLog {
  const ring = createBoundedRing<ActivityEntry>(capacity);
  const record = (entry: Omit<ActivityEntry, 'seq'>) => ring.push(entry);
  const onRequest = (request: RequestActivity) =>
    record({
      time: request.time,
      kind: 'request',
      user: request.user ?? request.keyOwner ?? null,
      ...(request.bucket !== undefined ? { bucket: request.bucket } : {}),
      ...(request.key !== undefined ? { key: request.key } : {}),
      outcome: requestOutcome(request),
      summary: requestSummary(request),
      ...(request.why !== undefined ? { why: request.why } : {}),
      request,
    });
  const onDrop = (drop: DropActivity) =>
    record({
      time: drop.time,
      kind: 'drop',
      user: drop.user ?? null,
      bucket: drop.bucket,
      key: drop.key,
      outcome: drop.outcome,
      summary: drop.summary,
      ...(drop.why !== undefined ? { why: drop.why } : {}),
      drop,
    });
  return {
    capacity,
    follow(gateway) {
      gateway.on('request', onRequest);
      return () => gateway.off('request', onRequest);
    },
    followEngine(engine) {
      engine.on('drop', onDrop);
      return () => engine.off('drop', onDrop);
    },
    list: (filter = {}) =>
      ring.list({
        since: filter.since,
        limit: filter.limit,
        keep: fieldsEqual<ActivityEntry>({
          user: filter.user,
          bucket: filter.bucket,
          outcome: filter.outcome,
          kind: filter.kind,
        }),
      }),
  };
}
