/** The UI/API port's guard in tests: the hosts an in-process app answers and the form token, as a page carries it. */
import type { Hono } from 'hono';
import { TOKEN_HEADER, type WebGuardOptions } from '../../emulator/web-guard.ts';

/** `app.request()` sends `Host: localhost` with no port. */
export const IN_PROCESS_GUARD: WebGuardOptions = { allowedHosts: ['localhost'], token: 'in-process-test-token' };

/** Reads the form token from one of the harness's pages, as a browser session has it. */
export async function formTokenOf(apiUrl: string): Promise<string> {
  const page = await (await fetch(`${apiUrl}/submissions`)).text();
  const token = /name="_token" value="([^"]+)"|"x-s3-harness-token": "([^"]+)"/.exec(page);
  if (!token) throw new Error(`no form token in ${apiUrl}/submissions`);
  return token[1] ?? token[2]!;
}

/** A request of the harness's own pages: same origin, with the token (in-process). */
export function ownPageRequest(app: Hono, token = IN_PROCESS_GUARD.token) {
  return (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if ((init.method ?? 'GET') !== 'GET') headers.set(TOKEN_HEADER, token);
    return app.request(path, { ...init, headers });
  };
}
