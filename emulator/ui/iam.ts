/** IAM: users with their policies, and a simulator that shows the decision and the deciding statement. */
import type { Context, Hono } from 'hono';
import {
  callerOf,
  decideForCaller,
  describeStatement,
  localRequestFacts,
  type AttachedPolicy,
  type Decision,
} from '../../core/iam/index.ts';
import { firstJsonErrorOffset, locationOf } from '../../core/shared/json-error-location.ts';
import { dictionary } from '../../core/shared/dictionary.ts';
import type { InputIssue } from '../../core/shared/issues.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { page, statusBadge } from './layout.ts';

/** The simulator's answer: the decision, or (400) why the question cannot be asked. */
function simulate(
  ctx: UiContext,
  form: { user: string; action: string; resource: string; context: string },
): { status: 200 | 400; html: Html } {
  const refused = (text: Html) => ({ status: 400 as const, html: text });
  const user = ctx.workspace.iam.users.find((u) => u.name === form.user);
  if (!user) return refused(html`<p class="error" role="alert">Choose a user.</p>`);
  let context: Record<string, string> = {};
  const expected = 'The context must be a JSON object of strings such as {"s3:prefix": "us/"}';
  if (form.context.trim()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(form.context);
    } catch (error) {
      return refused(html`<p class="error" role="alert">${expected}: ${(error as Error).message}</p>`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      return refused(html`<p class="error" role="alert">${expected}, got ${form.context.trim().slice(0, 80)}</p>`);
    const notText = Object.entries(parsed).find(([, value]) => typeof value !== 'string');
    if (notText)
      return refused(
        html`<p class="error" role="alert">${expected}: "${notText[0]}" is ${JSON.stringify(notText[1])}</p>`,
      );
    context = dictionary(parsed as Record<string, string>);
  }
  const { caller, baseContext } = callerOf(ctx.workspace, user, localRequestFacts(Date.now()));
  const { decision, policies } = decideForCaller(
    caller,
    { action: form.action, resource: form.resource, context },
    { bucketPolicyOf: (bucket) => ctx.gateway.bucketPolicy(bucket), baseContext },
  );
  return {
    status: 200,
    html: html`<div role="status"><p>${statusBadge(decision.allowed ? 'allowed' : 'denied')} <strong>${decision.effect}</strong></p><p>${decision.explanation}</p>${decidingStatement(decision, policies)}</div>`,
  };
}

/** The statement that decided, shown highlighted as it is written in its policy. */
function decidingStatement(decision: Decision, policies: readonly AttachedPolicy[]): Html | '' {
  const ref = decision.decidingStatement;
  if (!ref) return '';
  const policy = policies.find((p) => JSON.stringify(p.source) === JSON.stringify(ref.source));
  const statements = policy ? [policy.document.Statement].flat() : [];
  const statement = statements[ref.statementIndex];
  return statement
    ? html`<p>Deciding statement: ${describeStatement(ref)}</p><pre><mark>${JSON.stringify(statement, null, 2)}</mark></pre>`
    : '';
}

/** A policy's JSON with its problems where they are: a syntax error's line and column, or the statement's path. */
function policyEditor(user: string, index: number | 'new', text: string, problems: Html | '' = ''): Html {
  return policyForm(
    `${user}: ${index === 'new' ? 'add an identity policy' : `identity policy ${index}`}`,
    `/iam/users/${encodeURIComponent(user)}/policies/${index}`,
    text,
    problems,
  );
}

function policyForm(title: string, action: string, text: string, problems: Html | '' = '', note: Html | '' = ''): Html {
  return page(
    title,
    '/iam',
    html`
${problems}${note}
<form class="panel" method="post" action="${action}">
  <label>Policy (JSON) <textarea name="policy" rows="22" cols="90" spellcheck="false">${text}</textarea></label>
  <p><button type="submit">Save</button> <a href="/iam">Cancel</a></p>
</form>`,
  );
}

function syntaxProblem(text: string): Html | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    const offset = firstJsonErrorOffset(text);
    const { line, column } = locationOf(text, offset < 0 ? text.length : offset);
    const source = text.split(/\r?\n/)[line - 1] ?? '';
    return html`<div class="panel error" role="alert"><p>Not valid JSON at line ${line}, column ${column}:</p><pre>${source}\n${' '.repeat(Math.max(0, column - 1))}^</pre></div>`;
  }
}

