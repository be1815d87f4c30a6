/**
 * RFC 4180 records from streamed text, with papaparse's parser driven chunk by chunk so that quote
 * errors are reported (its Node stream mode drops them silently). Line breaks are CRLF or LF, taken
 * from the first line, so a file that mixes them is not silently mis-split.
 */
import Papa from 'papaparse';

export interface CsvRecord {
  /** 0-based index of the record in the file (the header is record 0). */
  index: number;
  cells: string[];
  /** A quote error in this record. */
  error?: string;
}

/** A quoted field that never closes would otherwise buffer the rest of the file. */
const MAX_PENDING_CHARS = 16 * 1024 * 1024;

export class CsvSyntaxError extends Error {
  readonly record: number;
  constructor(record: number, message: string) {
    super(message);
    this.record = record;
  }
}

interface PapaParserResult {
  data: string[][];
  errors: { row?: number; message: string; code: string }[];
  meta: { cursor: number };
}

/** Records one at a time (a convenience over `csvRecordBatches`). */
export async function* csvRecords(text: AsyncIterable<string>): AsyncGenerator<CsvRecord> {
  for await (const batch of csvRecordBatches(text)) yield* batch;
}

/** Records in batches, one per chunk of text: no promise per record on the hot path. */
export async function* csvRecordBatches(text: AsyncIterable<string>): AsyncGenerator<CsvRecord[]> {
  let parser: { parse(input: string, baseIndex: number, ignoreLastRow: boolean): PapaParserResult } | undefined;
  let pending = '';
  let index = 0;
  const take = (result: PapaParserResult): CsvRecord[] => {
    const errors = new Map<number, string>();
    for (const e of result.errors) if (e.row !== undefined && !errors.has(e.row)) errors.set(e.row, describeQuoteError(e.code, e.message));
    return result.data.map((cells, i) => {
      const error = errors.get(i);
      return error ? { index: index++, cells, error } : { index: index++, cells };
    });
  };
  for await (const chunk of text) {
    pending += chunk;
    if (!parser) {
      const newlineAt = pending.indexOf('\n');
      if (newlineAt === -1) continue; // the first line is not complete yet
      const newline = newlineAt > 0 && pending[newlineAt - 1] === '\r' ? '\r\n' : '\n';
      parser = new (Papa as unknown as { Parser: new (config: object) => NonNullable<typeof parser> }).Parser({ delimiter: ',', newline, quoteChar: '"', escapeChar: '"' });
    }
    const result = parser.parse(pending, 0, true);
    if (result.data.length) yield take(result);
    pending = pending.slice(result.meta.cursor);
    if (pending.length > MAX_PENDING_CHARS) {
      throw new CsvSyntaxError(index, `a quoted value starting in this row is never closed (more than ${MAX_PENDING_CHARS / 1024 / 1024} MB without a closing quote)`);
    }
  }
  if (pending.length === 0) return;
  parser ??= new (Papa as unknown as { Parser: new (config: object) => NonNullable<typeof parser> }).Parser({ delimiter: ',', newline: '\n', quoteChar: '"', escapeChar: '"' });
  // A final line break leaves one empty record behind: it is not a row.
  const result = parser.parse(pending, 0, false);
  yield take({ ...result, data: result.data.filter((row, i) => !(i === result.data.length - 1 && row.length === 1 && row[0] === '' && pending.endsWith('\n'))) });
}

function describeQuoteError(code: string, message: string): string {
  switch (code) {
    case 'MissingQuotes': return 'a quoted value is never closed (a " without its closing ")';
    case 'InvalidQuotes': return 'a quote inside a quoted value must be doubled ("") and a quoted value must end at a comma or line break';
    default: return message;
  }
}
