/** IAM: users with their policies, and a simulator that shows the decision and the deciding statement. */
import type { Hono } from 'hono';
import { applicablePolicies, decide, globalContext, principalOf, type Caller } from '../../core/iam/index.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { page, statusBadge } from './layout.ts';

function simulate(ctx: UiContext, form: { user: string; action: string; resource: string; context: string }): Html {
  const user = ctx.workspace.iam.users.find((u) => u.name === form.user);
  if (!user) return html`<p class="error" role="alert">Choose a user.</p>`;
  let context: Record<string, string> = {};
  if (form.context.trim()) {
    try {
      context = JSON.parse(form.context) as Record<string, string>;
    } catch (error) {
      return html`<p class="error" role="alert">The context must be a JSON object such as {"s3:prefix": "us/"}: ${(error as Error).message}</p>`;
    }
  }
  const caller: Caller = { principal: principalOf(ctx.workspace, user), user };
  const bucket = /^arn:aws:s3:::([^/]+)/.exec(form.resource)?.[1];
  const policies = applicablePolicies(caller, bucket, bucket ? ctx.gateway.bucketPolicy(bucket) : undefined);
  const decision = decide(caller, { action: form.action, resource: form.resource, context }, policies, globalContext(caller, { sourceIp: '127.0.0.1', secureTransport: false, now: Date.now(), authType: 'REST-HEADER' }));
  return html`<div role="status"><p>${statusBadge(decision.allowed ? 'allowed' : 'denied')} <strong>${decision.effect}</strong></p><p>${decision.explanation}</p></div>`;
}

export function iamRoutes(app: Hono, ctx: UiContext): void {
  app.get('/iam', (c) => c.html(page('IAM', '/iam', html`
<h2>Simulator</h2>
<form class="panel inline" method="post" action="/iam/simulate" hx-post="/iam/simulate" hx-target="#decision">
  <label>User <select name="user">${ctx.workspace.iam.users.map((u) => html`<option>${u.name}</option>`)}</select></label>
  <label>Action <input name="action" value="s3:GetObject" required></label>
  <label>Resource <input name="resource" value="arn:aws:s3:::${ctx.workspace.buckets[0]?.name ?? 'bucket'}/key" size="40" required></label>
  <label>Context (JSON) <input name="context" placeholder='{"s3:prefix": "us/"}' size="28"></label>
  <button type="submit">Decide</button>
  <div id="decision"></div>
</form>
<h2>Users</h2>
${ctx.workspace.iam.users.map((u) => html`<section class="panel"><h3>${u.name} <span class="muted">${u.displayName}${u.email ? ` <${u.email}>` : ''}</span></h3>
<p>Access key id <code>${u.accessKeyId}</code>, secret ••••••••</p>
${u.policies.map((p, i) => html`<p class="muted">Identity policy ${i}</p><pre>${JSON.stringify(p, null, 2)}</pre>`)}</section>`)}
<h2>Bucket policies</h2>
${ctx.workspace.buckets.map((b) => {
    const policy = ctx.gateway.bucketPolicy(b.name);
    return html`<section class="panel"><h3>${b.name}</h3>${policy ? html`<pre>${JSON.stringify(policy, null, 2)}</pre>` : html`<p class="muted">No bucket policy.</p>`}</section>`;
  })}`).text));
  app.post('/iam/simulate', async (c) => {
    const form = await c.req.parseBody();
    const result = simulate(ctx, { user: String(form.user ?? ''), action: String(form.action ?? ''), resource: String(form.resource ?? ''), context: String(form.context ?? '') });
    return c.html(c.req.header('HX-Request') ? result.text : page('IAM simulator', '/iam', html`${result}<p><a href="/iam">Back</a></p>`).text);
  });
}
