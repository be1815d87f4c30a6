/** The JSON API of a running `s3-harness start`, as CLI commands reach it (`deliveries`, `reimport`). */
import { DEFAULT_API_URL } from '../defaults.ts';
import { UsageError } from './usage-error.ts';

export type ApiError = { error: { code: string; message: string } };

/** `--api`, else `S3_HARNESS_API`, else the default; said on stderr (stdout stays the command's output, for scripts). */
export function harnessApi(option: string | undefined): string {
  const api = option ?? process.env.S3_HARNESS_API ?? DEFAULT_API_URL;
  const from = option ? '--api' : process.env.S3_HARNESS_API ? 'S3_HARNESS_API' : 'the default';
  console.error(`harness API: ${api} (${from})`);
  return api;
}

export async function call<T>(
  api: string,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: T; next?: string }> {
  let response: Response;
  try {
    response = await fetch(`${api.replace(/\/+$/, '')}${path}`, init);
  } catch (error) {
    throw new UsageError(
      `cannot reach the harness API at ${api} (${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}); is "s3-harness start" running, and is --api its "API:" line?`,
    );
  }
  const next = response.headers.get('x-s3-harness-next');
  return { status: response.status, body: (await response.json()) as T, ...(next ? { next } : {}) };
}