/** A bucket's policy: blank for none. Saving makes it the one in force, over one set through the S3 API. */
async function saveBucketPolicy(ctx: UiContext, c: Context): Promise<Response> {
  const bucket = c.req.param('bucket') ?? '';
  const text = String((await c.req.parseBody()).policy ?? '').trim();
  const action = `/iam/buckets/${encodeURIComponent(bucket)}/policy`;
  const syntax = text ? syntaxProblem(text) : undefined;
  if (syntax) return c.html(policyForm(`Bucket policy of ${bucket}`, action, text, syntax).text, 422);
  if (!ctx.editor.workspace().buckets.some((b) => b.name === bucket))
    return c.html(page('Not found', '/iam', html`<p>No bucket "${bucket}" in the workspace.</p>`).text, 404);
  const path = [{ key: 'buckets' }, { name: bucket }, { key: 'policy' }];
  const result = await ctx.editor.edit([text ? { path, value: JSON.parse(text) as unknown } : { path, remove: true }]);
  if (!result.ok) {
    return c.html(
      policyForm(
        `Bucket policy of ${bucket}`,
        action,
        text,
        html`<div class="panel error" role="alert"><p>Not saved:</p><ul>${result.issues.map((i: InputIssue) => html`<li>${i.path}: ${i.message}</li>`)}</ul></div>`,
      ).text,
      result.stage === 'edit' ? 400 : 422,
    );
  }
  await ctx.gateway.clearPolicyOverride(bucket);
  return c.redirect('/iam', 303);
}

/** `new`, or the index of one of the user's policies; undefined for anything else (a 400). */
function policyIndex(text: string, count: number): number | 'new' | undefined {
  if (text === 'new') return 'new';
  return /^\d{1,6}$/.test(text) && Number(text) < count ? Number(text) : undefined;
}

async function savePolicy(ctx: UiContext, c: Context): Promise<Response> {
  const userName = c.req.param('name') ?? '';
  const user = ctx.editor.workspace().iam.users.find((u) => u.name === userName);
  if (!user) return c.html(page('Not found', '/iam', html`<p>No user "${userName}" in the workspace.</p>`).text, 404);
  const index = policyIndex(c.req.param('index') ?? '', user.policies.length);
  if (index === undefined)
    return c.html(
      page(
        'Bad request',
        '/iam',
        html`<p class="error" role="alert">User "${userName}" has ${user.policies.length} identity policies (0 to ${user.policies.length - 1}); "${c.req.param('index')}" is none of them. Use "new" to add one.</p>`,
      ).text,
      400,
    );
  const text = String((await c.req.parseBody()).policy ?? '');
  const syntax = syntaxProblem(text);
  if (syntax) return c.html(policyEditor(userName, index, text, syntax).text, 422);
  const policies = [{ key: 'iam' }, { key: 'users' }, { name: userName }, { key: 'policies' }];
  const result = await ctx.editor.edit([
    {
      path: [...policies, index === 'new' ? { append: true as const } : { index }],
      value: JSON.parse(text) as unknown,
    },
  ]);
  if (result.ok) return c.redirect('/iam', 303);
  const problems = html`<div class="panel error" role="alert"><p>Not saved:</p><ul>${result.issues.map((i: InputIssue) => html`<li>${i.path}: ${i.message}</li>`)}</ul></div>`;
  return c.html(policyEditor(userName, index, text, problems).text, result.stage === 'edit' ? 400 : 422);
}

