/**
 * The web UI: server-rendered pages with htmx 4 for partial updates, no client framework and no
 * front-end build. Served beside the JSON API (one port), printed by `start` as `UI:`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Hono } from 'hono';
import { DEFAULTS } from '../defaults.ts';
import type { ScenarioRunner } from '../scenarios/scenario-result.ts';
import { accountPolicyRoutes } from './account-policy.ts';
import { accountRoutes } from './accounts.ts';
import { connectRoutes } from './connect.ts';
import { activityRoutes } from './activity.ts';
import { decisionRoutes } from './decisions.ts';
import type { UiContext } from './context.ts';
import { html } from './html.ts';
import { iamRoutes } from './iam.ts';
import { page } from './layout.ts';
import { s3Routes } from './s3-browser.ts';
import { scenarioRoutes } from './scenarios.ts';
import { submissionRoutes } from './submissions.ts';
import { templateRoutes } from './templates.ts';
import { workspaceDownloadRoutes } from './workspace-download.ts';

const require = createRequire(import.meta.url);
/** By file name: a Map, so that `/assets/constructor` is a name like any other (a 404), never Object's. */
const ASSETS = new Map([
  [
    'htmx.js',
    {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
    },
  ],
  [
    'app.css',
    { type: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/app.css', import.meta.url), 'utf8') },
  ],
]);

export interface UiOptions {
  /** The scenario suites the Scenarios page runs. @default "scenarios" */
  scenarioDirectory?: string;
  /** Runs them (each on a harness of its own); without it the page lists them only. */
  runScenarios?: ScenarioRunner;
}

export function uiRoutes(app: Hono, ctx: UiContext, options: UiOptions = {}): void {
  app.get('/', (c) => c.redirect('/submissions'));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/assets/:name', (c) => {
    const asset = ASSETS.get(c.req.param('name'));
    return asset
      ? c.body(asset.body, 200, { 'content-type': asset.type, 'cache-control': 'no-cache' })
      : c.text('Not found', 404);
  });
  submissionRoutes(app, ctx);
  s3Routes(app, ctx);
  templateRoutes(app, ctx);
  connectRoutes(app, ctx);
  workspaceDownloadRoutes(app, ctx);
  accountRoutes(app, ctx);
  accountPolicyRoutes(app, ctx);
  iamRoutes(app, ctx);
  activityRoutes(app, ctx);
  decisionRoutes(app, ctx);
  scenarioRoutes(app, ctx, options.scenarioDirectory ?? DEFAULTS.scenarioDirectory, options.runScenarios);
}

export const notFoundPage = (path: string) =>
  page('Not found', '', html`<p>Nothing at ${path}. <a href="/">Start here</a>.</p>`).text;
