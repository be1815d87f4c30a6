/**
 * Outbound files as streams of text: CSV (papaparse, quoting any value that holds the delimiter, a
 * quote or a line break) and JSON (streamed, so a large submission is never one string). The
 * summary header's layout is undocumented; chosen (../shared/notes/product.md): CSV has four
 * `label,value` rows, a blank row, then the column headers; JSON becomes {"summary": ..., "rows": [...]}.
 */
import Papa from 'papaparse';

export const DELIMITERS = { comma: ',', semicolon: ';', tab: '\t', space: ' ' } as const;
export type Delimiter = keyof typeof DELIMITERS;

/** The product's summary header: Date, User Name, Targets, Template. */
export interface SummaryHeader {
  Date: string;
  'User Name': string;
  Targets: string;
  Template: string;
}

export interface OutputTable {
  /** Output labels, in column order. */
  columns: string[];
  /** Cells in column order. */
  rows: AsyncIterable<string[]> | Iterable<string[]>;
  summary?: SummaryHeader;
}

/** Rows are rendered in blocks of this many. */
const BLOCK_ROWS = 1000;
const NEWLINE = '\r\n';

async function* blocks(rows: AsyncIterable<string[]> | Iterable<string[]>): AsyncGenerator<string[][]> {
  let block: string[][] = [];
  for await (const row of rows) {
    block.push(row);
    if (block.length >= BLOCK_ROWS) {
      yield block;
      block = [];
    }
  }
  if (block.length) yield block;
}

export async function* renderCsv(table: OutputTable, delimiter: Delimiter): AsyncGenerator<string> {
  const config = { delimiter: DELIMITERS[delimiter], newline: NEWLINE, quoteChar: '"', escapeChar: '"', header: false, escapeFormulae: false };
  const unparse = (rows: string[][]) => Papa.unparse(rows, config) + NEWLINE;
  if (table.summary) yield unparse([...Object.entries(table.summary)]) + NEWLINE;
  yield unparse([table.columns]);
  for await (const block of blocks(table.rows)) yield unparse(block);
}

export async function* renderJson(table: OutputTable): AsyncGenerator<string> {
  const object = (row: string[]) => {
    const out: Record<string, string> = {};
    table.columns.forEach((label, i) => (out[label] = row[i] ?? ''));
    return JSON.stringify(out);
  };
  yield table.summary ? `{"summary":${JSON.stringify(table.summary)},"rows":[` : '[';
  let first = true;
  for await (const block of blocks(table.rows)) {
    yield block.map((row) => {
      const text = `${first ? '' : ','}\n${object(row)}`;
      first = false;
      return text;
    }).join('');
  }
  yield `${first ? '' : '\n'}]${table.summary ? '}' : ''}\n`;
}
