/**
 * Step 3, Connect: add or edit a template's inbound and outbound integrations with every option of
 * the workspace. The bucket field works as the product's: "List Buckets" lists the account's buckets
 * with its keys (through the gateway, so its policy decides); when that is denied it shows the
 * permission warning and the user picks "Manual Bucket Entry". The outbound form previews the key and
 * the first lines of the file for a sample submission as the user types. Saving validates the whole
 * workspace, saves it and applies it (docs/web-ui.md).
 */
import { s3Sdk } from '../s3-sdk.ts';
import type { Context, Hono } from 'hono';
import {
  DELIMITERS,
  FILE_TYPES,
  LABEL_TRANSFORMS,
  META_FIELDS,
  OUTBOUND_FIELDS,
  previewOutbound,
  sampleSubmission,
  summaryTargets,
} from '../../core/outbound/index.ts';
import { INBOUND_FIELDS } from '../../core/inbound/index.ts';
import type { InputIssue } from '../../core/shared/issues.ts';
import {
  applyEdits,
  parseWorkspace,
  withoutSecrets,
  type PathSegment,
  type WorkspaceEdit,
} from '../../core/workspace/index.ts';
import { toS3Failure } from '../engine/account-s3.ts';
import { dictionary } from '../../core/shared/dictionary.ts';
import { crossSiteRead } from '../web-guard.ts';
import type { WorkspaceJson } from '../workspace-editor.ts';
import type { UiContext } from './context.ts';
import { clientWithKeys } from '../s3-client.ts';
import { html, type Html } from './html.ts';
import { page } from './layout.ts';

type Direction = 'inbound' | 'outbound';
type Item = Record<string, unknown>;
type Form = Record<string, string>;

const templatesOf = (json: WorkspaceJson) => (Array.isArray(json.templates) ? json.templates : []) as Item[];
const itemsOf = (template: Item, direction: Direction) =>
  (Array.isArray(template[direction]) ? template[direction] : []) as Item[];
const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined ? '' : String(value));

/** The form's fields as an integration's JSON: empty fields are left out, so the defaults apply. */
function fromForm(direction: Direction, form: Form): Item {
  const item: Item = {};
  // The keys come from core's tables (parse-inbound.ts, parse-outbound.ts): a new key is one entry there.
  const fields: Record<string, string> = direction === 'inbound' ? INBOUND_FIELDS : OUTBOUND_FIELDS;
  for (const [key, kind] of Object.entries(fields)) {
    if (kind === 'checkbox') item[key] = form[key] === 'on';
    else if (kind === 'number' && form[key]) item[key] = Number(form[key]);
    else if (kind === 'text' && form[key]) item[key] = form[key];
  }
  // An empty prefix is a choice (the whole bucket), not a field left out.
  if (direction === 'inbound' && form.prefix === '') item.prefix = '';
  if (direction === 'outbound' && form.columnsMode === 'custom') item.columns = customColumns(form);
  return item;
}

async function formOf(c: Context): Promise<Form> {
  const body = await c.req.parseBody();
  return dictionary(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : ''] as const));
}

/** The account's buckets, listed with its keys through the gateway, or the error S3 gave. */
async function listBuckets(
  ctx: UiContext,
  accountName: string,
  region: string,
): Promise<{ ok: true; buckets: string[] } | { ok: false; message: string; explanation?: string }> {
  const account = ctx.workspace.accounts.find((a) => a.name === accountName);
  if (!account) return { ok: false, message: 'Choose an account.' };
  const client = clientWithKeys(ctx.endpoint, region || ctx.workspace.region, account);
  try {
    return {
      ok: true,
      buckets: ((await client.send(new (s3Sdk().ListBucketsCommand)({}))).Buckets ?? []).map((b) => b.Name ?? ''),
    };
  } catch (error) {
    const failure = toS3Failure(error);
    return {
      ok: false,
      message: `${failure.code}: ${failure.message}`,
      ...(failure.explanation ? { explanation: failure.explanation } : {}),
    };
  } finally {
    client.destroy();
  }
}

