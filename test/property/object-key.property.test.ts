import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  formatSubmittedAt,
  MAX_KEY_BYTES,
  renderObjectKey,
  type FileType,
  type PathMode,
} from '../../core/outbound/index.ts';

const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('/', '.', '..', ' ', '_', 'é', '中', '😀', '{', '}'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 40,
});
const placeholder = fc.constantFrom(
  '{{template_name}}',
  '{{submitted_at}}',
  '{{submitted_by}}',
  '{{submission_name}}',
  '{{ template_name }}',
);
const filename = fc
  .array(fc.oneof(anyText, placeholder, fc.constant('/')), { maxLength: 8 })
  .map((parts) => parts.join(''));
const values = fc.record({
  templateName: anyText,
  submittedBy: anyText,
  submissionName: anyText,
  submittedAt: fc.date({
    min: new Date(Date.UTC(1970, 0, 1)),
    max: new Date(Date.UTC(9999, 11, 31)),
    noInvalidDate: true,
  }),
});
const options = fc.record({
  pathMode: fc.constantFrom<PathMode>('flatten', 'folders'),
  fileType: fc.constantFrom<FileType>('csv', 'xlsx', 'json'),
});

describe('outbound object keys', () => {
  test.prop([filename, values, options])(
    'are safe S3 keys: no leading slash, no ".." segment, at most 1,024 bytes, the right extension',
    (name, v, o) => {
      const key = renderObjectKey(name, v, o);
      expect(key.startsWith('/')).toBe(false);
      expect(key.split('/').some((s) => s === '..' || s === '.' || s === '')).toBe(false);
      expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_KEY_BYTES);
      expect(key.endsWith(`.${o.fileType}`)).toBe(true);
      expect(key.length).toBeGreaterThan(`.${o.fileType}`.length);
      if (o.pathMode === 'flatten') expect(key).not.toContain('/');
    },
  );

  test.prop([filename, values, options])('are the same for the same inputs', (name, v, o) => {
    expect(renderObjectKey(name, v, o)).toBe(
      renderObjectKey(name, { ...v, submittedAt: new Date(v.submittedAt.getTime()) }, { ...o }),
    );
  });

  test.prop([
    fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), { minLength: 1, maxLength: 4 }),
    values,
    fc.constantFrom<FileType>('csv', 'xlsx', 'json'),
  ])(
    "in folders mode the folder part is the filename's path, whatever slashes the values hold",
    (folders, v, fileType) => {
      const key = renderObjectKey(
        `${folders.join('/')}/{{submitted_by}}_{{template_name}}`,
        { ...v, submittedBy: `a/b/${v.submittedBy}` },
        { pathMode: 'folders', fileType },
      );
      expect(key.slice(0, key.lastIndexOf('/'))).toBe(folders.join('/'));
    },
  );

  test.prop([
    fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }),
  ])('submitted-at is YYYY-MM-DD_HH-MM-SS in UTC', (date) => {
    const text = formatSubmittedAt(date);
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/);
    expect(new Date(`${text.slice(0, 10)}T${text.slice(11).replace(/-/g, ':')}Z`).getTime()).toBe(
      Math.floor(date.getTime() / 1000) * 1000,
    );
  });
});

describe("the product article's example", () => {
  test('flattens inbox/us/claravine/{{submitted_at}} into inbox_us_claravine_<time>.csv', () => {
    const key = renderObjectKey(
      'inbox/us/claravine/{{submitted_at}}',
      {
        templateName: 'Email',
        submittedBy: 'Uma',
        submissionName: 'x',
        submittedAt: new Date(Date.UTC(2020, 8, 9, 12, 37, 52)),
      },
      { pathMode: 'flatten', fileType: 'csv' },
    );
    expect(key).toBe('inbox_us_claravine_2020-09-09_12-37-52.csv');
  });
});
