/**
 * XLSX with exceljs's streaming writer (the in-memory workbook needs 2.7 GB for 100k rows; see
 * ../shared/notes/performance.md), without shared strings so memory stays flat. The summary header
 * takes the first four rows and a blank one, as in CSV.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { OutputTable } from './render.ts';

export async function* renderXlsx(table: OutputTable, sheetName = 'Submission'): AsyncGenerator<Uint8Array> {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31) || 'Sheet1'); // Excel's limit on sheet names
  const written = (async () => {
    if (table.summary) {
      for (const [label, value] of Object.entries(table.summary)) sheet.addRow([label, value]).commit();
      sheet.addRow([]).commit();
    }
    sheet.addRow(table.columns).commit();
    for await (const row of table.rows) sheet.addRow(row).commit();
    sheet.commit();
    await workbook.commit();
  })();
  written.catch((error: unknown) => out.destroy(error as Error));
  for await (const chunk of out) yield chunk as Uint8Array;
  await written;
}
