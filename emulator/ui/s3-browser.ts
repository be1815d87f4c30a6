/**
 * The S3 browser: buckets, folders and objects as stored (size, date, SSE, who uploaded), a preview of
 * CSV, JSON and XLSX files as tables, downloads, and uploads as any workspace user. An upload goes
 * through the gateway signed with that user's keys, so the user's policies decide: this is how a
 * demo drops a file, and a denial shows AWS's error and the statement that decided.
 */
import { Readable } from 'node:stream';
import { s3Sdk } from '../s3-sdk.ts';
import type { Context, Hono } from 'hono';
import { sampleInboundKey } from '../../core/preflight/index.ts';
import { inboundCandidates, takenBy, whyNotTaken, type NearMissCandidate } from '../../core/inbound/index.ts';
import { toS3Failure } from '../engine/account-s3.ts';
import type { InspectedObject, UnsafeKey } from '../gateway/index.ts';
import { formatOfKey } from '../../core/outbound/index.ts';
import type { UiContext } from './context.ts';
import { clientWithKeys } from '../s3-client.ts';
import { Html, html } from './html.ts';
import { bytes, page } from './layout.ts';

const PREVIEW_BYTES = 2 * 1024 * 1024;
const PREVIEW_ROWS = 200;

const objectHref = (bucket: string, key: string) =>
  `/s3/${encodeURIComponent(bucket)}/object?key=${encodeURIComponent(key)}`;
const folderHref = (bucket: string, prefix: string) =>
  `/s3/${encodeURIComponent(bucket)}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`;

/** Where each inbound integration imports from, with a key it would import: one click fills the upload form. */
function dropTargets(ctx: UiContext): Html {
  const targets = ctx.workspace.templates.flatMap((t) =>
    t.inbound.map((i) => ({ template: t.name, integration: i, key: sampleInboundKey(i.prefix, t.name) })),
  );
  if (targets.length === 0) return html``;
  return html`<div class="panel"><p>Files dropped here are imported (the demo's files are in <code>fixtures/files/</code> of the checkout: <code>Email.csv</code> is valid, <code>Email-bad.csv</code> is not):</p>
<ul>${targets.map((t) => html`<li>${t.template}: <a href="/s3?bucket=${encodeURIComponent(t.integration.bucket)}&amp;key=${encodeURIComponent(t.key)}">s3://${t.integration.bucket}/${t.key}</a> <span class="muted">(integration ${t.integration.name}, account ${t.integration.account})</span></li>`)}</ul></div>`;
}

function uploadForm(ctx: UiContext, bucket = '', prefix = ''): Html {
  return html`<form class="panel inline" method="post" action="/s3/upload" enctype="multipart/form-data" hx-post="/s3/upload" hx-target="#upload-result">
  <label>As user
    <select name="user" required>${ctx.workspace.iam.users.map((u) => html`<option value="${u.name}">${u.name} (${u.displayName})</option>`)}</select>
  </label>
  <label>Bucket
    <select name="bucket" required>${ctx.gateway.inspect.buckets().map((b) => html`<option${b === bucket ? html` selected` : ''}>${b}</option>`)}</select>
  </label>
  <label>Key <input name="key" value="${prefix}" placeholder="us/submissions/Email.csv (blank: the file's name)" size="40"></label>
  <label>File <input type="file" name="file" required></label>
  <label><span><input type="checkbox" name="sse" value="AES256"> SSE-S3</span></label>
  <button type="submit">Upload</button>
  <div id="upload-result" role="status"></div>
</form>`;
}

function bucketsPage(ctx: UiContext, fill: { bucket?: string; key?: string }): Html {
  return page(
    'S3 browser',
    '/s3',
    html`
<table><thead><tr><th>Bucket</th></tr></thead>
<tbody>${ctx.gateway.inspect.buckets().map((b) => html`<tr><td><a href="${folderHref(b, '')}">${b}</a></td></tr>`)}</tbody></table>
<h2>Upload a file as a user</h2>
${dropTargets(ctx)}
${uploadForm(ctx, fill.bucket, fill.key)}`,
  );
}

const refusedPage = (bucket: string, key: string, refused: UnsafeKey) =>
  page(
    'Refused',
    '/s3',
    html`<p class="error" role="alert">s3://${bucket}/${key}: ${refused.refused}</p><p><a href="/s3">Back to the S3 browser</a></p>`,
  );

/**
 * Whether an inbound integration takes a file, said next to it in a watched bucket: which one, or the
 * nearest one and what differs (a wrong folder, case or name), as the engine's [drop] line says it.
 */