/** The bucket fieldset: the two modes, and the dropdown, the warning, or the name to type. */
async function bucketField(
  ctx: UiContext,
  values: { account: string; region: string; bucketMode: string; bucket: string },
): Promise<Html> {
  const refresh = REFRESH_BUCKETS;
  const mode = values.bucketMode === 'manual' ? 'manual' : 'list';
  const radios = html`
  <label><span><input type="radio" name="bucketMode" value="list" ${refresh}${mode === 'list' ? html` checked` : ''}> List Buckets</span></label>
  <label><span><input type="radio" name="bucketMode" value="manual" ${refresh}${mode === 'manual' ? html` checked` : ''}> Manual Bucket Entry</span></label>`;
  const manualInput = html`<label>Bucket name <input name="bucket" value="${values.bucket}" placeholder="the bucket name, no leading or trailing slash" required></label>`;
  if (mode === 'manual')
    return html`<fieldset id="bucket-field"><legend>Bucket</legend>${radios}${manualInput}</fieldset>`;
  const listed = await listBuckets(ctx, values.account, values.region);
  if (!listed.ok) {
    return html`<fieldset id="bucket-field"><legend>Bucket</legend>${radios}
  <div class="panel error" role="alert"><strong>Permission warning</strong>: account "${values.account}" cannot list its buckets with its keys (s3:ListAllMyBuckets).
  Select "Manual Bucket Entry" and enter the bucket name.<br><span class="muted">${listed.message}${listed.explanation ? html`<br>Why: ${listed.explanation}` : ''}</span></div></fieldset>`;
  }
  return html`<fieldset id="bucket-field"><legend>Bucket</legend>${radios}
  <label>Bucket <select name="bucket" required>${listed.buckets.map((b) => html`<option${b === values.bucket ? html` selected` : ''}>${b}</option>`)}</select></label></fieldset>`;
}

const select = (
  name: string,
  label: string,
  options: readonly string[],
  value: string,
  attributes: Html | string = '',
) => html`<label>${label}
  <select name="${name}" ${attributes}>${options.map((o) => html`<option${o === value ? html` selected` : ''}>${o}</option>`)}</select></label>`;

/** Changing the account lists again, with the new keys. */
const REFRESH_BUCKETS = html`hx-get="/connect/bucket-field" hx-target="#bucket-field" hx-swap="outerHTML" hx-include="closest form"`;

/** A column of the picker: a field of the template or a meta field. */
type Source = { field: string } | { meta: string };
const sourceKey = (source: Source) => ('field' in source ? `field:${source.field}` : `meta:${source.meta}`);
const sourceName = (source: Source) => ('field' in source ? source.field : source.meta);

/**
 * The product's "Custom" file configuration: include or exclude each field and meta field, give it an
 * output label, and order them. Each row posts `col_<i>_source`, `col_<i>_include`, `col_<i>_label`, `col_<i>_order`.
 */
function customColumns(form: Form): Item[] {
  const rows: { order: number; index: number; column: Item }[] = [];
  for (let i = 0; form[`col_${i}_source`] !== undefined; i++) {
    if (form[`col_${i}_include`] !== 'on') continue;
    const [kind, ...rest] = form[`col_${i}_source`]!.split(':');
    const label = (form[`col_${i}_label`] ?? '').trim();
    const column: Item = kind === 'meta' ? { meta: rest.join(':') } : { field: rest.join(':') };
    if (label) column.label = label;
    const order = Number(form[`col_${i}_order`]);
    rows.push({ order: Number.isFinite(order) ? order : i + 1, index: i, column });
  }
  return rows.sort((a, b) => a.order - b.order || a.index - b.index).map((r) => r.column);
}

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

