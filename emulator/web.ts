/** The JSON API (under /api) and the web UI (everything else), one Hono app on one port. */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { Workspace } from '../core/workspace/index.ts';
import { createActivityLog, type ActivityLog } from './activity.ts';
import { createApiApp } from './api/app.ts';
import { DEFAULTS } from './defaults.ts';
import { dataFolderFault } from './gateway/data-folder-fault.ts';
import type { Engine } from './engine/engine.ts';
import type { Gateway } from './gateway/index.ts';
import { notFoundPage, uiRoutes, type UiOptions } from './ui/app.ts';
import { crossSiteGuard, errorResponse, hostGuard, originsOf, type WebGuardOptions } from './web-guard.ts';
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
  /** Request bodies above this are refused with 413 before being read. @default 10 MiB */
  formLimitBytes?: number;
  /** The same for files uploaded through the S3 browser. @default 100 MiB (2 KB a row at the 50,000-row limit) */
  uploadLimitBytes?: number;
  /** The activity timeline (`GET /api/activity`, the Activity page). @default an empty one */
  activity?: ActivityLog;
}

const WEB_DEFAULTS = {
  formLimitBytes: DEFAULTS.formLimitBytes,
  uploadLimitBytes: DEFAULTS.uploadLimitBytes,
} satisfies Partial<WebOptions>;
const UPLOAD_PATH = '/s3/upload';

export function createWebApp(options: WebOptions): Hono {
  const { workspace, engine, gateway, endpoint, editor, guard, formLimitBytes, uploadLimitBytes } = {
    ...WEB_DEFAULTS,
    ...options,
  };
  const activity = options.activity ?? createActivityLog(DEFAULTS.activityLogSize);
  const web = new Hono();
  // In this order: a foreign Host is refused before anything is read, a body too large before it is parsed.
  web.use(hostGuard(guard));
  const tooLarge = (limit: number) =>
    bodyLimit({
      maxSize: limit,
      onError: () => {
        throw new HTTPException(413, {
          message: `the request body is larger than ${limit} bytes, this harness's limit for it`,
        });
      },
    });
  const [forms, uploads] = [tooLarge(formLimitBytes), tooLarge(uploadLimitBytes)];
  web.use((c, next) => (c.req.path === UPLOAD_PATH ? uploads : forms)(c, next));
  web.use(crossSiteGuard(guard));
  web.route(
    '/',
    createApiApp(workspace, engine, {
      bucketPolicyOf: (bucket) => gateway.bucketPolicy(bucket),
      decisions: (filter) => gateway.decisions(filter),
      activity: (filter) => activity.list(filter),
    }),
  );
  uiRoutes(web, { workspace, engine, gateway, endpoint, editor, activity, origins: originsOf(guard) }, options);
  web.onError((error, c) => answerError(error, c));
  web.notFound((c) =>
    c.req.path.startsWith('/api/')
      ? c.json({ error: { code: 'NotFound', message: `no route ${c.req.method} ${c.req.path}` } }, 404)
      : c.html(notFoundPage(c.req.path), 404),
  );
  return web;
}

/**
 * Exceptions become answers here, and only here: a body that cannot be read as what its Content-Type
 * says is the client's mistake (400); anything else is ours (500, one line in the log, no stack for the client).
 */
function answerError(error: Error, c: Context): Response {
  const answer = (status: 400 | 413 | 500 | 503, code: string, message: string) =>
    errorResponse(c, status, code, message);
  if (error instanceof HTTPException)
    return error.status === 413 ? answer(413, 'PayloadTooLarge', error.message) : error.getResponse();
  if (isUnreadableBody(error))
    return answer(
      400,
      'BadRequest',
      `the request body cannot be read as ${c.req.header('content-type') ?? 'a form'}: ${error.message}`,
    );
  // A change the data folder refused (a full disk, a read-only folder): try again later, as the gateway says too.
  const fault = dataFolderFault(error);
  if (fault) {
    console.error(`[s3-harness] ${c.req.method} ${c.req.path}: ${dataFolderFault(error, { where: true })}`);
    return answer(503, 'ServiceUnavailable', fault);
  }
  console.error(`[s3-harness] internal error on ${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`);
  return answer(500, 'InternalError', 'internal error in the harness (its log has the details)');
}

/** What undici and Hono throw for a malformed form or JSON body (a multipart body without its boundary, say). */
function isUnreadableBody(error: Error): boolean {
  return (
    (error instanceof TypeError && /parse body|FormData|boundary|multipart/i.test(error.message)) ||
    error instanceof SyntaxError
  );
}
