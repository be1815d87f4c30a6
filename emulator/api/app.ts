/**
 * The JSON API served by `start` (shapes in docs/api.md), one module per resource. Tested in-process with
 * `app.request()`.
 */
import { Hono } from 'hono';
import type { PolicyDocument } from '../../core/iam/index.ts';
import { runPreflight } from '../../core/preflight/index.ts';
import type { Workspace } from '../../core/workspace/index.ts';
import type { Engine } from '../engine/engine.ts';
import { addLogRoutes, type LogSources } from './log-routes.ts';
import { addPolicyRoute } from './policy-route.ts';
import { notFound } from './responses.ts';
import { addSubmissionRoutes } from './submission-routes.ts';
import { addTemplateRoutes } from './template-routes.ts';

export interface ApiOptions extends LogSources {
  /** Bucket policies now, for the preflight. @default the workspace's */
  bucketPolicyOf?: (bucket: string) => PolicyDocument | undefined;
}

export function createApiApp(workspace: Workspace, engine: Engine, options: ApiOptions = {}): Hono {
  const app = new Hono();
  addLogRoutes(app, options);
  addSubmissionRoutes(app, engine);
  addTemplateRoutes(app, workspace, engine);
  app.get('/api/integrations', (c) => c.json(engine.integrations()));
  // The permission preflight against the bucket policies in force now (docs/preflight.md).
  app.get('/api/preflight', (c) =>
    c.json(runPreflight(workspace, options.bucketPolicyOf ? { bucketPolicyOf: options.bucketPolicyOf } : {})),
  );
  addPolicyRoute(app, workspace, options.bucketPolicyOf);
  app.notFound((c) => c.json(notFound(`no route ${c.req.method} ${c.req.path}`), 404));
  return app;
}
