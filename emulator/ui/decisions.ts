/** Decisions: the gateway's latest IAM decisions, so a `403 Forbidden` seen in a terminal can be explained. */
import type { Hono } from 'hono';
import { describeStatement } from '../../core/iam/index.ts';
import type { DecisionFilter, LoggedDecision } from '../gateway/index.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { filterForm, tableHead } from './filter-form.ts';
import { page, statusBadge } from './layout.ts';

/** The condition keys the policies saw, when the operation has any: what a Condition was matched against. */
function conditionKeys(keys: LoggedDecision['conditionKeys']): Html | '' {
  const shown = Object.entries(keys).map(([key, value]) => html`<code>${key}</code> = ${JSON.stringify(value)}`);
  if (shown.length === 0) return '';
  return html`<br /><small>Condition keys: ${shown.map((entry, i) => html`${i ? ', ' : ''}${entry}`)}</small>`;
}

export function decisionRoutes(app: Hono, ctx: UiContext): void {
  app.get('/decisions', (c) => {
    const user = c.req.query('user') || undefined;
    const decision = c.req.query('decision');
    const filter: DecisionFilter = {
      ...(user ? { user } : {}),
      ...(decision === 'allow' || decision === 'deny' ? { decision } : {}),
      limit: 200,
    };
    const rows = ctx.gateway.decisions(filter);
    return c.html(
      page(
        'Decisions',
        '/decisions',
        html`<p>The latest IAM decisions of the S3 endpoint, newest first (also <code>GET /api/decisions</code>).</p>
          ${filterForm({
            action: '/decisions',
            fields: [{ name: 'user', label: 'User', value: user }],
            choice: {
              name: 'decision',
              label: 'Decision',
              value: decision,
              options: [
                ['', 'all'],
                ['deny', 'denied'],
                ['allow', 'allowed'],
              ],
            },
          })}
          <table>
            ${tableHead(['Time', 'User', 'Operation', 'Action and resource', 'Decision', 'Why'])}
            <tbody>
              ${rows.length === 0 ? html`<tr><td colspan="6">No decision yet.</td></tr>` : ''}
              ${rows.map(
                (d) =>
                  html`<tr>
                    <td>${d.time}</td>
                    <td>${d.user ?? 'anonymous'}</td>
                    <td>${d.operation}</td>
                    <td><code>${d.action}</code> on <code>${d.resource}</code></td>
                    <td>${statusBadge(d.decision === 'allow' ? 'allowed' : 'denied')}</td>
                    <td>
                      ${d.explanation}${
                        d.decidingStatement
                          ? html`<br /><small>Decided by ${describeStatement(d.decidingStatement)}</small>`
                          : ''
                      }${conditionKeys(d.conditionKeys)}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`,
      ).text,
    );
  });
}
