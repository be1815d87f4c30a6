/**
 * The doors of the UI/API port (docs/security.md). The harness runs on someone's laptop next to their
 * browser, so any page they visit can send it requests:
 * - DNS rebinding: a foreign name resolving to 127.0.0.1 lets that page read answers. Only the Host
 *   values the harness was started for are answered (421 otherwise).
 * - Cross-site requests: a page can POST plain forms. Every state-changing request must come from the
 *   harness's own pages: `Sec-Fetch-Site` and `Origin`, when sent, must name this origin, and the
 *   per-process token must ride along (a hidden `_token` field in forms, a header on htmx requests;
 *   every page gets both here, so no form can forget it). Clients that are not browsers (the CLI,
 *   curl, test code) send neither header; they may call the JSON API with a JSON body or none, which
 *   a cross-site form cannot send, or send the token.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Sec-Fetch-Site
 * @see https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';

export const TOKEN_HEADER = 'x-s3-harness-token';
export const TOKEN_FIELD = '_token';

export interface WebGuardOptions {
  /** `Host` values answered, as `name:port` (and bare `name` for an app driven in-process). */
  allowedHosts: readonly string[];
  /** The per-process token the UI's forms and htmx requests carry. */
  token: string;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host);
}

/** The hosts a port bound on `host` is reached by from this machine (and, bound on every interface, from others). */
export function allowedHostsFor(host: string, port: number): string[] {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (isWildcardHost(host)) {
    names.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces())) {
      for (const a of addresses ?? [])
        names.add(a.family === 'IPv6' ? `[${a.address.replace(/%.*$/, '')}]` : a.address);
    }
  } else {
    names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host.toLowerCase());
  }
  return [...names].map((name) => `${name}:${port}`);
}

function hostOf(c: Context): string {
  return (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
}

function tokensEqual(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a cross-site HTML form can send without a CORS preflight. */
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

/** Why the browser's own headers say another site sent the request (`sites`: the Sec-Fetch-Site values accepted), or undefined. */
function foreignSite(c: Context, origins: ReadonlySet<string>, sites: readonly string[]): string | undefined {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && !sites.includes(site)) return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = c.req.header('origin');
  if (origin !== undefined && !origins.has(origin.toLowerCase()))
    return `cross-origin request refused (Origin: ${origin})`;
  return undefined;
}

/**
 * Why a request is refused as not coming from the harness's own pages, or undefined when it may go on.
 * `formToken` reads the `_token` field of a form body (only asked for when no header carries the token).
 */
async function crossSiteRefusal(
  c: Context,
  options: Pick<WebGuardOptions, 'token'>,
  origins: ReadonlySet<string>,
  formToken: () => Promise<string | undefined>,
): Promise<string | undefined> {
  const foreign = foreignSite(c, origins, ['same-origin']);
  if (foreign) return foreign;
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  const type = c.req.header('content-type') ?? '';
  const given = c.req.header(TOKEN_HEADER) ?? (FORM_TYPES.test(type) ? await formToken() : undefined);
  if (given !== undefined)
    return tokensEqual(given, options.token)
      ? undefined
      : "the form token is not this harness's (it was restarted?): reload the page";
  const fromBrowser = site !== undefined || origin !== undefined;
  if (!fromBrowser && c.req.path.startsWith('/api/') && !FORM_TYPES.test(type)) return undefined;
  return `request without the harness's form token refused (send it as the ${TOKEN_HEADER} header or the ${TOKEN_FIELD} form field)`;
}

/** A GET that hands out secrets: refused when another site asked for it (a link or a script tag elsewhere). */
export function crossSiteRead(c: Context, origins: ReadonlySet<string>): string | undefined {
  return foreignSite(c, origins, ['same-origin', 'none']); // `none`: typed in the address bar
}

export function originsOf(options: Pick<WebGuardOptions, 'allowedHosts'>): Set<string> {
  return new Set(options.allowedHosts.map((host) => `http://${host.toLowerCase()}`));
}

/** Puts the token in every page: a header on htmx requests, a hidden field in every POST form. */
function withToken(page: string, token: string): string {
  return page
    .replace(/<body>/, `<body hx-headers:inherited='{"${TOKEN_HEADER}": "${token}"}'>`)
    .replace(
      /<form\b[^>]*\bmethod="post"[^>]*>/g,
      (form) => `${form}<input type="hidden" name="${TOKEN_FIELD}" value="${token}">`,
    );
}

/** An error as this port answers it: the API's JSON error under /api/, one line of text for the UI. */
export function errorResponse(
  c: Context,
  status: 400 | 403 | 413 | 421 | 500 | 503,
  code: string,
  message: string,
): Response {
  return c.req.path.startsWith('/api/') ? c.json({ error: { code, message } }, status) : c.text(`${message}\n`, status);
}

function refuse(c: Context, status: 403 | 421, reason: string): Response {
  return errorResponse(c, status, status === 421 ? 'MisdirectedRequest' : 'Forbidden', reason);
}

/** Answers only the hosts the harness was started for (DNS rebinding). */
export function hostGuard(options: Pick<WebGuardOptions, 'allowedHosts'>): MiddlewareHandler {
  const hosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  return async (c, next) => {
    const host = hostOf(c);
    if (!hosts.has(host))
      return refuse(c, 421, `this harness does not answer for host "${host}" (it answers ${[...hosts].join(', ')})`);
    await next();
  };
}

/** Refuses state changes that do not come from the harness's own pages, and gives its pages the token. */
export function crossSiteGuard(options: WebGuardOptions): MiddlewareHandler {
  const origins = originsOf(options);
  return async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const reason = await crossSiteRefusal(c, options, origins, async () => {
        const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        const value = (body as Record<string, unknown>)[TOKEN_FIELD];
        return typeof value === 'string' ? value : undefined;
      });
      if (reason) return refuse(c, 403, reason);
    }
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html')) {
      const headers = new Headers(c.res.headers);
      headers.delete('content-length');
      c.res = new Response(withToken(await c.res.text(), options.token), { status: c.res.status, headers });
    }
  };
}