async function integrationForm(
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
  ${select('detection', 'Detection', ['event', 'poll'], text(item.detection) || 'event')}
  <label>Poll every (seconds) <input name="pollIntervalSeconds" type="number" min="1" value="${text(item.pollIntervalSeconds)}" placeholder="5"></label>
  ${select('outcome', 'Outcome', ['all-or-nothing', 'auto-submit'], text(item.outcome) || 'all-or-nothing')}`
      : html`
  <label><span><input type="checkbox" name="sse"${item.sse === true ? html` checked` : ''}> SSE-S3 (x-amz-server-side-encryption: AES256)</span></label>
  <label>Filename <input name="filename" value="${text(item.filename)}" placeholder="{{template_name}}{{submitted_at}}" size="44"></label>
  ${select('pathMode', 'Slashes in the filename', ['flatten', 'folders'], text(item.pathMode) || 'flatten')}
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

/** Where the template and the item are in the workspace's JSON, or why not. */
function locate(
  json: WorkspaceJson,
  templateName: string,
  direction: Direction,
  index: string,
): { template: Item; items: Item[]; index: number | 'new' } | undefined {
  const template = templatesOf(json).find((t) => t.name === templateName);
  if (!template) return undefined;
  const items = itemsOf(template, direction);
  if (index === 'new') return { template, items, index: 'new' };
  const n = Number(index);
  return Number.isInteger(n) && n >= 0 && n < items.length ? { template, items, index: n } : undefined;
}

/** The edit that adds (`new`), replaces or (no item) removes an integration. */
function put(templateName: string, direction: Direction, index: number | 'new', item: Item | undefined): WorkspaceEdit {
  const path: PathSegment[] = [
    { key: 'templates' },
    { name: templateName },
    { key: direction },
    index === 'new' ? { append: true } : { index },
  ];
  return item === undefined ? { path, remove: true } : { path, value: item };
}

async function preview(ctx: UiContext, templateName: string, index: number | 'new', form: Form): Promise<Html> {
  const candidate = applyEdits(ctx.editor.json(), [put(templateName, 'outbound', index, fromForm('outbound', form))], {
    indexAppends: false,
  });
  if (!candidate.ok)
    return html`<div class="error">${candidate.issues.map((i) => html`<div>${i.path}: ${i.message}</div>`)}</div>`;
  const parsed = parseWorkspace(candidate.value);
  if (!parsed.ok)
    return html`<div class="error">${parsed.issues.map((i) => html`<div>${i.path}: ${i.message}</div>`)}</div>`;
  const template = parsed.value.templates.find((t) => t.name === templateName)!;
  const integration = index === 'new' ? template.outbound[template.outbound.length - 1]! : template.outbound[index]!;
  const sample = sampleSubmission(template, new Date());
  const shown = await previewOutbound(template, integration, sample.submission, sample.rows, {
    lines: 8,
    targets: summaryTargets(template),
  });
  return html`<p>Key: <code id="preview-key">s3://${integration.bucket}/${shown.key}</code>${integration.sse ? ' (SSE-S3)' : ''}</p><pre id="preview-lines">${shown.lines.join('\n')}</pre>`;
}

export function connectRoutes(app: Hono, ctx: UiContext): void {
  app.get('/connect/bucket-field', async (c) =>
    c.html(
      (
        await bucketField(ctx, {
          account: c.req.query('account') ?? '',
          region: c.req.query('region') ?? '',
          bucketMode: c.req.query('bucketMode') ?? 'list',
          bucket: c.req.query('bucket') ?? '',
        })
      ).text,
    ),
  );

  // Secrets only when asked for, and never to another site's page (docs/security.md).
  app.get('/workspace.json', (c) => {
    const withSecrets = c.req.query('secrets') === '1';
    const refusal = withSecrets ? crossSiteRead(c, ctx.origins) : undefined;
    if (refusal) return c.text(`${refusal}\n`, 403);
    c.header('content-disposition', 'attachment; filename="workspace.json"');
    const json = withSecrets ? ctx.editor.json() : withoutSecrets(ctx.editor.json());
    return c.body(`${JSON.stringify(json, null, 2)}\n`, 200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
  });

  for (const direction of ['inbound', 'outbound'] as const) {
    const base = `/templates/:name/${direction}/:index`;
    const nameOf = (c: Context) => c.req.param('name') ?? '';
    const found = (c: Context) => locate(ctx.editor.json(), nameOf(c), direction, c.req.param('index') ?? '');
    const notFound = (c: Context) =>
      c.html(
        page('Not found', '/templates', html`<p>No such ${direction} integration of template "${nameOf(c)}".</p>`).text,
        404,
      );

    app.get(base, async (c) => {
      const at = found(c);
      if (!at) return notFound(c);
      return c.html(
        (await integrationForm(ctx, nameOf(c), direction, at.index, at.index === 'new' ? {} : at.items[at.index]!))
          .text,
      );
    });
    app.post(base, async (c) => {
      const at = found(c);
      if (!at) return notFound(c);
      const item = fromForm(direction, await formOf(c));
      const result = await ctx.editor.edit([put(nameOf(c), direction, at.index, item)]);
      if (result.ok) return c.redirect('/templates', 303);
      return c.html(
        (await integrationForm(ctx, nameOf(c), direction, at.index, item, result.issues)).text,
        result.stage === 'edit' ? 400 : 422,
      );
    });
    app.post(`${base}/delete`, async (c) => {
      const at = found(c);
      if (!at || at.index === 'new') return notFound(c);
      const result = await ctx.editor.edit([put(nameOf(c), direction, at.index, undefined)]);
      if (result.ok) return c.redirect('/templates', 303);
      return c.html(
        page(
          'Not removed',
          '/templates',
          html`<ul class="error">${result.issues.map((i) => html`<li>${i.path}: ${i.message}</li>`)}</ul>`,
        ).text,
        result.stage === 'edit' ? 400 : 422,
      );
    });
  }
  app.post('/templates/:name/outbound/:index/preview', async (c) => {
    const at = locate(ctx.editor.json(), c.req.param('name'), 'outbound', c.req.param('index'));
    if (!at) return c.html('<p class="error">No such integration.</p>', 404);
    return c.html((await preview(ctx, c.req.param('name'), at.index, await formOf(c))).text);
  });
}
