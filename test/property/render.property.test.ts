import { fc, test } from '@fast-check/vitest';
import Papa from 'papaparse';
import { describe, expect } from 'vitest';
import { DELIMITERS, renderCsv, renderJson, type Delimiter } from '../../core/outbound/index.ts';

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of chunks) out += chunk;
  return out;
}

const cell = fc.string({
  unit: fc.oneof(
    fc.constantFrom(',', ';', '\t', ' ', '"', '\n', '\r\n', '=', '+', '-', '@', 'é', '中文', '😀', 'a'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});
const table = fc.integer({ min: 1, max: 4 }).chain((width) =>
  fc.record({
    columns: fc.array(cell, { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 12 }),
  }),
);
const summary = fc.option(fc.record({ Date: cell, 'User Name': cell, Targets: cell, Template: cell }), {
  nil: undefined,
});

describe('outbound rendering', () => {
  const delimiters = fc.constantFrom<Delimiter>('comma', 'semicolon', 'tab', 'space');
  const roundTrip = async (csv: string, delimiter: Delimiter) => {
    const parsed = Papa.parse<string[]>(csv, { delimiter: DELIMITERS[delimiter], newline: '\r\n', quoteChar: '"' });
    expect(parsed.errors).toEqual([]);
    return parsed.data.slice(0, -1); // the final line break leaves an empty record
  };

  test.prop([table, delimiters, summary])(
    "CSV with formulas escaped (the default): every cell a spreadsheet would run starts with '",
    async ({ columns, rows }, delimiter, header) => {
      const csv = await text(renderCsv({ columns, rows, ...(header ? { summary: header } : {}) }, delimiter));
      const escaped = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);
      const expected = [...(header ? [...Object.entries(header), ['']] : []), columns, ...rows].map((row) =>
        row.map(escaped),
      );
      expect(await roundTrip(csv, delimiter)).toEqual(expected);
    },
  );

  test.prop([table, delimiters, summary])(
    'CSV with escapeFormulas off: parse(render(rows)) == rows, leading "=" kept as it is',
    async ({ columns, rows }, delimiter, header) => {
      const csv = await text(
        renderCsv({ columns, rows, ...(header ? { summary: header } : {}) }, delimiter, { escapeFormulas: false }),
      );
      expect(await roundTrip(csv, delimiter)).toEqual([
        ...(header ? [...Object.entries(header), ['']] : []),
        columns,
        ...rows,
      ]);
    },
  );

  test.prop([table, summary])(
    'JSON round-trips: an array of row objects, or {summary, rows}',
    async ({ columns, rows }, header) => {
      const unique = columns.map((c, i) => `${i}:${c}`);
      const json = JSON.parse(
        await text(renderJson({ columns: unique, rows, ...(header ? { summary: header } : {}) })),
      ) as unknown;
      const objects = rows.map((row) => Object.fromEntries(unique.map((c, i) => [c, row[i]])));
      expect(json).toEqual(header ? { summary: header, rows: objects } : objects);
    },
  );
});
