import { fc, test } from '@fast-check/vitest';
import Papa from 'papaparse';
import { describe, expect } from 'vitest';
import { csvRecords, Utf8Error, Utf8StreamDecoder } from '../../core/files/index.ts';
import { chunked } from '../helpers/files.ts';

const cell = fc.string({
  unit: fc.oneof(
    fc.constantFrom(',', '"', '\n', '\r\n', ' ', '=', 'é', '中', '😀', 'a'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});

describe('CSV records', () => {
  test.prop([
    fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }),
    fc.constantFrom('\n', '\r\n'),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
  ])('parse(write(rows)) == rows for arbitrary strings, however the text is chunked', async (rows, newline, sizes) => {
    const header = ['A', 'B'];
    const text =
      Papa.unparse([header, ...rows], {
        newline,
        quotes: (value: unknown) => /[",\r\n]/.test(String(value)) || String(value) === '',
      }) + newline;
    const parsed: string[][] = [];
    for await (const record of csvRecords(chunked(text, sizes))) {
      expect(record.error).toBeUndefined();
      parsed.push(record.cells);
    }
    expect(parsed).toEqual([header, ...rows]);
  });
});

describe('CSV line endings', () => {
  test.prop([
    fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 8 }),
    fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 9, maxLength: 9 }),
    fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
  ])(
    'CRLF and LF lines mixed in any way (an LF header with CRLF rows, or the reverse) read as the same rows, with no CR left behind',
    async (rows, endings, sizes) => {
      const header = ['A', 'B'];
      const line = (row: string[]) =>
        Papa.unparse([row], { quotes: (value: unknown) => /[",\r\n]/.test(String(value)) || String(value) === '' });
      const text = [header, ...rows].map((row, i) => line(row) + endings[i]!).join('');
      const parsed: string[][] = [];
      for await (const record of csvRecords(chunked(text, sizes))) parsed.push(record.cells);
      expect(parsed).toEqual([header, ...rows]);
    },
  );
});

describe('strict UTF-8 decoding', () => {
  test.prop([
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
  ])('decodes any text, however the bytes are chunked', (text, sizes) => {
    const bytes = Buffer.from(text, 'utf8');
    const decoder = new Utf8StreamDecoder();
    let out = '';
    for (let i = 0, k = 0; i < bytes.length; k++) {
      const size = sizes[k % sizes.length]!;
      out += decoder.decode(bytes.subarray(i, i + size));
      i += size;
    }
    out += decoder.end();
    expect(out).toBe(text.startsWith('\uFEFF') ? text.slice(1) : text);
  });

  test.prop([
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.nat(),
    fc.constantFrom(0x80, 0xbf, 0xc0, 0xe9, 0xff, 0xed),
  ])('finds the offset of the first invalid byte', (text, at, bad) => {
    const good = Buffer.from(text, 'utf8');
    const cut = at % (good.length + 1);
    const bytes = Buffer.concat([good.subarray(0, cut), Buffer.from([bad]), good.subarray(cut)]);
    const decoder = new Utf8StreamDecoder();
    let error: Utf8Error | undefined;
    try {
      for (let i = 0; i < bytes.length; i += 3) decoder.decode(bytes.subarray(i, i + 3));
      decoder.end();
    } catch (e) {
      error = e as Utf8Error;
    }
    let valid = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      valid = false;
    }
    expect(error === undefined).toBe(valid);
    if (error) {
      // The reported offset is the length of the longest prefix that decodes.
      let longest = bytes.length;
      while (longest > 0) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, longest));
          break;
        } catch {
          longest--;
        }
      }
      expect(error.offset).toBe(longest);
    }
  });
});
