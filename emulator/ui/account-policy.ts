/**
 * An account's least-privilege policy (`s3-harness policy`, docs/go-live.md): the document to hand to the
 * customer with a copy button, why each statement is there, what the bucket policy already grants and
 * what no Allow can fix, for the bucket mode and the split the customer chooses.
 */
import type { Hono } from 'hono';
import { leastPrivilegePolicies, type GeneratedPolicy, type PolicyOptions } from '../../core/preflight/index.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { page, statusBadge } from './layout.ts';

function policySection(policy: GeneratedPolicy, index: number): Html {
  const id = `policy-${index}`;
  return html`<section class="panel">
<h2>${policy.integration ?? `Account ${policy.account}`}${policy.user ? html` <span class="muted">(IAM user ${policy.user})</span>` : ''}</h2>
<p>${policy.enough ? html`${statusBadge('allowed')} Checked: a user holding exactly this policy may make every request of its integrations.` : html`${statusBadge('denied')} Not enough: a Deny or a boundary refuses what is listed below, whatever the policy says.`}</p>
<pre id="${id}"><code>${JSON.stringify(policy.document, null, 2)}</code></pre>
<button type="button" hx-on:click="navigator.clipboard.writeText(document.getElementById('${id}').textContent).then(() => { this.textContent = 'Copied' })">Copy the policy</button>
<table>
  <thead><tr><th>Statement</th><th>Why it is there</th></tr></thead>
  <tbody>${policy.statements.map((s) => html`<tr><td><code>${s.statement.Sid ?? ''}</code></td><td>${s.reasons.map((r) => html`${r.integration} ${r.purpose}<br>`)}</td></tr>`)}</tbody>
</table>
${policy.grantedByBucketPolicy.map((n) => html`<p class="muted">Not in it: ${n.action} (${n.integration}): ${n.explanation}</p>`)}
${policy.leftOut.map((n) => html`<p class="muted">Left out: ${n.action} (${n.integration}): ${n.explanation}</p>`)}
${policy.blocked.map((n) => html`<p class="error" role="alert">Blocked: ${n.action} on <code>${n.resource}</code> (${n.integration}): no Allow can change this. ${n.explanation}</p>`)}
</section>`;
}

function optionsFrom(query: Record<string, string>): Omit<PolicyOptions, 'account'> {
  return {
    ...(query.per === 'integration' ? { per: 'integration' as const } : {}),
    ...(query.bucketMode === 'list' || query.bucketMode === 'manual' ? { bucketMode: query.bucketMode } : {}),
    ...(query.listBuckets === 'false' ? { listAllMyBuckets: false } : {}),
  };
}

export function accountPolicyRoutes(app: Hono, ctx: UiContext): void {
  app.get('/accounts/:name/policy', (c) => {
    const account = c.req.param('name');
    const options = optionsFrom(c.req.query());
    const result = leastPrivilegePolicies(ctx.workspace, {
      ...options,
      account,
      bucketPolicyOf: (bucket) => ctx.gateway.bucketPolicy(bucket),
    });
    const form = html`<form class="panel inline" method="get">
  <label>Bucket mode <select name="bucketMode"><option value="">each integration's own</option><option value="manual"${options.bucketMode === 'manual' ? ' selected' : ''}>Manual Bucket Entry</option><option value="list"${options.bucketMode === 'list' ? ' selected' : ''}>List Buckets</option></select></label>
  <label><input type="checkbox" name="listBuckets" value="false"${options.listAllMyBuckets === false ? ' checked' : ''}> without s3:ListAllMyBuckets</label>
  <label><input type="checkbox" name="per" value="integration"${options.per === 'integration' ? ' checked' : ''}> one policy per integration</label>
  <button type="submit">Write it</button>
</form>`;
    const body = result.ok
      ? html`<p>The IAM policy to attach to the user whose keys the platform holds: what its integrations need, and nothing more. The same from <code>s3-harness policy --account ${account}</code> and <code>GET /api/accounts/${account}/policy</code>.</p>
${form}
${result.policies.map(policySection)}`
      : html`<p class="error" role="alert">${result.error}.</p><p><a href="/accounts">Accounts</a></p>`;
    return c.html(page(`Policy for ${account}`, '/accounts', body).text, result.ok ? 200 : 404);
  });
}
