/**
 * The integration editor's page: every option of an inbound or outbound integration, the bucket field,
 * the product's column picker ("Default Summary" or "Custom") and, for outbound, a live preview
 * (docs/web-ui.md).
 */
import { DETECTIONS, OUTCOMES } from '../../core/inbound/index.ts';
import { DELIMITERS, FILE_TYPES, LABEL_TRANSFORMS, META_FIELDS, PATH_MODES } from '../../core/outbound/index.ts';
import type { InputIssue } from '../../core/shared/issues.ts';
import { REFRESH_BUCKETS, bucketField } from './bucket-field.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import type { Direction, Item } from './integration-form-data.ts';
import { page } from './layout.ts';

const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : String(value));

const select = (
  name: string,
  label: string,
  options: readonly string[],
  value: string,
  attributes: Html | string = '',
) => html`<label>${label}
  <select name="${name}" ${attributes}>${options.map((o) => html`<option${o === value ? html` selected` : ''}>${o}</option>`)}</select></label>`;

/** A column of the picker: a field of the template or a meta field. */
type Source = { field: string } | { meta: string };
const sourceKey = (source: Source) => ('field' in source ? `field:${source.field}` : `meta:${source.meta}`);
const sourceName = (source: Source) => ('field' in source ? source.field : source.meta);

function columnPicker(ctx: UiContext, templateName: string, columns: unknown): Html {
  const template = ctx.workspace.templates.find((t) => t.name === templateName);
  const chosen = Array.isArray(columns) ? (columns as (Source & { label?: string })[]) : [];
  const all: Source[] = [
    ...(template?.fields ?? []).map((f) => ({ field: f.name })),
    ...META_FIELDS.map((m) => ({ meta: m })),
  ];
  // Chosen columns first, in their order; then the others, not included.
  const rows = [
    ...chosen.map((c) => ({ source: c as Source, label: c.label ?? '', included: true })),
    ...all
      .filter((s) => !chosen.some((c) => sourceKey(c) === sourceKey(s)))
      .map((source) => ({ source, label: '', included: false })),
  ];
  const custom = Array.isArray(columns);
  return html`<fieldset>
  <legend>Columns</legend>
  <label><span><input type="radio" name="columnsMode" value="default"${custom ? '' : html` checked`}> Default Summary (the schema's order, fields marked not visible left out)</span></label>
  <label><span><input type="radio" name="columnsMode" value="custom"${custom ? html` checked` : ''}> Custom</span></label>
  <table>
    <thead><tr><th>Include</th><th>Column</th><th>Output label</th><th>Order</th></tr></thead>
    <tbody>${rows.map(
      (r, i) => html`<tr>
      <td><input type="checkbox" name="col_${i}_include" aria-label="Include ${sourceName(r.source)}"${r.included ? html` checked` : ''}><input type="hidden" name="col_${i}_source" value="${sourceKey(r.source)}"></td>
      <td>${sourceName(r.source)}${'meta' in r.source ? html` <span class="muted">(meta field)</span>` : ''}</td>
      <td><input name="col_${i}_label" value="${r.label}" aria-label="Output label of ${sourceName(r.source)}" placeholder="${sourceName(r.source)}"></td>
      <td><input name="col_${i}_order" type="number" value="${i + 1}" aria-label="Order of ${sourceName(r.source)}" style="width: 5em"></td>
    </tr>`,
    )}</tbody>
  </table>
</fieldset>`;
}

export async function integrationForm(
  ctx: UiContext,
  templateName: string,
  direction: Direction,
  index: number | 'new',
  item: Item,
  issues: readonly InputIssue[] = [],
): Promise<Html> {
  const action = `/templates/${encodeURIComponent(templateName)}/${direction}/${index}`;
  const account = text(item.account) || ctx.workspace.accounts[0]?.name || '';
  const common = html`
  <label>Name <input name="name" value="${text(item.name)}" placeholder="${templateName} (the template's name)"></label>
  ${select(
    'account',
    'Account',
    ctx.workspace.accounts.map((a) => a.name),
    account,
    REFRESH_BUCKETS,
  )}
  <label>Region <input name="region" value="${text(item.region)}" placeholder="${ctx.workspace.region}"></label>
  ${await bucketField(ctx, { account, region: text(item.region), bucketMode: text(item.bucketMode) || 'list', bucket: text(item.bucket) })}`;
  const fields =
    direction === 'inbound'
      ? html`
  <label>File prefix <input name="prefix" value="${text(item.prefix)}" placeholder="us/submissions/{{template_name}}" size="40"></label>
  ${select('detection', 'Detection', DETECTIONS, text(item.detection) || 'event')}
  <label>Queue URL (sqs detection) <input name="queueUrl" value="${text(item.queueUrl)}" placeholder="https://sqs.us-east-1.amazonaws.com/123456789012/drops" size="50"></label>
  <label>Poll every (seconds) <input name="pollIntervalSeconds" type="number" min="1" value="${text(item.pollIntervalSeconds)}" placeholder="5"></label>
  ${select('outcome', 'Outcome', OUTCOMES, text(item.outcome) || 'all-or-nothing')}`
      : html`
  <label><span><input type="checkbox" name="sse"${item.sse === true ? html` checked` : ''}> SSE-S3 (x-amz-server-side-encryption: AES256)</span></label>
  <label>Filename <input name="filename" value="${text(item.filename)}" placeholder="{{template_name}}{{submitted_at}}" size="44"></label>
  ${select('pathMode', 'Slashes in the filename', PATH_MODES, text(item.pathMode) || 'flatten')}
  ${select('fileType', 'File type', FILE_TYPES, text(item.fileType) || 'csv')}
  ${select('delimiter', 'Delimiter (CSV)', Object.keys(DELIMITERS), text(item.delimiter) || 'comma')}
  <label><span><input type="checkbox" name="summaryHeader"${item.summaryHeader === true ? html` checked` : ''}> Summary header</span></label>
  <label><span><input type="checkbox" name="escapeFormulas"${item.escapeFormulas === false ? '' : html` checked`}> Escape formulas (CSV: a cell starting with = + - @ gets a leading ', so spreadsheets show it as text)</span></label>
  ${select('labelTransform', 'Label transform', ['', ...LABEL_TRANSFORMS], text(item.labelTransform))}
  ${columnPicker(ctx, templateName, item.columns)}`;
  const preview =
    direction === 'outbound'
      ? html`<h2>Preview for a sample submission</h2><div id="preview" aria-live="polite" hx-post="${action}/preview" hx-trigger="load, input from:#connect-form delay:300ms, change from:#connect-form"></div>`
      : '';
  return page(
    `${templateName}: ${index === 'new' ? 'add' : 'edit'} an ${direction} integration`,
    '/templates',
    html`
${issues.length ? html`<div class="panel error" role="alert"><p>Not saved: the workspace would not be valid.</p><ul>${issues.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul></div>` : ''}
<form id="connect-form" class="panel" method="post" action="${action}">
  ${common}
  ${fields}
  <p><button type="submit">Save</button> <a href="/templates">Cancel</a></p>
  ${preview}
</form>
${index === 'new' ? '' : html`<form method="post" action="${action}/delete"><button type="submit">Remove this integration</button></form>`}`,
  );
}