/** The IAM page: the simulator, each user with their identity policies, each bucket's policy. */
function iamPage(ctx: UiContext): Html {
  return page(
    'IAM',
    '/iam',
    html`
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
${ctx.workspace.iam.users.map(
  (
    u,
  ) => html`<section class="panel"><h3>${u.name} <span class="muted">${u.displayName}${u.email ? ` <${u.email}>` : ''}</span></h3>
<p>Access key id <code>${u.accessKeyId}</code>, secret ••••••••</p>
${u.policies.map((p, i) => html`<p class="muted">Identity policy ${i} <a href="/iam/users/${encodeURIComponent(u.name)}/policies/${i}">Edit</a></p><pre>${JSON.stringify(p, null, 2)}</pre>`)}
<p><a href="/iam/users/${encodeURIComponent(u.name)}/policies/new">Add an identity policy</a></p></section>`,
)}
<h2>Bucket policies</h2>
${ctx.workspace.buckets.map((b) => {
  const policy = ctx.gateway.bucketPolicy(b.name);
  const changed = ctx.gateway.policyOverrides().find((o) => o.bucket === b.name);
  return html`<section class="panel"><h3>${b.name} <a href="/iam/buckets/${encodeURIComponent(b.name)}/policy" aria-label="Edit the bucket policy of ${b.name}">Edit</a></h3>
${changed ? html`<p class="muted">Set through the S3 API on ${changed.changedAt}: this version is in force, not the workspace's.</p>` : ''}
${policy ? html`<pre>${JSON.stringify(policy, null, 2)}</pre>` : html`<p class="muted">No bucket policy.</p>`}</section>`;
})}`,
  );
}

/** A new identity policy starts from one example statement. */
const NEW_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'NewStatement', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }],
};

function userPolicyEditor(ctx: UiContext, c: Context): Response {
  const user = ctx.workspace.iam.users.find((u) => u.name === c.req.param('name'));
  const index = c.req.param('index') === 'new' ? 'new' : Number(c.req.param('index'));
  const policy = index === 'new' ? NEW_POLICY : user?.policies[index];
  if (!user || !policy) return c.html(page('Not found', '/iam', html`<p>No such policy.</p>`).text, 404);
  return c.html(policyEditor(user.name, index, JSON.stringify(policy, null, 2)).text);
}

function bucketPolicyEditor(ctx: UiContext, c: Context): Response {
  const bucket = c.req.param('bucket')!;
  if (!ctx.workspace.buckets.some((b) => b.name === bucket))
    return c.html(page('Not found', '/iam', html`<p>No bucket "${bucket}" in the workspace.</p>`).text, 404);
  const policy = ctx.gateway.bucketPolicy(bucket);
  const note = html`<p class="muted">Leave it empty for no bucket policy.</p>${
    ctx.gateway.policyOverrides().some((o) => o.bucket === bucket)
      ? html`<p class="panel">This policy was set through the S3 API. Saving here makes yours the one in force, and the workspace's.</p>`
      : ''
  }`;
  return c.html(
    policyForm(
      `Bucket policy of ${bucket}`,
      `/iam/buckets/${encodeURIComponent(bucket)}/policy`,
      policy ? JSON.stringify(policy, null, 2) : '',
      '',
      note,
    ).text,
  );
}

/** The simulator's form: a fragment for htmx, a page without it. */
async function simulateRoute(ctx: UiContext, c: Context): Promise<Response> {
  const form = await c.req.parseBody();
  const result = simulate(ctx, {
    user: String(form.user ?? ''),
    action: String(form.action ?? ''),
    resource: String(form.resource ?? ''),
    context: String(form.context ?? ''),
  });
  return c.html(
    c.req.header('HX-Request')
      ? result.html.text
      : page('IAM simulator', '/iam', html`${result.html}<p><a href="/iam">Back</a></p>`).text,
    result.status,
  );
}

export function iamRoutes(app: Hono, ctx: UiContext): void {
  app.get('/iam', (c) => c.html(iamPage(ctx).text));
  app.get('/iam/users/:name/policies/:index', (c) => userPolicyEditor(ctx, c));
  app.post('/iam/users/:name/policies/:index', (c) => savePolicy(ctx, c));
  app.get('/iam/buckets/:bucket/policy', (c) => bucketPolicyEditor(ctx, c));
  app.post('/iam/buckets/:bucket/policy', (c) => saveBucketPolicy(ctx, c));
  app.post('/iam/simulate', (c) => simulateRoute(ctx, c));
}
