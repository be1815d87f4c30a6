/**
 * Every outbound file format, one entry each: its content type, how a submission's table is rendered
 * into it, and how a file of it is read back (the scenario steps, the S3 browser, the preview). Its
 * name is the key's extension and the integration's `fileType` (docs/outbound.md). Adding a format is
 * one entry here, its renderer and reader, its tests and its docs.
 */
import Papa from 'papaparse';
import { readXlsx } from './read-xlsx.ts';
import { renderXlsx } from './render-xlsx.ts';
import { DELIMITERS, renderCsv, renderJson, type Delimiter, type OutputTable } from './render.ts';

export interface RenderSettings {
  delimiter: Delimiter;
  escapeFormulas: boolean;
  /** The template's name (a workbook's sheet). */
  sheetName: string;
}

/** A file read back as a table: the header row, the rows, and a summary header when the file has one apart. */
export interface ReadTable {
  summary?: Record<string, unknown>;
  header: readonly string[];
  rows: readonly (readonly unknown[])[];
}

export interface FileFormat {
  contentType: string;
  /** Binary files are compared and previewed by what they hold (cells), not by bytes or lines. */
  binary: boolean;
  /** The file for a table, streamed; `warnings` collects what the format changed of the values. */
  render(table: OutputTable, settings: RenderSettings, warnings: string[]): AsyncIterable<string | Uint8Array>;
  /** The file as data: lists of cells (CSV, XLSX; `delimiter` a name of DELIMITERS or the character), or the parsed JSON. */
  read(bytes: Uint8Array, options?: { delimiter?: string }): unknown;
  /** The file as a table to show, or undefined when it is not one. */
  table(bytes: Uint8Array): ReadTable | undefined;
}

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const headed = (cells: readonly (readonly unknown[])[]): ReadTable => {
  const [header = [], ...rows] = cells;
  return { header: header.map(String), rows };
};

/** `delimiter` a name of DELIMITERS or the character; undefined: found from the text, as Papa Parse guesses it. */
function readCsv(bytes: Uint8Array, delimiter: string | undefined): string[][] {
  const text = utf8(bytes).replace(/^\uFEFF/, '');
  return Papa.parse<string[]>(text.replace(/\r?\n$/, ''), {
    delimiter: delimiter === undefined ? '' : (DELIMITERS[delimiter as Delimiter] ?? delimiter),
    newline: text.includes('\r\n') ? '\r\n' : '\n',
  }).data;
}

async function* xlsxNoting(table: OutputTable, sheetName: string, warnings: string[]): AsyncGenerator<Uint8Array> {
  let count = 0;
  let first: { row: number; column: number } | undefined;
  yield* renderXlsx(table, {
    sheetName,
    onControlCharacters: (at) => {
      count++;
      first ??= at;
    },
  });
  if (first)
    warnings.push(
      `${count} cell(s) held control characters an XLSX file cannot store; each was replaced by its visible symbol (NUL as \u2400 and so on), the first at row ${first.row}, column ${first.column} of the sheet`,
    );
}

export const FILE_FORMATS = {
  csv: {
    contentType: 'text/csv; charset=utf-8',
    binary: false,
    render: (table, settings) => renderCsv(table, settings.delimiter, { escapeFormulas: settings.escapeFormulas }),
    read: (bytes, options) => readCsv(bytes, options?.delimiter ?? 'comma'),
    table: (bytes) => headed(readCsv(bytes, undefined)),
  },
  xlsx: {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    binary: true,
    render: (table, settings, warnings) => xlsxNoting(table, settings.sheetName, warnings),
    read: (bytes) => readXlsx(bytes),
    table: (bytes) => headed(readXlsx(bytes)),
  },
  json: {
    contentType: 'application/json; charset=utf-8',
    binary: false,
    render: (table) => renderJson(table),
    read: (bytes) => JSON.parse(utf8(bytes)) as unknown,
    table: (bytes) => {
      const parsed = JSON.parse(utf8(bytes)) as unknown;
      const rows = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown[] } | null)?.rows;
      if (!Array.isArray(rows) || !rows.every((r) => r && typeof r === 'object')) return undefined;
      const summary = Array.isArray(parsed) ? undefined : (parsed as { summary?: Record<string, unknown> }).summary;
      const header = [...new Set(rows.flatMap((r) => Object.keys(r as object)))];
      return {
        ...(summary ? { summary } : {}),
        header,
        rows: rows.map((r) => header.map((h) => (r as Record<string, unknown>)[h] ?? '')),
      };
    },
  },
} as const satisfies Record<string, FileFormat>;

export type FileType = keyof typeof FILE_FORMATS;
export const FILE_TYPES = Object.keys(FILE_FORMATS) as FileType[];

/** The format of a name (a delivery's `fileType`), or undefined. */
export function fileFormat(name: string): FileFormat | undefined {
  return Object.hasOwn(FILE_FORMATS, name) ? FILE_FORMATS[name as FileType] : undefined;
}

/** The format a key's extension names (any case), or undefined. */
export function formatOfKey(key: string): FileFormat | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : fileFormat(extension);
}
