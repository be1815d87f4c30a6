import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { renderXlsx } from '../../core/outbound/index.ts';
import { readXlsx } from '../../core/outbound/index.ts';

async function bytes(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

// Non-empty cells: a spreadsheet does not tell an empty cell from a missing one.
const cell = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom(',', '"', '\n', '<', '&', '=', 'é', 'Ünïcödé', '中文', 'русский', '😀', 'a', ' '),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 12,
  })
  .filter((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/.test(s));

describe('XLSX rendering', () => {
  test.prop(
    [
      fc
        .array(cell, { minLength: 1, maxLength: 4 })
        .chain((columns) =>
          fc.tuple(
            fc.constant(columns),
            fc.array(fc.array(cell, { minLength: columns.length, maxLength: columns.length }), { maxLength: 8 }),
          ),
        ),
    ],
    { numRuns: 40 },
  )(
    'reads back cell for cell with a reader independent of exceljs, non-Latin text included',
    async ([columns, rows]) => {
      const read = readXlsx(await bytes(renderXlsx({ columns, rows })));
      expect(read).toEqual([columns, ...rows]);
    },
  );

  test.prop([fc.record({ Date: cell, 'User Name': cell, Targets: cell, Template: cell })], { numRuns: 10 })(
    'puts the summary header in the first rows, then a blank row',
    async (summary) => {
      const read = readXlsx(await bytes(renderXlsx({ columns: ['A'], rows: [['x']], summary })));
      expect(read).toEqual([...Object.entries(summary), [], ['A'], ['x']]);
    },
  );
});
