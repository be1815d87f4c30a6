/**
 * The gateway's recent IAM decisions and the activity timeline (bounded rings, newest first; docs/api.md).
 */
import type { Hono } from 'hono';
import { ACTIVITY_OUTCOMES, type ActivityEntry, type ActivityFilter, type ActivityOutcome } from '../activity.ts';
import type { DecisionFilter, LoggedDecision } from '../gateway/index.ts';
import { badRequest } from './responses.ts';

export interface LogSources {
  /** The gateway's recent IAM decisions. @default none: `GET /api/decisions` answers an empty list */
  decisions?: (filter: DecisionFilter) => LoggedDecision[];
  /** The activity timeline. @default none: `GET /api/activity` answers an empty list */
  activity?: (filter: ActivityFilter) => ActivityEntry[];
}

/** `since` and `limit` of a ring's query, checked. */
function pagingOf(query: Record<string, string>): { since?: number; limit?: number } | string {
  const paging: { since?: number; limit?: number } = {};
  for (const name of ['since', 'limit'] as const) {
    const text = query[name];
    if (text === undefined) continue;
    if (!/^\d{1,9}$/.test(text)) return `${name} must be a whole number, got "${text}"`;
    paging[name] = Number(text);
  }
  return paging;
}

/** `GET /api/decisions`'s query, checked: a client's mistake is a 400 that names the parameter. */
function decisionFilter(query: Record<string, string>): DecisionFilter | string {
  const paging = pagingOf(query);
  if (typeof paging === 'string') return paging;
  const filter: DecisionFilter = { ...paging };
  if (query.user !== undefined) filter.user = query.user;
  if (query.decision !== undefined) {
    if (query.decision !== 'allow' && query.decision !== 'deny')
      return `decision must be allow or deny, got "${query.decision}"`;
    filter.decision = query.decision;
  }
  return filter;
}

/** `GET /api/activity`'s query, checked. */
function activityFilter(query: Record<string, string>): ActivityFilter | string {
  const paging = pagingOf(query);
  if (typeof paging === 'string') return paging;
  const filter: ActivityFilter = { ...paging };
  if (query.user !== undefined) filter.user = query.user;
  if (query.bucket !== undefined) filter.bucket = query.bucket;
  if (query.outcome !== undefined) {
    if (!(ACTIVITY_OUTCOMES as readonly string[]).includes(query.outcome))
      return `outcome must be one of ${ACTIVITY_OUTCOMES.join(', ')}, got "${query.outcome}"`;
    filter.outcome = query.outcome as ActivityOutcome;
  }
  if (query.kind !== undefined) {
    if (query.kind !== 'request' && query.kind !== 'drop') return `kind must be request or drop, got "${query.kind}"`;
    filter.kind = query.kind;
  }
  return filter;
}

export function addLogRoutes(app: Hono, sources: LogSources): void {
  // The gateway's latest IAM decisions, newest first (a bounded ring): who, which operation and action, why.
  app.get('/api/decisions', (c) => {
    const filter = decisionFilter(c.req.query());
    if (typeof filter === 'string') return badRequest(c, filter);
    return c.json({ decisions: sources.decisions?.(filter) ?? [] });
  });

  // Every request the S3 endpoint answered and what became of every drop, newest first (a bounded ring).
  app.get('/api/activity', (c) => {
    const filter = activityFilter(c.req.query());
    if (typeof filter === 'string') return badRequest(c, filter);
    return c.json({ activity: sources.activity?.(filter) ?? [] });
  });
}
