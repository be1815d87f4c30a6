import { describe, expect, it } from 'vitest';
import { csvRecords, MAX_RECORD_CHARS } from '../../core/files/csv-records.ts';

async function* chunksOf(text: string, size = 64 * 1024): AsyncGenerator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

async function records(text: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const record of csvRecords(chunksOf(text))) out.push(record.cells);
  return out;
}

describe('CSV records', () => {
  it('keep a CR the author quoted, and drop the CR of a CRLF line break', async () => {
    expect(await records('A,B\n"x\r\ny",z\r\n"5"" screen",w\r\n5" tv,v\n')).toEqual([
      ['A', 'B'],
      ['x\r\ny', 'z'],
      ['5" screen', 'w'],
      ['5" tv', 'v'],
    ]);
  });

  it('refuse a row with no line break as soon as it passes the limit, naming the row', async () => {
    const header = 'A,B\n';
    const endless = header + 'x'.repeat(MAX_RECORD_CHARS + 1024 * 1024);
    await expect(records(endless)).rejects.toMatchObject({
      record: 1,
      rule: 'rowLength',
      message: expect.stringContaining('longer than 10 Mi characters without a line break'),
    });
    await expect(records(`${header}"open,${'y'.repeat(MAX_RECORD_CHARS)}`)).rejects.toMatchObject({
      record: 1,
      rule: 'quotes',
    });
  });
});
