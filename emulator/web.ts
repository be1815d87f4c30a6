/** The JSON API (under /api) and the web UI (everything else), one Hono app on one port. */
import { Hono } from 'hono';
import type { Workspace } from '../core/workspace/index.ts';
import { createApiApp } from './api/app.ts';
import type { Engine } from './engine/engine.ts';
import type { Gateway } from './gateway/index.ts';
import { notFoundPage, uiRoutes, type UiOptions } from './ui/app.ts';
import { originsOf, webGuard, type WebGuardOptions } from './web-guard.ts';
import type { WorkspaceEditor } from './workspace-editor.ts';

export interface WebOptions extends UiOptions {
  workspace: Workspace;
  engine: Engine;
  gateway: Gateway;
  /** The gateway's S3 endpoint (the UI's uploads go through it). */
  endpoint: string;
  editor: WorkspaceEditor;
  /** The hosts answered and the per-process form token (docs/security.md). */
  guard: WebGuardOptions;
}

export function createWebApp(options: WebOptions): Hono {
  const { workspace, engine, gateway, endpoint, editor, guard } = options;
  const web = new Hono();
  web.use(webGuard(guard));
  web.route('/', createApiApp(workspace, engine, { bucketPolicyOf: (bucket) => gateway.bucketPolicy(bucket) }));
  uiRoutes(web, { workspace, engine, gateway, endpoint, editor, origins: originsOf(guard) }, options);
  web.notFound((c) => (c.req.path.startsWith('/api/')
    ? c.json({ error: { code: 'NotFound', message: `no route ${c.req.method} ${c.req.path}` } }, 404)
    : c.html(notFoundPage(c.req.path), 404)));
  return web;
}
