/**
 * An XLSX reader independent of exceljs (whose streaming reader damages non-Latin text): unzip with
 * fflate, parse the first sheet's XML with fast-xml-parser, place cells by their references.
 */
import { XMLParser } from 'fast-xml-parser';
import { strFromU8, unzipSync } from 'fflate';

type Node = Record<string, unknown>;
const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node !== 'object') return String(node);
  const n = node as Node;
  if ('#text' in n) return String(n['#text']);
  if ('t' in n) return list(n.t).map(textOf).join('');
  if ('r' in n)
    return list(n.r as Node[])
      .map((r) => textOf(r.t))
      .join('');
  return '';
}

function columnIndex(reference: string): number {
  const letters = /^[A-Z]+/.exec(reference)![0];
  return [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
}

/** Decodes Excel's `_xHHHH_` escapes (used for characters XML cannot hold as they are). */
function unescapeExcel(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function readXlsx(bytes: Uint8Array): string[][] {
  const files = unzipSync(bytes);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    trimValues: false,
  });
  const shared = files['xl/sharedStrings.xml']
    ? list(((parser.parse(strFromU8(files['xl/sharedStrings.xml']!)) as Node).sst as Node).si as Node[]).map(textOf)
    : [];
  const sheet = parser.parse(strFromU8(files['xl/worksheets/sheet1.xml']!)) as Node;
  const rows = list(
    ((sheet.worksheet as Node).sheetData as Node | string)?.constructor === Object
      ? (((sheet.worksheet as Node).sheetData as Node).row as Node[] | Node)
      : undefined,
  );
  const out: string[][] = [];
  for (const row of rows) {
    const index = Number(row['@r']) - 1;
    const cells: string[] = [];
    for (const cell of list(row.c as Node[] | Node)) {
      const type = cell['@t'];
      const value =
        type === 'inlineStr' ? textOf(cell.is) : type === 's' ? (shared[Number(textOf(cell.v))] ?? '') : textOf(cell.v);
      cells[columnIndex(String(cell['@r']))] = unescapeExcel(value);
    }
    out[index] = Array.from(cells, (c) => c ?? '');
  }
  return Array.from(out, (r) => r ?? []);
}
