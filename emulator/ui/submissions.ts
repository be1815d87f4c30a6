/** Submissions: a live list with status filters, and a detail page with rows, red cells and deliveries. */
import type { Hono } from 'hono';
import type { Delivery, Submission, SubmissionStatus } from '../../core/submissions/index.ts';
import { templateFileColumns } from '../../core/templates/index.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { bytes, page, statusBadge } from './layout.ts';
import { whyFailed } from '../engine/report.ts';

const STATUSES: SubmissionStatus[] = ['complete', 'failed', 'pending'];
/** Rows shown on a detail page; the API serves the rest. */
const SHOWN_ROWS = 200;

/** Submissions listed (and refreshed every 2 s); older ones are in the API, a page at a time. */
const SHOWN_SUBMISSIONS = 200;

function listRows(ctx: UiContext, status: string | undefined): Html {
  const page = ctx.engine.store.newest({
    limit: SHOWN_SUBMISSIONS,
    ...(status ? { match: (s: Submission) => s.status === status } : {}),
  });
  const list = page.submissions;
  if (list.length === 0)
    return html`<tr><td colspan="7" class="muted">No submissions yet. Drop a file (the <a href="/s3">S3 browser</a> uploads as any user) and it appears here.</td></tr>`;
  return html`${list.map(
    (s) => html`<tr>
    <td><a href="/submissions/${encodeURIComponent(s.id)}">${s.name}</a></td>
    <td>${statusBadge(s.status)}${s.status === 'failed' ? html`<br><small class="error">${whyFailed(s)}</small>` : ''}</td>
    <td>${s.template}</td>
    <td>${s.counts.rows} rows, ${s.counts.accepted} accepted, ${s.counts.rejected} rejected</td>
    <td>${(s.deliveries ?? []).map((d) => html`${statusBadge(d.status)} `)}</td>
    <td>${s.submittedBy}</td>
    <td><time datetime="${s.submittedAt}">${s.submittedAt.replace('T', ' ').slice(0, 19)}</time></td>
  </tr>`,
  )}${page.next ? html`<tr><td colspan="7" class="muted">The newest ${SHOWN_SUBMISSIONS} are shown; <a href="/api/submissions?before=${encodeURIComponent(page.next)}">older ones</a> are in the API.</td></tr>` : ''}`;
}

function listPage(ctx: UiContext, status: string | undefined): Html {
  const query = status ? `?status=${encodeURIComponent(status)}` : '';
  return page(
    'Submissions',
    '/submissions',
    html`
<form class="inline" method="get" action="/submissions">
  <label>Status
    <select name="status">
      <option value="">all</option>
      ${STATUSES.map((s) => html`<option value="${s}"${s === status ? html` selected` : ''}>${s}</option>`)}
    </select>
  </label>
  <button type="submit">Filter</button>
</form>
<table>
  <thead><tr><th>Name</th><th>Status</th><th>Template</th><th>Rows</th><th>Deliveries</th><th>Submitted by</th><th>Submitted at (UTC)</th></tr></thead>
  <tbody id="submission-rows" hx-get="/submissions/rows${query}" hx-trigger="every 2s" hx-swap="innerMorph">${listRows(ctx, status)}</tbody>
</table>`,
  );
}

function deliveriesSection(submission: Submission): Html {
  const deliveries = submission.deliveries ?? [];
  return html`<section id="deliveries" aria-labelledby="deliveries-title">
<h2 id="deliveries-title">Deliveries</h2>
${
  deliveries.length === 0
    ? html`<p class="muted">${submission.status === 'complete' ? 'The template has no outbound integrations.' : 'Only complete submissions are delivered.'}</p>`
    : html`
<table>
  <thead><tr><th>Integration</th><th>Status</th><th>Object</th><th>Size</th><th>Attempts</th><th>Error and why</th><th></th></tr></thead>
  <tbody>${deliveries.map((d, n) => deliveryRow(submission, d, n))}</tbody>
</table>`
}
</section>`;
}

function deliveryRow(submission: Submission, d: Delivery, n: number): Html {
  return html`<tr>
  <td>${d.integration}</td>
  <td>${statusBadge(d.status)}${d.sse ? html` <span class="muted">SSE-S3</span>` : ''}</td>
  <td><a href="/s3/${encodeURIComponent(d.bucket)}/object?key=${encodeURIComponent(d.key)}">s3://${d.bucket}/${d.key}</a></td>
  <td>${bytes(d.bytes)}</td>
  <td>${d.attempts}</td>
  <td>${d.error ? html`<strong class="error">${d.error.code}</strong>: ${d.error.message}${d.error.explanation ? html`<br><span class="muted">${d.error.explanation}</span>` : ''}` : ''}
      ${d.warnings.map((w) => html`<div class="muted">Warning: ${w}</div>`)}</td>
  <td>${d.status === 'failed' ? html`<button hx-post="/submissions/${encodeURIComponent(submission.id)}/deliveries/${n}/retry" hx-target="#deliveries" hx-swap="outerHTML">Retry</button>` : ''}</td>
</tr>`;
}

