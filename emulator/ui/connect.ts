/**
 * Step 3, Connect: add, edit or remove a template's inbound and outbound integrations. Saving validates
 * the whole workspace, saves it and applies it (docs/web-ui.md). The page is integration-form.ts, the
 * bucket field bucket-field.ts, the form's data integration-form-data.ts, the preview outbound-preview.ts.
 */
import type { Context, Hono } from 'hono';
import { bucketField } from './bucket-field.ts';
import type { UiContext } from './context.ts';
import { html } from './html.ts';
import { formOf, fromForm, locate, put } from './integration-form-data.ts';
import { integrationForm } from './integration-form.ts';
import { page } from './layout.ts';
import { outboundPreview } from './outbound-preview.ts';

export function connectRoutes(app: Hono, ctx: UiContext): void {
  app.get('/connect/bucket-field', async (c) =>
    c.html(
      (
        await bucketField(ctx, {
          account: c.req.query('account') ?? '',
          region: c.req.query('region') ?? '',
          bucketMode: c.req.query('bucketMode') ?? 'list',
          bucket: c.req.query('bucket') ?? '',
        })
      ).text,
    ),
  );

  for (const direction of ['inbound', 'outbound'] as const) {
    const base = `/templates/:name/${direction}/:index`;
    const nameOf = (c: Context) => c.req.param('name') ?? '';
    const found = (c: Context) => locate(ctx.editor.json(), nameOf(c), direction, c.req.param('index') ?? '');
    const notFound = (c: Context) =>
      c.html(
        page('Not found', '/templates', html`<p>No such ${direction} integration of template "${nameOf(c)}".</p>`).text,
        404,
      );

    app.get(base, async (c) => {
      const at = found(c);
      if (!at) return notFound(c);
      return c.html(
        (await integrationForm(ctx, nameOf(c), direction, at.index, at.index === 'new' ? {} : at.items[at.index]!))
          .text,
      );
    });
    app.post(base, async (c) => {
      const at = found(c);
      if (!at) return notFound(c);
      const item = fromForm(direction, await formOf(c));
      const result = await ctx.editor.edit([put(nameOf(c), direction, at.index, item)]);
      if (result.ok) return c.redirect('/templates', 303);
      return c.html(
        (await integrationForm(ctx, nameOf(c), direction, at.index, item, result.issues)).text,
        result.stage === 'edit' ? 400 : 422,
      );
    });
    app.post(`${base}/delete`, async (c) => {
      const at = found(c);
      if (!at || at.index === 'new') return notFound(c);
      const result = await ctx.editor.edit([put(nameOf(c), direction, at.index, undefined)]);
      if (result.ok) return c.redirect('/templates', 303);
      return c.html(
        page(
          'Not removed',
          '/templates',
          html`<ul class="error">${result.issues.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul>`,
        ).text,
        result.stage === 'edit' ? 400 : 422,
      );
    });
  }
  app.post('/templates/:name/outbound/:index/preview', async (c) => {
    const at = locate(ctx.editor.json(), c.req.param('name'), 'outbound', c.req.param('index'));
    if (!at) return c.html('<p class="error">No such integration.</p>', 404);
    return c.html((await outboundPreview(ctx, c.req.param('name'), at.index, await formOf(c))).text);
  });
}
