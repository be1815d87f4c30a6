/** The workspace as the web UI has it, to download: secrets only when asked for (docs/security.md). */
import type { Hono } from 'hono';
import { withoutSecrets } from '../../core/workspace/index.ts';
import { crossSiteRead } from '../web-guard.ts';
import type { UiContext } from './context.ts';

export function workspaceDownloadRoutes(app: Hono, ctx: UiContext): void {
  // Secrets only when asked for, and never to another site's page (docs/security.md).
  app.get('/workspace.json', (c) => {
    const withSecrets = c.req.query('secrets') === '1';
    const refusal = withSecrets ? crossSiteRead(c, ctx.origins) : undefined;
    if (refusal) return c.text(`${refusal}\n`, 403);
    c.header('content-disposition', 'attachment; filename="workspace.json"');
    const json = withSecrets ? ctx.editor.json() : withoutSecrets(ctx.editor.json());
    return c.body(`${JSON.stringify(json, null, 2)}\n`, 200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
  });
}
