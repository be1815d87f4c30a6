/** The API's error answers and paging rules, shared by its route modules (shapes in docs/api.md). */
import type { Context } from 'hono';

/** The most items one page holds (and its default), for submissions and datasets. */
export const MAX_PAGE = 1000;

export const notFound = (what: string) => ({ error: { code: 'NotFound', message: what } });

/** A client's mistake, named: 400 with the parameter and what was expected. */
export const badRequest = (c: Context, message: string) => c.json({ error: { code: 'BadRequest', message } }, 400);

/** Why a page size cannot be used, or undefined. */
export function limitProblem(limitText: string): string | undefined {
  return /^\d{1,5}$/.test(limitText) && Number(limitText) >= 1 && Number(limitText) <= MAX_PAGE
    ? undefined
    : `limit must be a whole number from 1 to ${MAX_PAGE}, got "${limitText}"`;
}

/** A retry or re-import the engine refused: 404 nothing to act on, 409 not failed (a retry), 500 it could not run. */
export function refusal(
  c: Context,
  result: { reason: 'not-found' | 'not-failed' | 'error'; message: string },
): Response {
  const [status, code] =
    result.reason === 'not-found'
      ? ([404, 'NotFound'] as const)
      : result.reason === 'not-failed'
        ? ([409, 'Conflict'] as const)
        : ([500, 'InternalError'] as const);
  return c.json({ error: { code, message: result.message } }, status);
}

/** A page that has more after it: its `next` as a `link` header (RFC 8288) and as `x-s3-harness-next`. */
export function linkNextPage(c: Context, path: string, query: Record<string, string>, next: string): void {
  c.header('link', `<${path}?${new URLSearchParams(query)}>; rel="next"`);
  c.header('x-s3-harness-next', next);
}
