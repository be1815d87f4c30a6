/**
 * RFC 4180 records from streamed text, with papaparse's parser driven chunk by chunk so that quote
 * errors are reported (its Node stream mode drops them silently).
 *
 * Line endings: CRLF and LF are both line breaks, whatever the header used, and a line break's CR is
 * never kept (a file whose header ends in LF and rows in CRLF, or the reverse, reads as its author
 * meant); a CR inside a quoted value is the author's and is kept (docs/templates.md).
 *
 * Cost: linear in the file. A record may hold at most MAX_RECORD_CHARS characters: a file with no
 * line break (or a quote that never closes) is refused as soon as it passes that, naming its row,
 * instead of being buffered and re-parsed whole.
 */
import Papa from 'papaparse';

export interface CsvRecord {
  /** 0-based index of the record in the file (the header is record 0). */
  index: number;
  cells: string[];
  /** A quote error in this record. */
  error?: string;
}

/** The longest record (row) accepted, in characters: 10 Mi, far beyond any template row. */
export const MAX_RECORD_CHARS = 10 * 1024 * 1024;

export class CsvSyntaxError extends Error {
  readonly record: number;
  /** `quotes` (a quote never closes) or `rowLength` (a row past MAX_RECORD_CHARS). */
  readonly rule: 'quotes' | 'rowLength';
  constructor(record: number, rule: 'quotes' | 'rowLength', message: string) {
    super(message);
    this.record = record;
    this.rule = rule;
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
  const parser = new (
    Papa as unknown as {
      Parser: new (config: object) => {
        parse(input: string, baseIndex: number, ignoreLastRow: boolean): PapaParserResult;
      };
    }
  ).Parser({
    delimiter: ',',
    newline: '\n',
    quoteChar: '"',
    escapeChar: '"',
  });
  let pending = '';
  let index = 0;
  const take = (result: PapaParserResult): CsvRecord[] => {
    const errors = new Map<number, string>();
    for (const e of result.errors)
      if (e.row !== undefined && !errors.has(e.row)) errors.set(e.row, describeQuoteError(e.code, e.message));
    return result.data.map((cells, i) => {
      dropLineEndCr(cells);
      const error = errors.get(i);
      return error ? { index: index++, cells, error } : { index: index++, cells };
    });
  };
  for await (const chunk of text) {
    pending += chunk;
    // Only a line break can complete a record: without one, parsing `pending` again would find nothing new.
    if (chunk.indexOf('\n') !== -1) {
      const result = parser.parse(pending, 0, true);
      if (result.data.length) yield take(result);
      pending = pending.slice(result.meta.cursor);
    }
    if (pending.length > MAX_RECORD_CHARS) {
      const unclosed = countOf(pending, '"') % 2 === 1;
      throw unclosed
        ? new CsvSyntaxError(
            index,
            'quotes',
            `a quoted value starting in this row is never closed (more than ${MAX_RECORD_CHARS / 1024 / 1024} Mi characters without a closing quote)`,
          )
        : new CsvSyntaxError(
            index,
            'rowLength',
            `this row is longer than ${MAX_RECORD_CHARS / 1024 / 1024} Mi characters without a line break; a row may be at most that long`,
          );
    }
  }
  if (pending.length === 0) return;
  // A final line break leaves one empty record behind: it is not a row.
  const result = parser.parse(pending, 0, false);
  yield take({
    ...result,
    data: result.data.filter(
      (row, i) => !(i === result.data.length - 1 && row.length === 1 && row[0] === '' && pending.endsWith('\n')),
    ),
  });
}

/**
 * Records are split at LF; a line that ended in CRLF leaves its CR at the end of the record's last cell
 * when that cell was not quoted (papaparse skips it after a closing quote). That CR is the line break's,
 * never the author's: it is dropped, so CRLF and LF lines read the same, whichever the header used.
 * (Only a CR the author put last inside a quoted last cell is dropped with it.)
 */
function dropLineEndCr(cells: string[]): void {
  const last = cells.length - 1;
  const cell = cells[last];
  if (cell !== undefined && cell.endsWith('\r')) cells[last] = cell.slice(0, -1);
}

function countOf(text: string, character: string): number {
  let count = 0;
  for (let at = text.indexOf(character); at !== -1; at = text.indexOf(character, at + 1)) count++;
  return count;
}

function describeQuoteError(code: string, message: string): string {
  switch (code) {
    case 'MissingQuotes':
      return 'a quoted value is never closed (a " without its closing ")';
    case 'InvalidQuotes':
      return 'a quote inside a quoted value must be doubled ("") and a quoted value must end at a comma or line break';
    default:
      return message;
  }
}
