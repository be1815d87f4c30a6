/**
 * Accounts: connect an account with its keys (the secret is never shown again, only masked), test
 * the connection as the product's Step 3 does (list the buckets with those keys, through the
 * gateway), and the preflight of every integration.
 */
import { s3Sdk } from '../s3-sdk.ts';
import type { Context, Hono } from 'hono';
import { dictionary } from '../../core/shared/dictionary.ts';
import { runPreflight } from '../../core/preflight/index.ts';
import { toS3Failure } from '../engine/account-s3.ts';
import type { UiContext } from './context.ts';
import { clientWithKeys } from '../s3-client.ts';
import { html, type Html } from './html.ts';
import { page, statusBadge } from './layout.ts';

/** The key id in full (AWS shows it too), the secret never: only that one is set. */
const MASKED_SECRET = '••••••••';

async function testConnection(ctx: UiContext, name: string): Promise<Html> {
  const account = ctx.workspace.accounts.find((a) => a.name === name);
  if (!account) return html`<p class="error" role="alert">No account "${name}".</p>`;
  const client = clientWithKeys(ctx.endpoint, ctx.workspace.region, account);
  try {
    const buckets = ((await client.send(new (s3Sdk().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name ?? '');
    return html`<p role="status">${statusBadge('allowed')} Connected: the keys work and list ${buckets.length} bucket(s): ${buckets.join(', ')}.</p>`;
  } catch (error) {
    const failure = toS3Failure(error);
    if (failure.code === 'AccessDenied') {
      return html`<p role="status">${statusBadge('warning')} The keys work, but listing buckets is denied (s3:ListAllMyBuckets): integrations of this account need Manual Bucket Entry.<br><span class="muted">${failure.explanation ?? failure.message}</span></p>`;
    }
    return html`<p role="alert">${statusBadge('denied')} <strong>${failure.code}</strong>: ${failure.message}</p>`;
  } finally {
    client.destroy();
  }
}

function accountsPage(ctx: UiContext, notice: Html | string = ''): Html {
  const report = runPreflight(ctx.workspace, { bucketPolicyOf: (bucket) => ctx.gateway.bucketPolicy(bucket) });
  return page(
    'Accounts',
    '/accounts',
    html`
${notice}
<table>
  <thead><tr><th>Account</th><th>Description</th><th>Access key id</th><th>Secret access key</th><th>IAM user</th><th>Connection</th></tr></thead>
  <tbody>${ctx.workspace.accounts.map((a, i) =>
    a.remote
      ? html`<tr><td>${a.name} <span class="badge">remote</span></td><td>${a.description ?? ''}</td><td colspan="3">Remote: ${a.remote.endpoint ?? 'AWS'}, credentials from the AWS provider chain${a.remote.profile ? html` (profile <code>${a.remote.profile}</code>)` : ''}; the embedded gateway is not involved. <a href="/accounts/${encodeURIComponent(a.name)}/policy">Least-privilege policy</a></td>`
      : html`<tr><td>${a.name}</td><td>${a.description ?? ''}</td><td><code>${a.accessKeyId}</code></td><td>${MASKED_SECRET}</td>
    <td>${ctx.workspace.iam.users.find((u) => u.accessKeyId === a.accessKeyId)?.name ?? html`<span class="error">no user holds this key</span>`}</td>
    <td><button hx-post="/accounts/${encodeURIComponent(a.name)}/test" hx-target="#test-${i}">Test the connection</button><div id="test-${i}"></div>
    <a href="/accounts/${encodeURIComponent(a.name)}/policy">Least-privilege policy</a></td></tr>`,
  )}</tbody>
</table>
<h2>Connect an account</h2>
<form class="panel inline" method="post" action="/accounts" autocomplete="off">
  <label>Name <input name="name" required placeholder="acme-aws"></label>
  <label>Description <input name="description"></label>
  <label>Access key id <input name="accessKeyId" required pattern="[A-Z0-9]{16,128}" placeholder="AKIA..."></label>
  <label>Secret access key <input name="secretAccessKey" type="password" required autocomplete="new-password"></label>
  <button type="submit">Connect</button>
</form>
<h2>Preflight: what each integration needs, and whether its account may</h2>
<p>${report.ok ? html`${statusBadge('allowed')} Every needed action is allowed.` : html`${statusBadge('denied')} ${report.counts.denied} of ${report.counts.checks} needed actions are denied.`}</p>
<table>
  <thead><tr><th>Integration</th><th>Action</th><th>Resource</th><th>Why it is needed</th><th>Decision</th><th>Deciding statement or reason</th></tr></thead>
  <tbody>${report.integrations.flatMap((i) =>
    i.checks.map(
      (check) => html`<tr>
    <td>${i.id} <span class="muted">(${i.direction}, ${i.account})</span></td><td>${check.action}</td><td><code>${check.resource}</code></td><td>${check.purpose}</td>
    <td>${statusBadge(check.allowed ? 'allowed' : 'denied')}</td><td>${check.explanation}</td></tr>`,
    ),
  )}</tbody>
</table>`,
  );
}

async function connect(ctx: UiContext, c: Context): Promise<Response> {
  const form = await c.req.parseBody();
  const field = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const account: Record<string, string> = dictionary([
    ['name', field('name')],
    ['accessKeyId', field('accessKeyId')],
  ]);
  if (field('description')) account.description = field('description');
  const user = ctx.workspace.iam.users.find((u) => u.accessKeyId === account.accessKeyId);
  // A secret that is the user's is derived from the user; another one is kept, so its calls fail as AWS's would.
  if (!user || user.secretAccessKey !== field('secretAccessKey')) account.secretAccessKey = field('secretAccessKey');
  const result = await ctx.editor.edit([{ path: [{ key: 'accounts' }, { append: true }], value: account }]);
  if (result.ok) return c.redirect(`/accounts?connected=${encodeURIComponent(account.name!)}`, 303);
  return c.html(
    accountsPage(
      ctx,
      html`<div class="panel error" role="alert"><p>Not connected:</p><ul>${result.issues.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul></div>`,
    ).text,
    result.stage === 'edit' ? 400 : 422,
  );
}

export function accountRoutes(app: Hono, ctx: UiContext): void {
  app.get('/accounts', (c) => {
    const connected = c.req.query('connected');
    return c.html(
      accountsPage(
        ctx,
        connected
          ? html`<p class="panel" role="status">Account "${connected}" connected. Test the connection below.</p>`
          : '',
      ).text,
    );
  });
  app.post('/accounts', (c) => connect(ctx, c));
  app.post('/accounts/:name/test', async (c) => c.html((await testConnection(ctx, c.req.param('name'))).text));
}
