/**
 * Outbound files as streams of text: CSV (papaparse, quoting any value that holds the delimiter, a
 * quote or a line break) and JSON (streamed, so a large submission is never one string). The
 * summary header's layout is undocumented; chosen (docs/outbound.md, "Layout of the file"): CSV has four
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

/** Rows are rendered in blocks of this many: each block's text stays well under V8's large-object size (128 KB). */
const BLOCK_ROWS = 100;
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

export interface CsvOptions {
  /**
   * Cells starting with `=`, `+`, `-`, `@`, tab or carriage return get a leading `'` (and quotes), so a
   * spreadsheet opening the export shows them as text instead of running them as formulas (OWASP, "CSV
   * Injection": https://owasp.org/www-community/attacks/CSV_Injection). Off for consumers that need raw values.
   * @default true
   */
  escapeFormulas?: boolean;
}

/** papaparse's own pattern ends in `.*$`, which misses a formula followed by a line break: the first character decides. */
const FORMULA_START = /^[=+\-@\t\r]/;

export async function* renderCsv(
  table: OutputTable,
  delimiter: Delimiter,
  options: CsvOptions = {},
): AsyncGenerator<string> {
  const config = {
    delimiter: DELIMITERS[delimiter],
    newline: NEWLINE,
    quoteChar: '"',
    escapeChar: '"',
    header: false,
    escapeFormulae: (options.escapeFormulas ?? true) ? FORMULA_START : false,
  };
  const unparse = (rows: string[][]) => Papa.unparse(rows, config) + NEWLINE;
  if (table.summary) yield unparse([...Object.entries(table.summary)]) + NEWLINE;
  yield unparse([table.columns]);
  for await (const block of blocks(table.rows)) yield unparse(block);
}

export async function* renderJson(table: OutputTable): AsyncGenerator<string> {
  // Each row object is written as text directly, with no object per row (a 1M-row export makes
  // enough garbage). A repeated label appears once, in its first place, with its last column's value.
  const lastColumn = new Map<string, number>();
  table.columns.forEach((label, i) => lastColumn.set(label, i));
  const keys = [...lastColumn].map(([label, i]) => ({ prefix: `${JSON.stringify(label)}:`, i }));
  const object = (row: string[]) => {
    let text = '{';
    for (let k = 0; k < keys.length; k++)
      text += `${k ? ',' : ''}${keys[k]!.prefix}${JSON.stringify(row[keys[k]!.i] ?? '')}`;
    return `${text}}`;
  };
  yield table.summary ? `{"summary":${JSON.stringify(table.summary)},"rows":[` : '[';
  let first = true;
  for await (const block of blocks(table.rows)) {
    yield block
      .map((row) => {
        const text = `${first ? '' : ','}\n${object(row)}`;
        first = false;
        return text;
      })
      .join('');
  }
  yield `${first ? '' : '\n'}]${table.summary ? '}' : ''}\n`;
}
