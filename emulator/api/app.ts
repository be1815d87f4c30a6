/**
 * The JSON API served by `start` (shapes in docs/api.md). Tested in-process with `app.request()`.
 */
import { ACTIVITY_OUTCOMES, type ActivityEntry, type ActivityFilter, type ActivityOutcome } from '../activity.ts';
import { Hono, type Context } from 'hono';
import Papa from 'papaparse';
import type { PolicyDocument } from '../../core/iam/index.ts';
import { runPreflight } from '../../core/preflight/index.ts';
import { addPolicyRoute } from './policy-route.ts';
import type { SubmissionStatus } from '../../core/submissions/index.ts';
import { templateFileColumns } from '../../core/templates/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import type { Engine } from '../engine/engine.ts';
import type { DecisionFilter, LoggedDecision } from '../gateway/index.ts';

const STATUSES: readonly SubmissionStatus[] = ['complete', 'failed', 'pending'];
/** The most submissions one page of `GET /api/submissions` holds (and its default). */
const MAX_PAGE = 1000;

export interface ApiOptions {
  /** Bucket policies now, for the preflight. @default the workspace's */
  bucketPolicyOf?: (bucket: string) => PolicyDocument | undefined;
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

/** A retry or re-import the engine refused: 404 nothing to act on, 409 not failed (a retry), 500 it could not run. */
function refusal(c: Context, result: { reason: 'not-found' | 'not-failed' | 'error'; message: string }): Response {
  const [status, code] =
    result.reason === 'not-found'
      ? ([404, 'NotFound'] as const)
      : result.reason === 'not-failed'
        ? ([409, 'Conflict'] as const)
        : ([500, 'InternalError'] as const);
  return c.json({ error: { code, message: result.message } }, status);
}

/** Why a page size cannot be used, or undefined. */
function limitProblem(limitText: string): string | undefined {
  return /^\d{1,5}$/.test(limitText) && Number(limitText) >= 1 && Number(limitText) <= MAX_PAGE
    ? undefined
    : `limit must be a whole number from 1 to ${MAX_PAGE}, got "${limitText}"`;
}

export function createApiApp(workspace: Workspace, engine: Engine, options: ApiOptions = {}): Hono {
  const app = new Hono();
  const notFound = (what: string) => ({ error: { code: 'NotFound', message: what } });
  // A client's mistake, named: 400 with the parameter and what was expected.
  const badRequest = (c: Context, message: string) => c.json({ error: { code: 'BadRequest', message } }, 400);

  // The gateway's latest IAM decisions, newest first (a bounded ring): who, which operation and action, why.
  app.get('/api/decisions', (c) => {
    const filter = decisionFilter(c.req.query());
    if (typeof filter === 'string') return badRequest(c, filter);
    return c.json({ decisions: options.decisions?.(filter) ?? [] });
  });

  // Every request the S3 endpoint answered and what became of every drop, newest first (a bounded ring).
  app.get('/api/activity', (c) => {
    const filter = activityFilter(c.req.query());
    if (typeof filter === 'string') return badRequest(c, filter);
    return c.json({ activity: options.activity?.(filter) ?? [] });
  });

  // Newest first, a page at a time: `limit` (default and most 1,000) and `before` (the `next` of the previous page).
  app.get('/api/submissions', (c) => {
    const template = c.req.query('template');
    const status = c.req.query('status');
    const limitText = c.req.query('limit') ?? String(MAX_PAGE);
    const before = c.req.query('before');
    if (status !== undefined && !STATUSES.includes(status as SubmissionStatus)) {
      return badRequest(c, `status must be one of ${STATUSES.join(', ')}, got "${status}"`);
    }
    const badLimit = limitProblem(limitText);
    if (badLimit) return badRequest(c, badLimit);
    if (before !== undefined && !engine.store.submission(before))
      return c.json(notFound(`no submission "${before}" (before)`), 404);
    const page = engine.store.newest({
      limit: Number(limitText),
      ...(before !== undefined ? { before } : {}),
      match: (s) =>
        (template === undefined || s.template === template) && (status === undefined || s.status === status),
    });
    if (page.next) {
      const next = new URLSearchParams({
        ...(template !== undefined ? { template } : {}),
        ...(status !== undefined ? { status } : {}),
        limit: limitText,
        before: page.next,
      });
      c.header('link', `</api/submissions?${next}>; rel="next"`);
      c.header('x-s3-harness-next', page.next);
    }
    return c.json(page.submissions);
  });

  app.get('/api/submissions/:id', (c) => {
    const submission = engine.store.submission(c.req.param('id'));
    return submission ? c.json(submission) : c.json(notFound(`no submission "${c.req.param('id')}"`), 404);
  });

  // Retries a failed delivery and answers when the attempt has ended, with the delivery as recorded.
  app.post('/api/submissions/:id/deliveries/:n/retry', async (c) => {
    const n = c.req.param('n');
    if (!/^\d+$/.test(n))
      return badRequest(c, `the delivery number must be its index in "deliveries" (0, 1, ...), got "${n}"`);
    const result = await engine.retryDelivery({ submissionId: c.req.param('id'), index: Number(n) });
    return result.ok ? c.json(result.delivery) : refusal(c, result);
  });

  // Imports a failed submission's object again; answers when that import has decided, with its submissions.
  app.post('/api/submissions/:id/reimport', async (c) => {
    const result = await engine.reimport(c.req.param('id'));
    return result.ok ? c.json({ submissions: result.submissions }) : refusal(c, result);
  });

  app.get('/api/templates', (c) =>
    c.json(
      workspace.templates.map(({ inbound, outbound, ...template }) => ({
        ...template,
        templateFileColumns: templateFileColumns(template),
        inbound: inbound.map((i) => i.name),
        outbound: outbound.map((o) => o.name),
      })),
    ),
  );

  const template = (name: string) => workspace.templates.find((t) => t.name === name);

  app.get('/api/templates/:name/template-file', (c) => {
    const found = template(c.req.param('name'));
    if (!found) return c.json(notFound(`no template "${c.req.param('name')}"`), 404);
    c.header('content-disposition', `attachment; filename="${encodeURIComponent(found.name)}.csv"`);
    return c.body(`${Papa.unparse([templateFileColumns(found)], { newline: '\r\n' })}\r\n`, 200, {
      'content-type': 'text/csv; charset=utf-8',
    });
  });

  // In the dataset's order, a page at a time: `limit` (default and most 1,000) and `after` (the `next` of the page before).
  app.get('/api/templates/:name/dataset', async (c) => {
    const found = template(c.req.param('name'));
    if (!found) return c.json(notFound(`no template "${c.req.param('name')}"`), 404);
    const limitText = c.req.query('limit') ?? String(MAX_PAGE);
    const after = c.req.query('after');
    const badLimit = limitProblem(limitText);
    if (badLimit) return badRequest(c, badLimit);
    if (after !== undefined && !/^\d{1,15}$/.test(after))
      return badRequest(c, `after must be the cursor of a page (its next), got "${after}"`);
    const page = await engine.store.datasetPage(found.name, found.updateKeys, {
      limit: Number(limitText),
      ...(after !== undefined ? { after } : {}),
    });
    if (page.next) {
      const next = new URLSearchParams({ limit: limitText, after: page.next });
      c.header('link', `</api/templates/${encodeURIComponent(found.name)}/dataset?${next}>; rel="next"`);
      c.header('x-s3-harness-next', page.next);
    }
    return c.json(page.rows);
  });

  app.get('/api/integrations', (c) => c.json(engine.integrations()));

  // The permission preflight against the bucket policies in force now (docs/preflight.md).
  app.get('/api/preflight', (c) =>
    c.json(runPreflight(workspace, options.bucketPolicyOf ? { bucketPolicyOf: options.bucketPolicyOf } : {})),
  );

  addPolicyRoute(app, workspace, options.bucketPolicyOf);

  app.notFound((c) => c.json(notFound(`no route ${c.req.method} ${c.req.path}`), 404));
  return app;
}
