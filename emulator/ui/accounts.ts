/** Accounts: connected accounts (secrets masked, never shown) and the preflight of every integration. */
import type { Hono } from 'hono';
import { runPreflight } from '../../core/preflight/index.ts';
import type { UiContext } from './context.ts';
import { html } from './html.ts';
import { page, statusBadge } from './layout.ts';

/** The key id in full (AWS shows it too), the secret never: only that one is set. */
const MASKED_SECRET = '••••••••';

export function accountRoutes(app: Hono, ctx: UiContext): void {
  app.get('/accounts', (c) => {
    const report = runPreflight(ctx.workspace, { bucketPolicyOf: (bucket) => ctx.gateway.bucketPolicy(bucket) });
    return c.html(page('Accounts', '/accounts', html`
<table>
  <thead><tr><th>Account</th><th>Description</th><th>Access key id</th><th>Secret access key</th><th>IAM user</th></tr></thead>
  <tbody>${ctx.workspace.accounts.map((a) => html`<tr><td>${a.name}</td><td>${a.description ?? ''}</td><td><code>${a.accessKeyId}</code></td><td>${MASKED_SECRET}</td>
    <td>${ctx.workspace.iam.users.find((u) => u.accessKeyId === a.accessKeyId)?.name ?? html`<span class="error">no user holds this key</span>`}</td></tr>`)}</tbody>
</table>
<h2>Preflight: what each integration needs, and whether its account may</h2>
<p>${report.ok ? html`${statusBadge('allowed')} Every needed action is allowed.` : html`${statusBadge('denied')} ${report.counts.denied} of ${report.counts.checks} needed actions are denied.`}</p>
<table>
  <thead><tr><th>Integration</th><th>Action</th><th>Resource</th><th>Why it is needed</th><th>Decision</th><th>Deciding statement or reason</th></tr></thead>
  <tbody>${report.integrations.flatMap((i) => i.checks.map((check) => html`<tr>
    <td>${i.id} <span class="muted">(${i.direction}, ${i.account})</span></td><td>${check.action}</td><td><code>${check.resource}</code></td><td>${check.purpose}</td>
    <td>${statusBadge(check.allowed ? 'allowed' : 'denied')}</td><td>${check.explanation}</td></tr>`))}</tbody>
</table>`).text);
  });
}
