import { describe, expect, it } from 'vitest';
import { validateTemplateFile, type AcceptedRow } from '../../core/files/index.ts';
import { chunked, utf8 } from '../helpers/files.ts';
import { derivation, template } from '../helpers/templates.ts';

const email = template({
  fields: [
    { name: 'Campaign Name', type: 'text', required: true, minLength: 3 },
    { name: 'Channel', type: 'picklist', required: true, values: ['Email', 'Social'] },
    { name: 'Launch Date', type: 'date', inputFormats: ['MM/DD/YYYY'], format: 'YYYY-MM-DD' },
    { name: 'Region', type: 'constant', value: 'US' },
  ],
});

async function validate(content: string | Uint8Array, options: { rowLimit?: number; sizes?: number[] } = {}) {
  const accepted: AcceptedRow[] = [];
  const bytes = typeof content === 'string' ? utf8(content) : content;
  const result = await validateTemplateFile(chunked(bytes, options.sizes), email, {
    derivation: derivation(),
    ...(options.rowLimit ? { rowLimit: options.rowLimit } : {}),
    onAccepted: (row) => void accepted.push(row),
  });
  return { ...result, accepted: accepted.map((r) => [r.row, Object.fromEntries(r.values)]) };
}

const HEADER = 'Campaign Name,Channel,Launch Date';

describe('validateTemplateFile', () => {
  it('accepts a valid file with a byte-order mark and CRLF line breaks, however it is chunked', async () => {
    for (const sizes of [[1], [3, 7], [65536]]) {
      const result = await validate(`\uFEFF${HEADER}\r\nSpring,Email,03/01/2026\r\n"Fall, late",Social,\r\n`, {
        sizes,
      });
      expect(result.ok).toBe(true);
      expect(result.accepted).toEqual([
        [2, { 'Campaign Name': 'Spring', Channel: 'Email', 'Launch Date': '2026-03-01', Region: 'US' }],
        [3, { 'Campaign Name': 'Fall, late', Channel: 'Social', 'Launch Date': '', Region: 'US' }],
      ]);
    }
  });

  it('names the row, column, value and rule of every bad cell; spreadsheet rows count the header as 1', async () => {
    const result = await validate(
      `${HEADER}\nSpring,Email,03/01/2026\nab,email,2026-03-01\n,,\n"multi\nline",Social,\n`,
    );
    expect(result.ok).toBe(false);
    expect(result.fileFailed).toBe(false);
    expect(result.counts).toEqual({ rows: 3, accepted: 2, rejected: 1, blank: 1 });
    expect(result.issues).toEqual([
      {
        row: 3,
        column: 'Campaign Name',
        value: 'ab',
        rule: 'minLength',
        message: 'must be at least 3 characters long, has 2',
      },
      {
        row: 3,
        column: 'Channel',
        value: 'email',
        rule: 'picklist',
        message: '"email" is not one of "Email", "Social" (did you mean "Email"? case and spaces must match exactly)',
      },
      {
        row: 3,
        column: 'Launch Date',
        value: '2026-03-01',
        rule: 'date',
        message: '"2026-03-01" is not a date in the format "MM/DD/YYYY"',
      },
    ]);
    expect(result.accepted.map(([row]) => row)).toEqual([2, 5]);
  });

  it('refuses a Latin-1 file and says at which byte', async () => {
    const latin1 = Buffer.from(`${HEADER}\nCaf\u00e9 promo,Email,\n`, 'latin1');
    const result = await validate(latin1, { sizes: [5] });
    expect(result.fileFailed).toBe(true);
    expect(result.issues).toEqual([
      {
        rule: 'encoding',
        message: `the file is not valid UTF-8: byte offset ${HEADER.length + 4} (0xE9); save the file as "CSV UTF-8"`,
      },
    ]);
  });

  it('names missing, unknown, repeated and misnamed columns', async () => {
    const result = await validate('campaign name,Channel,Channel,Budget\nx,y,z,w\n');
    expect(result.issues.map((i) => i.message)).toEqual([
      'column "Channel" appears more than once',
      'column "Campaign Name" is missing (the file has "campaign name": names must match exactly)',
      'column "Launch Date" is missing',
      'column "campaign name" is not in the template file (expected "Campaign Name", "Channel", "Launch Date")',
      'column "Budget" is not in the template file (expected "Campaign Name", "Channel", "Launch Date")',
    ]);
    const reordered = await validate('Channel,Campaign Name,Launch Date\nEmail,Spring,\n');
    expect(reordered.issues.map((i) => i.message)).toEqual([
      'the columns are in another order than the template file\'s: expected "Campaign Name", "Channel", "Launch Date"',
    ]);
  });

  it('names a file delimited by semicolons or tabs in one issue that says how to fix it', async () => {
    for (const [delimiter, name] of [
      [';', 'semicolons'],
      ['\t', 'tabs'],
    ] as const) {
      const result = await validate(`${HEADER.split(',').join(delimiter)}\nSpring${delimiter}Email${delimiter}\n`);
      expect(result.fileFailed).toBe(true);
      expect(result.issues).toEqual([
        {
          row: 1,
          rule: 'header',
          message: `the file is delimited by ${name} (${JSON.stringify(delimiter)}), not commas: its header reads as one column ${JSON.stringify(HEADER.split(',').join(delimiter))}; save it as CSV with commas (the template file's columns are "Campaign Name", "Channel", "Launch Date")`,
        },
      ]);
    }
  });

  it('refuses empty and header-only files', async () => {
    expect((await validate('')).issues).toEqual([
      { rule: 'empty', message: "the file is empty: it must hold the template file's header and at least one row" },
    ]);
    expect((await validate('\uFEFF')).issues.map((i) => i.rule)).toEqual(['empty']);
    expect((await validate(`${HEADER}\r\n`)).issues).toEqual([
      { rule: 'headerOnly', message: 'the file has a header but no rows' },
    ]);
  });

  it('reports quote errors and wrong cell counts on their row', async () => {
    const result = await validate(`${HEADER}\nSpring,Email\n"Bad"quote,Email,\n`);
    expect(result.issues).toEqual([
      { row: 2, rule: 'columns', message: 'has 2 value(s) where the header has 3' },
      {
        row: 3,
        rule: 'quotes',
        message:
          'a quote inside a quoted value must be doubled ("") and a quoted value must end at a comma or line break',
      },
    ]);
  });

  it('refuses a file over the row limit', async () => {
    const rows = Array.from({ length: 50_001 }, (_, i) => `Campaign ${i},Email,`).join('\n');
    const result = await validate(`${HEADER}\n${rows}\n`);
    expect(result.fileFailed).toBe(true);
    expect(result.counts.rows).toBe(50_000);
    expect(result.issues).toEqual([
      { rule: 'rowLimit', message: 'the file has more than 50,000 rows, the limit of a template file' },
    ]);
    expect((await validate(`${HEADER}\n${rows}\n`, { rowLimit: 60_000 })).ok).toBe(true);
  });
});
