/** Templates: each schema (fields, types, rules), its template file, and its integrations with their status. */
import type { Hono } from 'hono';
import { isInputField, type Field } from '../../core/templates/index.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { page, statusBadge } from './layout.ts';

/** A field's rules in a few words, from its own keys (everything but name, type and description). */
function rules(field: Field): string {
  const {
    name: _name,
    type: _type,
    description: _description,
    required,
    visible,
    ...rest
  } = field as Field & Record<string, unknown>;
  const parts = [
    required ? 'required' : '',
    visible === false ? 'not visible' : '',
    ...Object.entries(rest).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`),
  ];
  return parts.filter(Boolean).join('; ');
}

function templateSection(ctx: UiContext, name: string): Html {
  const template = ctx.workspace.templates.find((t) => t.name === name)!;
  const statuses = ctx.engine.integrations();
  const base = `/templates/${encodeURIComponent(template.name)}`;
  const statusOf = (direction: 'inbound' | 'outbound', integration: string) =>
    statuses.find((s) => s.direction === direction && s.id === `${template.name}/${integration}`);
  return html`<section class="panel" aria-labelledby="t-${template.name}">
<h2 id="t-${template.name}">${template.name}</h2>
${template.description ? html`<p>${template.description}</p>` : ''}
<p><a href="/api/templates/${encodeURIComponent(template.name)}/template-file" download>Download the template file</a>${template.updateKeys.length ? html` · update keys: ${template.updateKeys.join(', ')}` : ''}${template.autoSubmit ? ' · automatically submits inbound data' : ''}</p>
<table>
  <thead><tr><th>Field</th><th>Type</th><th>In the file</th><th>Rules</th></tr></thead>
  <tbody>${template.fields.map((f) => html`<tr><td>${f.name}${f.description ? html`<br><span class="muted">${f.description}</span>` : ''}</td><td>${f.type}</td><td>${isInputField(f) ? 'yes' : 'no (derived)'}</td><td>${rules(f)}</td></tr>`)}</tbody>
</table>
<h3>Inbound <a href="${base}/inbound/new">Add an inbound integration</a></h3>
${
  template.inbound.length
    ? html`<ul>${template.inbound.map((i, n) => {
        const status = statusOf('inbound', i.name);
        return html`<li>${status ? statusBadge(status.status) : ''} <strong>${i.name}</strong>: account ${i.account}, s3://${i.bucket}/${i.prefix} (${i.bucketMode === 'list' ? 'List Buckets' : 'Manual Bucket Entry'}, ${i.detection}, ${i.outcome}) <a href="${base}/inbound/${n}" aria-label="Edit inbound integration ${i.name}">Edit</a>
      ${(status?.warnings ?? []).map((w) => html`<div class="error">${w.message}</div>`)}</li>`;
      })}</ul>`
    : html`<p class="muted">None.</p>`
}
<h3>Outbound <a href="${base}/outbound/new">Add an outbound integration</a></h3>
${
  template.outbound.length
    ? html`<ul>${template.outbound.map((o, n) => {
        const status = statusOf('outbound', o.name);
        return html`<li>${status ? statusBadge(status.status) : ''} <strong>${o.name}</strong>: account ${o.account}, s3://${o.bucket}/ ${o.filename} (${o.fileType}${o.fileType === 'csv' ? `, ${o.delimiter}` : ''}, ${o.pathMode}${o.sse ? ', SSE-S3' : ''}${o.summaryHeader ? ', summary header' : ''}) <a href="${base}/outbound/${n}" aria-label="Edit outbound integration ${o.name}">Edit</a>
      ${(status?.warnings ?? []).map((w) => html`<div class="error">${w.message}</div>`)}</li>`;
      })}</ul>`
    : html`<p class="muted">None.</p>`
}
</section>`;
}

export function templateRoutes(app: Hono, ctx: UiContext): void {
  app.get('/templates', (c) =>
    c.html(
      page(
        'Templates',
        '/templates',
        html`
<p>Changes made here are validated, saved in the data folder and applied at once. <a href="/workspace.json" download>Download the workspace file</a> (secret keys left out; <a href="/workspace.json?secrets=1" download>with them</a>)</p>
${ctx.workspace.templates.map((t) => templateSection(ctx, t.name))}`,
      ).text,
    ),
  );
}
