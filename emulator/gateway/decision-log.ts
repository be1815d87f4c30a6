/**
 * The gateway's recent IAM decisions, allowed and denied, in a bounded ring (docs/api.md, "Decisions"):
 * an aws-cli user who only sees `403 Forbidden` finds which statement denied which action, for which
 * S3 operation (a multipart upload is denied at UploadPart, say, not at CreateMultipartUpload).
 */
import type { ContextValue, StatementRef } from '../../core/iam/index.ts';
import { createBoundedRing, fieldsEqual } from '../bounded-ring.ts';
import type { DecisionEvent } from './context.ts';

export interface LoggedDecision {
  /** 1, 2, 3, ... in the order decided: `since` pages from one. */
  seq: number;
  time: string;
  requestId: string;
  /** The S3 operation (`UploadPart`); one request may need several actions. */
  operation: string;
  /** null for an anonymous request. */
  user: string | null;
  action: string;
  resource: string;
  decision: 'allow' | 'deny';
  /** The statement that decided, or absent when none applied (an implicit deny). */
  decidingStatement?: StatementRef;
  explanation: string;
  /**
   * The operation's condition keys as the policies saw them (`s3:prefix`, `s3:x-amz-server-side-encryption`,
   * `s3:ExistingObjectTag/<key>`, ...): a Condition that did or did not match is explained by these.
   */
  conditionKeys: Record<string, ContextValue>;
}

export interface DecisionFilter {
  user?: string;
  decision?: 'allow' | 'deny';
  /** Only decisions after this sequence number. */
  since?: number;
  /** @default and at most the log's capacity */
  limit?: number;
}

export interface DecisionLog {
  record(event: DecisionEvent, at: Date): void;
  /** Newest first. */
  list(filter?: DecisionFilter): LoggedDecision[];
  readonly capacity: number;
}

export function createDecisionLog(capacity: number): DecisionLog {
  const ring = createBoundedRing<LoggedDecision>(capacity);
  return {
    capacity,
    record(event, at) {
      ring.push({
        time: at.toISOString(),
        requestId: event.requestId,
        operation: event.operation,
        user: event.userName ?? null,
        action: event.action,
        resource: event.resource,
        decision: event.decision.allowed ? 'allow' : 'deny',
        ...(event.decision.decidingStatement ? { decidingStatement: event.decision.decidingStatement } : {}),
        explanation: event.decision.explanation,
        // Keys are the request's (tag names): a null-prototype copy, so none is taken for Object's.
        conditionKeys: Object.assign(Object.create(null) as Record<string, ContextValue>, event.context),
      });
    },
    list: (filter = {}) =>
      ring.list({
        since: filter.since,
        limit: filter.limit,
        keep: fieldsEqual<LoggedDecision>({ user: filter.user, decision: filter.decision }),
      }),
  };
}