function importColumn(candidates: readonly NearMissCandidate[], bucket: string) {
  const watched = candidates.some((c) => c.bucket === bucket);
  return {
    watched,
    header: watched ? html`<th>Import</th>` : html``,
    cell(key: string): Html {
      if (!watched) return html``;
      const taken = takenBy(candidates, bucket, key);
      if (taken.length > 0) return html`<td>taken by ${taken.join(', ')}</td>`;
      const miss = whyNotTaken(candidates, bucket, key);
      return html`<td class="muted">no integration takes it${miss?.integration ? html`; nearest ${miss.integration}` : ''}: ${miss?.reason ?? ''}</td>`;
    },
  };
}

async function folderPage(ctx: UiContext, bucket: string, prefix: string): Promise<{ status: 200 | 400; html: Html }> {
  const objects = await ctx.gateway.inspect.objects(bucket, prefix);
  if (!Array.isArray(objects)) return { status: 400, html: refusedPage(bucket, prefix, objects) };
  const folders = new Set<string>();
  const files: InspectedObject[] = [];
  for (const object of objects) {
    const rest = object.key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash >= 0 && slash < rest.length - 1) folders.add(prefix + rest.slice(0, slash + 1));
    else files.push(object);
  }
  const crumbs = prefix.split('/').filter(Boolean);
  const imports = importColumn(inboundCandidates(ctx.workspace.templates), bucket);
  const columns = imports.watched ? 6 : 5;
  return {
    status: 200,
    html: page(
      `s3://${bucket}/${prefix}`,
      '/s3',
      html`
<p><a href="/s3">All buckets</a> / <a href="${folderHref(bucket, '')}">${bucket}</a>${crumbs.map((c, i) => html` / <a href="${folderHref(bucket, `${crumbs.slice(0, i + 1).join('/')}/`)}">${c}</a>`)}</p>
<table>
  <thead><tr><th>Name</th><th>Size</th><th>Last modified (UTC)</th><th>Encryption</th><th>Uploaded by</th>${imports.header}</tr></thead>
  <tbody id="objects" hx-get="${folderHref(bucket, prefix)}" hx-select="#objects > *" hx-trigger="every 3s" hx-swap="innerMorph">
  ${[...folders].map((f) => html`<tr><td><a href="${folderHref(bucket, f)}">${f.slice(prefix.length)}</a></td><td colspan="${columns - 1}" class="muted">folder</td></tr>`)}
  ${files.map((o) => html`<tr><td><a href="${objectHref(bucket, o.key)}">${o.key.slice(prefix.length) || o.key}</a></td><td>${bytes(o.size)}</td><td>${o.lastModified.replace('T', ' ').slice(0, 19)}</td><td>${o.sse ?? 'none'}</td><td>${o.uploadedBy ?? ''}</td>${imports.cell(o.key)}</tr>`)}
  ${folders.size + files.length === 0 ? html`<tr><td colspan="${columns}" class="muted">Empty.</td></tr>` : ''}
  </tbody>
</table>
<h2>Upload here</h2>
${uploadForm(ctx, bucket, prefix)}`,
    ),
  };
}

