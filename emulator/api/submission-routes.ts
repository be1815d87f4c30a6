/**
 * Submissions: a page at a time, one by id, a failed delivery retried, a failed import run again (docs/api.md).
 */
import type { Hono } from 'hono';
import type { SubmissionStatus } from '../../core/submissions/index.ts';
import type { Engine } from '../engine/engine.ts';
import { MAX_PAGE, badRequest, limitProblem, linkNextPage, notFound, refusal } from './responses.ts';

const STATUSES: readonly SubmissionStatus[] = ['complete', 'failed', 'pending'];

export function addSubmissionRoutes(app: Hono, engine: Engine): void {
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
      const query = {
        ...(template !== undefined ? { template } : {}),
        ...(status !== undefined ? { status } : {}),
        limit: limitText,
        before: page.next,
      };
      linkNextPage(c, '/api/submissions', query, page.next);
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
}
