/**
 * Activity: what the S3 endpoint answered and what became of each drop, newest first, each with why
 * (docs/web-ui.md): the page a Customer Success engineer opens when "the customer's keys don't work"
 * or "the file never showed up". Refreshed every 3 seconds.
 */
import type { Hono } from 'hono';
import { ACTIVITY_OUTCOMES, type ActivityEntry, type ActivityFilter, type ActivityOutcome } from '../activity.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { filterForm, tableHead } from './filter-form.ts';
import { page, statusBadge } from './layout.ts';

const SHOWN = 200;
/** Refreshes every 3 seconds, except while a string to sign is open to be read. */
const PAUSED_WHILE_READING =
  "every 3s [!Array.from(document.querySelectorAll('#activity details')).some((d) => d.open)]";

function filterOf(query: Record<string, string>): ActivityFilter {
  const outcome = query.outcome as ActivityOutcome | undefined;
  return {
    ...(query.user ? { user: query.user } : {}),
    ...(query.bucket ? { bucket: query.bucket } : {}),
    ...(outcome && ACTIVITY_OUTCOMES.includes(outcome) ? { outcome } : {}),
    limit: SHOWN,
  };
}

function signatureDetail(entry: ActivityEntry): Html {
  const request = entry.request;
  if (!request?.stringToSign) return html``;
  return html`<details>
    <summary>AWS's string to sign and canonical request (compare with the client's)</summary>
    <pre>${request.stringToSign}</pre>
    <pre>${request.canonicalRequest ?? ''}</pre>
  </details>`;
}

function who(entry: ActivityEntry): string {
  const keyId = entry.request?.accessKeyId;
  if (entry.request?.keyOwner) return `${entry.request.keyOwner}'s key ${keyId} (not authenticated)`;
  if (entry.user) return entry.user;
  return keyId ? `key ${keyId} (no user)` : entry.kind === 'drop' ? '' : 'anonymous';
}

function links(entry: ActivityEntry): Html {
  const ids = entry.drop?.submissions ?? [];
  return html`${ids.map((id) => html` <a href="/submissions/${encodeURIComponent(id)}">submission ${id}</a>`)}`;
}

function rows(entries: readonly ActivityEntry[]): Html {
  if (entries.length === 0) return html`<tr><td colspan="5">Nothing yet.</td></tr>`;
  return html`${entries.map(
    (entry) =>
      html`<tr class="activity ${entry.outcome}">
        <td>${entry.time}</td>
        <td>${who(entry)}</td>
        <td>${entry.kind === 'drop' ? html`<strong>drop</strong> s3://${entry.bucket}/${entry.key}: ` : ''}${entry.summary}${links(entry)}</td>
        <td>${statusBadge(entry.outcome)}</td>
        <td>${entry.why ?? ''}${signatureDetail(entry)}</td>
      </tr>`,
  )}`;
}

export function activityRoutes(app: Hono, ctx: UiContext): void {
  app.get('/activity', (c) => {
    const query = c.req.query();
    const filter = filterOf(query);
    const here = `/activity?${new URLSearchParams(query)}`;
    return c.html(
      page(
        'Activity',
        '/activity',
        html`<p>Every request the S3 endpoint answered and what became of every drop, newest first, with why
            (also <code>GET /api/activity</code>). Refreshed every 3 seconds, except while a string to sign is open.</p>
          ${filterForm({
            action: '/activity',
            fields: [
              { name: 'user', label: 'User', value: query.user },
              { name: 'bucket', label: 'Bucket', value: query.bucket },
            ],
            choice: {
              name: 'outcome',
              label: 'Outcome',
              value: query.outcome,
              options: [['', 'all'], ...ACTIVITY_OUTCOMES.map((o) => [o, o] as const)],
            },
          })}
          <table>
            ${tableHead(['Time', 'Who', 'What', 'Outcome', 'Why'])}
            <tbody id="activity" hx-get="${here}" hx-select="#activity > *" hx-trigger="${PAUSED_WHILE_READING}" hx-swap="innerMorph">
              ${rows(ctx.activity.list(filter))}
            </tbody>
          </table>`,
      ).text,
    );
  });
}
