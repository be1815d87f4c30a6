/**
 * Checks a filled-in template file from its first byte to its last row, streaming: strict UTF-8,
 * the header against the template file's, RFC 4180 records, the row limit, and every field's
 * governance on every row. Rows that pass go to a sink as they come, so memory stays flat.
 */
import { checkRow, planRows, type DerivationContext, type Template } from '../templates/index.ts';
import { CsvSyntaxError, csvRecordBatches, type CsvRecord } from './csv-records.ts';
import { Utf8Error, Utf8StreamDecoder } from './utf8-decoder.ts';

/** The product's limit on a template file. */
export const MAX_TEMPLATE_ROWS = 50_000;
/** Issues kept per file; the counts stay exact beyond it. */
export const MAX_KEPT_ISSUES = 10_000;
/**
 * An issue's `value` is cut to this many characters (and says so): a 1 MB cell would otherwise be
 * copied into the submission's record. The rejected-rows file keeps every cell whole.
 */
export const MAX_ISSUE_VALUE_CHARS = 256;

function shortened(issue: FileIssue): FileIssue {
  const { value } = issue;
  if (value === undefined || value.length <= MAX_ISSUE_VALUE_CHARS) return issue;
  return {
    ...issue,
    value: `${value.slice(0, MAX_ISSUE_VALUE_CHARS)}… (${value.length.toLocaleString('en-US')} characters; the rejected rows keep it whole)`,
  };
}

export interface FileIssue {
  /** Spreadsheet numbering: the header is row 1. Absent for an issue of the whole file. */
  row?: number;
  column?: string;
  value?: string;
  /** `encoding`, `empty`, `headerOnly`, `header`, `quotes`, `rowLength`, `columns`, `rowLimit`, or a field rule. */
  rule: string;
  message: string;
}

export interface AcceptedRow {
  row: number;
  /** Every field's stored value, by field name, in schema order. */
  values: Map<string, string>;
}

export interface RejectedRow {
  row: number;
  cells: string[];
  issues: FileIssue[];
}

export interface FileValidationOptions {
  /** @default 50,000 (the product's) */
  rowLimit?: number;
  /** @default 10,000 */
  maxKeptIssues?: number;
  derivation: DerivationContext;
  /** Called for each row that passes, in order; awaited when it returns a promise. */
  onAccepted?: (row: AcceptedRow) => void | Promise<void>;
  /** Called for each row that fails. */
  onRejected?: (row: RejectedRow) => void | Promise<void>;
}

export interface FileValidationResult {
  /** No issue at all: the file and every row are valid. */
  ok: boolean;
  /** An issue of the whole file (encoding, header, limit): no row can be trusted. */
  fileFailed: boolean;
  counts: { rows: number; accepted: number; rejected: number; blank: number };
  issues: FileIssue[];
  /** Issues beyond `maxKeptIssues`, counted but not kept. */
  issuesNotKept: number;
}

