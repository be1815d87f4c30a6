/**
 * XLSX with exceljs's streaming writer (the in-memory workbook needs 2.7 GB for 100k rows,
 * measured with bench/outbound.ts), without shared strings so memory stays flat. The summary header
 * takes the first four rows and a blank one, as in CSV.
 */
import { PassThrough } from 'node:stream';
import { hasControlCharacters, visibleControlCharacters } from './control-characters.ts';
import type { OutputTable } from './render.ts';

export interface XlsxOptions {
  /** The sheet's name. @default "Submission" */
  sheetName?: string;
  /** Told of each cell whose control characters were made visible (row 1 is the column headers' row). */
  onControlCharacters?: (at: { row: number; column: number }) => void;
}

export async function* renderXlsx(table: OutputTable, options: XlsxOptions = {}): AsyncGenerator<Uint8Array> {
  const sheetName = options.sheetName ?? 'Submission';
  let rowNumber = 0;
  const cells = (row: readonly string[]) => {
    rowNumber++;
    if (!row.some(hasControlCharacters)) return row;
    return row.map((cell, i) => {
      if (!hasControlCharacters(cell)) return cell;
      options.onControlCharacters?.({ row: rowNumber, column: i + 1 });
      return visibleControlCharacters(cell);
    });
  };
  // exceljs is loaded by the first XLSX rendered, not at start-up (npm run bench -- startup).
  const { default: ExcelJS } = await import('exceljs');
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31) || 'Sheet1'); // Excel's limit on sheet names
  const written = (async () => {
    if (table.summary) {
      for (const [label, value] of Object.entries(table.summary)) sheet.addRow(cells([label, value])).commit();
      sheet.addRow(cells([])).commit();
    }
    sheet.addRow(cells(table.columns)).commit();
    for await (const row of table.rows) sheet.addRow(cells(row)).commit();
    sheet.commit();
    await workbook.commit();
  })();
  written.catch((error: unknown) => out.destroy(error as Error));
  for await (const chunk of out) yield chunk as Uint8Array;
  await written;
}
