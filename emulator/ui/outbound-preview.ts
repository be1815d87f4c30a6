/** The integration editor's live preview: the key and the first lines of the file for a sample submission. */
import { previewOutbound, sampleSubmission, summaryTargets } from '../../core/outbound/index.ts';
import { applyEdits, parseWorkspace } from '../../core/workspace/index.ts';
import type { UiContext } from './context.ts';
import { html, type Html } from './html.ts';
import { fromForm, put, type Form } from './integration-form-data.ts';

export async function outboundPreview(
  ctx: UiContext,
  templateName: string,
  index: number | 'new',
  form: Form,
): Promise<Html> {
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