async function* decodeText(source: AsyncIterable<Uint8Array>, decoder: Utf8StreamDecoder): AsyncGenerator<string> {
  for await (const chunk of source) {
    const text = decoder.decode(chunk);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

/** Delimiters a spreadsheet may save with, and what to call them. */
const OTHER_DELIMITERS: readonly (readonly [string, string])[] = [
  [';', 'semicolons'],
  ['\t', 'tabs'],
  ['|', 'pipes'],
];

/** A header read as one column that another delimiter would split into the template file's columns. */
function delimiterIssue(header: string[], expected: string[]): FileIssue | undefined {
  if (header.length !== 1 || expected.length < 2) return undefined;
  for (const [delimiter, name] of OTHER_DELIMITERS) {
    const cells = header[0]!.split(delimiter).map((c) => c.trim());
    if (cells.length < 2 || cells.filter((c) => expected.includes(c)).length < Math.min(2, expected.length)) continue;
    return {
      row: 1,
      rule: 'header',
      message: `the file is delimited by ${name} (${JSON.stringify(delimiter)}), not commas: its header reads as one column ${JSON.stringify(header[0])}; save it as CSV with commas (the template file's columns are ${expected.map((e) => JSON.stringify(e)).join(', ')})`,
    };
  }
  return undefined;
}

function headerIssues(header: string[], expected: string[]): FileIssue[] {
  const delimiter = delimiterIssue(header, expected);
  if (delimiter) return [delimiter];
  const issues: FileIssue[] = [];
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      issues.push({
        row: 1,
        column: name,
        value: name,
        rule: 'header',
        message: `column ${JSON.stringify(name)} appears more than once`,
      });
    seen.add(name);
  }
  const missing = expected.filter((name) => !header.includes(name));
  const unknown = header.filter((name) => !expected.includes(name));
  for (const name of missing) {
    const near = unknown.find((u) => u.trim().toLowerCase() === name.toLowerCase());
    issues.push({
      row: 1,
      column: name,
      rule: 'header',
      message: `column ${JSON.stringify(name)} is missing${near !== undefined ? ` (the file has ${JSON.stringify(near)}: names must match exactly)` : ''}`,
    });
  }
  for (const name of unknown)
    issues.push({
      row: 1,
      column: name,
      value: name,
      rule: 'header',
      message: `column ${JSON.stringify(name)} is not in the template file (expected ${expected.map((e) => JSON.stringify(e)).join(', ')})`,
    });
  if (issues.length === 0 && header.join('\u0000') !== expected.join('\u0000')) {
    issues.push({
      row: 1,
      rule: 'header',
      message: `the columns are in another order than the template file's: expected ${expected.map((e) => JSON.stringify(e)).join(', ')}`,
    });
  }
  return issues;
}

/** A record's own problems before its fields are checked: a broken quote, or a cell count unlike the header's. */
function recordIssues(record: CsvRecord, columns: number): FileIssue[] {
  const row = record.index + 1;
  // A broken quote also breaks the cell count; the quote is the cause worth naming.
  if (record.error) return [{ row, rule: 'quotes', message: record.error }];
  if (record.cells.length !== columns)
    return [{ row, rule: 'columns', message: `has ${record.cells.length} value(s) where the header has ${columns}` }];
  return [];
}

/** One file's check as its records arrive: the header first, then each row; what was found so far. */
class FileCheck {
  readonly issues: FileIssue[] = [];
  issuesNotKept = 0;
  readonly counts = { rows: 0, accepted: 0, rejected: 0, blank: 0 };
  fileFailed = false;
  sawHeader = false;
  readonly #plan: ReturnType<typeof planRows>;
  readonly #rowLimit: number;
  readonly #maxKept: number;

  constructor(
    template: Template,
    readonly options: FileValidationOptions,
  ) {
    this.#plan = planRows(template);
    this.#rowLimit = options.rowLimit ?? MAX_TEMPLATE_ROWS;
    this.#maxKept = options.maxKeptIssues ?? MAX_KEPT_ISSUES;
  }

  keep(issue: FileIssue): void {
    if (this.issues.length < this.#maxKept) this.issues.push(shortened(issue));
    else this.issuesNotKept++;
  }

  failFile(issue: FileIssue): void {
    this.fileFailed = true;
    this.keep(issue);
  }

  /** Returns false to stop reading; a promise only when a sink asks to wait (back-pressure). */
  record(record: CsvRecord): boolean | Promise<boolean> {
    if (!this.sawHeader) {
      this.sawHeader = true;
      return this.#header(record.cells);
    }
    if (record.cells.every((cell) => cell === '')) {
      this.counts.blank++; // empty lines and rows of bare commas are skipped, as a spreadsheet shows them
      return true;
    }
    if (this.counts.rows >= this.#rowLimit) {
      this.failFile({
        rule: 'rowLimit',
        message: `the file has more than ${this.#rowLimit.toLocaleString('en-US')} rows, the limit of a template file`,
      });
      return false;
    }
    this.counts.rows++;
    return this.#row(record);
  }

  #header(header: string[]): boolean {
    if (header.length === 1 && header[0] === '') {
      this.failFile({
        row: 1,
        rule: 'header',
        message: 'the first line is empty: it must be the header of the template file',
      });
      return false;
    }
    const problems = headerIssues(header, this.#plan.columns);
    if (problems.length === 0) return true;
    this.fileFailed = true;
    problems.forEach((issue) => this.keep(issue));
    return false;
  }

  #row(record: CsvRecord): true | Promise<true> {
    const row = record.index + 1;
    const rowIssues = recordIssues(record, this.#plan.columns.length);
    if (rowIssues.length === 0) {
      const checked = checkRow(this.#plan, record.cells, this.options.derivation);
      for (const issue of checked.issues) rowIssues.push({ row, ...issue });
      if (rowIssues.length === 0) {
        this.counts.accepted++;
        const wait = this.options.onAccepted?.({ row, values: checked.values });
        return wait ? wait.then(() => true) : true;
      }
    }
    this.counts.rejected++;
    rowIssues.forEach((issue) => this.keep(issue));
    const wait = this.options.onRejected?.({ row, cells: record.cells, issues: rowIssues });
    return wait ? wait.then(() => true) : true;
  }

  /** An error that stopped the reading: the file's, when it is bad UTF-8 or broken CSV. */
  stopped(error: unknown): void {
    if (error instanceof Utf8Error) this.failFile({ rule: 'encoding', message: `the file ${error.message}` });
    else if (error instanceof CsvSyntaxError)
      this.failFile({ row: error.record + 1, rule: error.rule, message: error.message });
    else throw error;
  }

  result(): FileValidationResult {
    if (!this.fileFailed && !this.sawHeader)
      this.failFile({
        rule: 'empty',
        message: "the file is empty: it must hold the template file's header and at least one row",
      });
    else if (!this.fileFailed && this.counts.rows === 0)
      this.failFile({ rule: 'headerOnly', message: 'the file has a header but no rows' });
    const { fileFailed, counts, issues, issuesNotKept } = this;
    return { ok: !fileFailed && counts.rejected === 0, fileFailed, counts, issues, issuesNotKept };
  }
}

export async function validateTemplateFile(
  source: AsyncIterable<Uint8Array>,
  template: Template,
  options: FileValidationOptions,
): Promise<FileValidationResult> {
  const check = new FileCheck(template, options);
  try {
    reading: for await (const batch of csvRecordBatches(decodeText(source, new Utf8StreamDecoder()))) {
      for (const record of batch) {
        const more = check.record(record);
        if (!(typeof more === 'boolean' ? more : await more)) break reading;
      }
    }
  } catch (error) {
    check.stopped(error);
  }
  return check.result();
}
