/**
 * Templates: their list, each one's template file (the CSV header a drop must carry) and its dataset (docs/api.md).
 */
import type { Hono } from 'hono';
import Papa from 'papaparse';
import { templateFileColumns } from '../../core/templates/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import type { Engine } from '../engine/engine.ts';
import { MAX_PAGE, badRequest, limitProblem, linkNextPage, notFound } from './responses.ts';

export function addTemplateRoutes(app: Hono, workspace: Workspace, engine: Engine): void {
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
    if (page.next)
      linkNextPage(
        c,
        `/api/templates/${encodeURIComponent(found.name)}/dataset`,
        { limit: limitText, after: page.next },
        page.next,
      );
    return c.json(page.rows);
  });
}