/** CSV, JSON and XLSX as tables; anything else as text. */
function preview(key: string, body: Buffer): Html {
  if (body.length > PREVIEW_BYTES)
    return html`<p class="muted">Too large to preview (${bytes(body.length)}); download it instead.</p>`;
  const table = (header: readonly string[], rows: readonly (readonly unknown[])[]) => html`<table class="rows">
  <thead><tr>${header.map((h) => html`<th>${h}</th>`)}</tr></thead>
  <tbody>${rows.slice(0, PREVIEW_ROWS).map((r) => html`<tr>${r.map((v) => html`<td>${typeof v === 'string' ? v : JSON.stringify(v)}</td>`)}</tr>`)}</tbody></table>`;
  try {
    // The format its extension names reads it (core/outbound/file-formats.ts); JSON that is no table is shown as JSON.
    const format = formatOfKey(key);
    const shown = format?.table(body);
    if (shown)
      return html`${shown.summary ? html`<dl class="panel">${Object.entries(shown.summary).map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>` : ''}${table(shown.header, shown.rows)}`;
    if (format) return html`<pre>${JSON.stringify(format.read(body), null, 2)}</pre>`;
    return html`<pre>${body.toString('utf8').slice(0, 20_000)}</pre>`;
  } catch (error) {
    return html`<p class="error">Cannot preview: ${(error as Error).message}</p><pre>${body.toString('utf8').slice(0, 20_000)}</pre>`;
  }
}

async function objectPage(ctx: UiContext, bucket: string, key: string): Promise<Html | UnsafeKey | undefined> {
  const found = await ctx.gateway.inspect.read(bucket, key);
  if (!found || 'refused' in found) return found;
  const chunks: Buffer[] = [];
  for await (const chunk of found.body) chunks.push(chunk as Buffer);
  const { object } = found;
  const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
  return page(
    `s3://${bucket}/${key}`,
    '/s3',
    html`
<p><a href="${folderHref(bucket, folder)}">Back to s3://${bucket}/${folder}</a> · <a href="/s3/${encodeURIComponent(bucket)}/download?key=${encodeURIComponent(key)}" download>Download</a></p>
<dl class="panel">
  <dt>Size</dt><dd>${bytes(object.size)} (${object.size} bytes)</dd>
  <dt>Last modified</dt><dd>${object.lastModified}</dd>
  <dt>ETag</dt><dd><code>${object.etag}</code></dd>
  <dt>Encryption</dt><dd>${object.sse ?? 'none'}</dd>
  <dt>Uploaded by</dt><dd>${object.uploadedBy ?? 'unknown'}</dd>
</dl>
<h2>Preview</h2>
${preview(key, Buffer.concat(chunks))}`,
  );
}

async function upload(ctx: UiContext, c: Context): Promise<Response> {
  const form = await c.req.formData();
  const userName = String(form.get('user') ?? '');
  const bucket = String(form.get('bucket') ?? '');
  const file = form.get('file');
  const user = ctx.workspace.iam.users.find((u) => u.name === userName);
  const typedKey = String(form.get('key') ?? '').trim();
  const key = !typedKey || typedKey.endsWith('/') ? `${typedKey}${file instanceof File ? file.name : ''}` : typedKey;
  let result: Html;
  if (!user) result = html`<p class="error" role="alert">Choose a user of the workspace.</p>`;
  else if (!(file instanceof File) || !key) result = html`<p class="error" role="alert">Choose a file and a key.</p>`;
  else {
    const client = clientWithKeys(ctx.endpoint, ctx.workspace.region, user);
    try {
      const body = Buffer.from(await file.arrayBuffer());
      await client.send(
        new (s3Sdk().PutObjectCommand)({
          Bucket: bucket,
          Key: key,
          Body: body,
          ...(form.get('sse') ? { ServerSideEncryption: 'AES256' as const } : {}),
        }),
      );
      result = html`<p role="status">Uploaded <a href="${objectHref(bucket, key)}">s3://${bucket}/${key}</a> as ${user.name}. <a href="/submissions">Submissions</a></p>`;
    } catch (error) {
      const failure = toS3Failure(error);
      result = html`<div class="error" role="alert"><p><strong>${failure.code}</strong>: ${failure.message}</p>${failure.explanation ? html`<p>Why: ${failure.explanation}</p>` : ''}</div>`;
    } finally {
      client.destroy();
    }
  }
  // A form posted without htmx (no JavaScript) gets a whole page back.
  return c.html(
    c.req.header('HX-Request')
      ? result.text
      : page('Upload', '/s3', html`${result}<p><a href="/s3">Back to the S3 browser</a></p>`).text,
  );
}

export function s3Routes(app: Hono, ctx: UiContext): void {
  app.get('/s3', (c) =>
    c.html(bucketsPage(ctx, { bucket: c.req.query('bucket') ?? '', key: c.req.query('key') ?? '' }).text),
  );
  app.post('/s3/upload', (c) => upload(ctx, c));
  app.get('/s3/:bucket', async (c) => {
    const shown = await folderPage(ctx, c.req.param('bucket'), c.req.query('prefix') ?? '');
    return c.html(shown.html.text, shown.status);
  });
  app.get('/s3/:bucket/object', async (c) => {
    const [bucket, key] = [c.req.param('bucket'), c.req.query('key') ?? ''];
    const shown = await objectPage(ctx, bucket, key);
    if (shown instanceof Html) return c.html(shown.text);
    return shown
      ? c.html(refusedPage(bucket, key, shown).text, 400)
      : c.html(page('Not found', '/s3', html`<p>No object s3://${bucket}/${key}.</p>`).text, 404);
  });
  app.get('/s3/:bucket/download', async (c) => {
    const key = c.req.query('key') ?? '';
    const found = await ctx.gateway.inspect.read(c.req.param('bucket'), key);
    if (!found) return c.text('Not found', 404);
    if ('refused' in found) return c.text(`${found.refused}\n`, 400);
    const name = key.slice(key.lastIndexOf('/') + 1) || 'object';
    return new Response(Readable.toWeb(found.body) as ReadableStream, {
      headers: {
        'content-type': found.object.contentType ?? 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        'content-length': String(found.object.size),
      },
    });
  });
}
