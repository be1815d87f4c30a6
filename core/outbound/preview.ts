/**
 * What an outbound integration would write for a submission: the key and the first lines of the
 * file, without writing anything (the CLI's `outbound preview`; the UI's live preview).
 */
import type { Submission } from '../submissions/index.ts';
import type { Template } from '../templates/index.ts';
import { outputColumns, rowProjector, type FieldValues } from './columns.ts';
import { renderObjectKey } from './object-key.ts';
import type { OutboundIntegration } from './outbound-types.ts';
import Papa from 'papaparse';
import { FILE_FORMATS, type RenderSettings } from './file-formats.ts';
import type { OutputTable } from './render.ts';

export interface OutboundPreview {
  key: string;
  /** The first lines of the file (for a binary one, XLSX, the rows it holds, shown as comma-separated text). */
  lines: string[];
}

export type StoredRows = Iterable<FieldValues> | AsyncIterable<FieldValues>;

export function outputTable(
  template: Template,
  integration: OutboundIntegration,
  submission: Submission,
  rows: StoredRows,
  targets: string,
): OutputTable {
  const columns = outputColumns(template, integration);
  const project = rowProjector(columns, submission);
  return {
    columns: columns.map((c) => c.label),
    rows: (async function* () {
      for await (const row of rows) yield project(row);
    })(),
    ...(integration.summaryHeader
      ? {
          summary: {
            Date: submission.submittedAt,
            'User Name': submission.submittedBy,
            Targets: targets,
            Template: template.name,
          },
        }
      : {}),
  };
}

export function objectKeyFor(template: Template, integration: OutboundIntegration, submission: Submission): string {
  return renderObjectKey(
    integration.filename,
    {
      templateName: template.name,
      submittedAt: new Date(submission.submittedAt),
      submittedBy: submission.submittedBy,
      submissionName: submission.name,
    },
    { pathMode: integration.pathMode, fileType: integration.fileType },
  );
}

async function collect(chunks: AsyncIterable<string | Uint8Array>): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Text enough for `lines` lines, without rendering the rest. */
async function firstLines(chunks: AsyncIterable<string | Uint8Array>, lines: number): Promise<string> {
  let text = '';
  for await (const chunk of chunks) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.split('\n').length > lines) break;
  }
  return text;
}

/** How the integration's file is rendered (its format's settings). */
export function renderSettings(template: Template, integration: OutboundIntegration): RenderSettings {
  return { delimiter: integration.delimiter, escapeFormulas: integration.escapeFormulas, sheetName: template.name };
}

export async function previewOutbound(
  template: Template,
  integration: OutboundIntegration,
  submission: Submission,
  rows: StoredRows,
  options: { lines: number; targets: string },
): Promise<OutboundPreview> {
  const table = outputTable(template, integration, submission, rows, options.targets);
  const format = FILE_FORMATS[integration.fileType];
  const chunks = format.render(table, renderSettings(template, integration), []);
  // A binary file is shown by what it holds (the cells an independent reader finds), one row a line.
  const text = format.binary
    ? Papa.unparse(format.read(await collect(chunks)) as unknown[][], { newline: '\n' })
    : await firstLines(chunks, options.lines);
  return {
    key: objectKeyFor(template, integration, submission),
    lines: text
      .replace(/\r\n/g, '\n')
      .split('\n')
      .slice(0, options.lines)
      .filter((l, i, all) => l !== '' || i < all.length - 1),
  };
}