async function detailPage(ctx: UiContext, submission: Submission): Promise<Html> {
  const template = ctx.workspace.templates.find((t) => t.name === submission.template);
  const columns = template ? templateFileColumns(template) : [];
  const rejected = [];
  for await (const row of ctx.engine.store.rejected(submission.id)) {
    rejected.push(row);
    if (rejected.length >= SHOWN_ROWS) break;
  }
  const accepted = [];
  for await (const row of ctx.engine.store.accepted(submission.id)) {
    accepted.push(row);
    if (accepted.length >= SHOWN_ROWS) break;
  }
  // An S3 refusal is shown once, with its explanation, above; issues of the file and of its header
  // (row 1) have no row in the rejected rows' table, so they are listed here, each with its fix.
  const fileIssues = submission.issues.filter(
    (i) => (i.row === undefined || i.rule === 'header') && !(submission.error && i.rule === 'access'),
  );
  const acceptedFields = accepted[0]?.fields ?? [];
  return page(
    submission.name,
    '/submissions',
    html`
<dl class="panel">
  <dt>Status</dt><dd>${statusBadge(submission.status)}</dd>
  <dt>Template</dt><dd>${submission.template} (integration ${submission.integration})</dd>
  <dt>Source</dt><dd><a href="/s3/${encodeURIComponent(submission.source.bucket)}/object?key=${encodeURIComponent(submission.source.key)}">s3://${submission.source.bucket}/${submission.source.key}</a>${submission.source.uploadedBy ? html` uploaded by ${submission.source.uploadedBy}` : ''}</dd>
  <dt>Submitted by</dt><dd>${submission.submittedBy}${submission.submittedByEmail ? html` &lt;${submission.submittedByEmail}&gt;` : ''}</dd>
  <dt>Submitted at</dt><dd>${submission.submittedAt}</dd>
  <dt>Rows</dt><dd>${submission.counts.rows} rows, ${submission.counts.accepted} accepted, ${submission.counts.rejected} rejected${submission.issuesNotKept ? html` (${submission.issuesNotKept} more issues not kept)` : ''}</dd>
  <dt>Id</dt><dd><code>${submission.id}</code></dd>
  ${submission.replaces ? html`<dt>Replaces</dt><dd><a href="/submissions/${encodeURIComponent(submission.replaces)}">${submission.replaces}</a> (imported again)</dd>` : ''}
</dl>
<form method="post" action="/submissions/${encodeURIComponent(submission.id)}/reimport"><button>Import again</button> <span class="muted">the same version of the object, after a fix (a policy, the template): a new submission that replaces this one${submission.status === 'complete' ? ' in the dataset' : ''}</span></form>
${submission.error ? html`<div class="panel error" role="alert"><strong>${submission.error.code}</strong>: ${submission.error.message}${submission.error.explanation ? html`<p>Why: ${submission.error.explanation}</p>` : ''}</div>` : ''}
${fileIssues.length ? html`<h2>Problems with the file</h2><ul class="error">${fileIssues.map((i) => html`<li>${i.rule === 'header' ? html`Header (row 1): ` : i.column ? html`${i.column}: ` : ''}${i.message} <span class="muted">(${i.rule})</span></li>`)}</ul>` : ''}
${
  rejected.length
    ? html`<h2>Rejected rows</h2>
<table class="rows">
  <thead><tr><th>Row</th>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
  <tbody>${rejected.map(
    (r) =>
      html`<tr><th scope="row">${r.row}</th>${columns.map((column, i) => {
        const issues = r.issues.filter((issue) => issue.column === column);
        return issues.length
          ? html`<td class="bad">${r.cells[i] ?? ''}${issues.map((issue) => html`<small>${issue.message}</small>`)}</td>`
          : html`<td>${r.cells[i] ?? ''}</td>`;
      })}</tr>`,
  )}</tbody>
</table>`
    : ''
}
${
  accepted.length
    ? html`<h2>${submission.status === 'complete' ? 'Rows' : 'Valid rows'}${accepted.length >= SHOWN_ROWS ? html` (the first ${SHOWN_ROWS})` : ''}</h2>
${submission.status === 'failed' ? html`<p class="muted">Not imported: one bad row fails the whole file. Derived values show what they would have been.</p>` : ''}
<table class="rows">
  <thead><tr>${acceptedFields.map((f) => html`<th>${f}</th>`)}</tr></thead>
  <tbody>${accepted.map((r) => html`<tr>${r.values.map((v) => html`<td>${v}</td>`)}</tr>`)}</tbody>
</table>`
    : ''
}
${deliveriesSection(submission)}`,
  );
}

export function submissionRoutes(app: Hono, ctx: UiContext): void {
  app.get('/submissions', (c) => c.html(listPage(ctx, c.req.query('status') || undefined).text));
  app.get('/submissions/rows', (c) => c.html(listRows(ctx, c.req.query('status') || undefined).text));
  app.get('/submissions/:id', async (c) => {
    const submission = ctx.engine.store.submission(c.req.param('id'));
    if (!submission)
      return c.html(page('Not found', '/submissions', html`<p>No submission "${c.req.param('id')}".</p>`).text, 404);
    return c.html((await detailPage(ctx, submission)).text);
  });
  app.post('/submissions/:id/reimport', async (c) => {
    const id = c.req.param('id');
    const result = await ctx.engine.reimport(id);
    if (result.ok && result.submissions[0])
      return c.redirect(`/submissions/${encodeURIComponent(result.submissions[0].id)}`, 303);
    const message = result.ok
      ? `The object of ${id} has changed since it was dropped; its new version is imported on its own.`
      : result.message;
    const status = result.ok ? 409 : result.reason === 'not-found' ? 404 : 500;
    return c.html(
      page('Not imported again', '/submissions', html`<p class="error" role="alert">${message}</p>`).text,
      status,
    );
  });
  app.post('/submissions/:id/deliveries/:n/retry', async (c) => {
    const id = c.req.param('id');
    const result = await ctx.engine.retryDelivery({ submissionId: id, index: Number(c.req.param('n')) });
    const submission = ctx.engine.store.submission(id);
    if (!submission) return c.html(html`<p class="error">No submission "${id}".</p>`.text, 404);
    return c.html(
      html`${result.ok ? '' : html`<p class="error" role="alert">${result.message}</p>`}${deliveriesSection(submission)}`
        .text,
    );
  });
}
