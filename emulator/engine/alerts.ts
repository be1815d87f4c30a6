/**
 * Alerts on failed imports and deliveries, which the product does not send: a webhook receives a JSON POST,
 * retried with backoff, never blocking the import.
 */
import type { Delivery, Submission } from '../../core/submissions/index.ts';
import { DEFAULTS } from '../defaults.ts';

export type AlertPayload =
  | { event: 'import.failed'; submission: Submission }
  | { event: 'delivery.failed'; submission: Submission; delivery: Delivery; index: number };

export interface WebhookOptions {
  url: string;
  /** @default 4 */
  attempts?: number;
  /** @default 500 ms, doubled after each failure */
  firstDelayMs?: number;
  /** @default 5,000 ms per attempt */
  timeoutMs?: number;
  log: (line: string) => void;
}

export function sendWebhook(payload: AlertPayload, options: WebhookOptions): Promise<void> {
  const { attempts, firstDelayMs, timeoutMs } = { ...DEFAULTS.webhook, ...options };
  const body = JSON.stringify(payload);
  const tryOnce = async (n: number): Promise<void> => {
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (response.ok) return;
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (n >= attempts) {
        options.log(
          `[alert] the webhook ${options.url} did not take the alert for submission ${payload.submission.id} after ${attempts} attempts: ${(error as Error).message}`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, firstDelayMs * 2 ** (n - 1)));
      return tryOnce(n + 1);
    }
  };
  return tryOnce(1);
}
