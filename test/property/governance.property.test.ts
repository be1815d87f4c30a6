import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { formatDate, parseDate } from '../../core/templates/index.ts';
import { checkDate } from '../../core/templates/governance/date.ts';
import { checkDependent } from '../../core/templates/governance/dependent.ts';
import { deriveField, padNumber } from '../../core/templates/governance/derived.ts';
import { checkDrilldown } from '../../core/templates/governance/drilldown.ts';
import { checkPicklist } from '../../core/templates/governance/picklist.ts';
import { checkText } from '../../core/templates/governance/text.ts';
import type { DateField, PicklistField, TextField } from '../../core/templates/index.ts';
import { derivation } from '../helpers/templates.ts';

const base = { required: false, visible: true };
const anyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(' ', '\t', 'a', 'Z', '9', '-', 'é', '中', '😀'),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
  maxLength: 30,
});
const rules = (issues: { rule: string }[]) => issues.map((i) => i.rule).sort();

describe('text governance', () => {
  test.prop([anyText, fc.nat(10), fc.nat(10), fc.boolean()])(
    'length and space rules hold exactly when they should',
    (value, a, b, noSpaces) => {
      const [minLength, maxLength] = [Math.min(a, b), Math.max(a, b) + 1];
      const field: TextField = { ...base, name: 'F', type: 'text', minLength, maxLength, noSpaces };
      const length = [...value].length;
      const expected: string[] = [];
      if (!(value === '' && minLength === 0)) {
        if (length < minLength) expected.push('minLength');
        if (length > maxLength) expected.push('maxLength');
        if (noSpaces && /\s/.test(value)) expected.push('noSpaces');
      }
      expect(rules(checkText(value, field).issues)).toEqual(expected.sort());
    },
  );

  test.prop([anyText])('a required empty value is refused, any other passes without rules', (value) => {
    const field: TextField = { ...base, required: true, name: 'F', type: 'text', noSpaces: false };
    expect(rules(checkText(value, field).issues)).toEqual(value === '' ? ['required'] : []);
  });

  test.prop([fc.stringMatching(/^[a-z]{0,6}$/), anyText])(
    'pattern: refused exactly when the regular expression fails',
    (good, other) => {
      const field: TextField = { ...base, name: 'F', type: 'text', noSpaces: false, pattern: '^[a-z]+$' };
      for (const value of [good, other]) {
        const issues = rules(checkText(value, field).issues);
        expect(issues.includes('pattern')).toBe(value !== '' && !/^[a-z]+$/u.test(value));
      }
    },
  );
});

describe('picklist governance', () => {
  const values = fc.uniqueArray(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,8}$/), { minLength: 1, maxLength: 6 });
  test.prop([values, fc.nat()])(
    'a listed value passes, its case-changed form does not (unless also listed)',
    (list, pick) => {
      const field: PicklistField = {
        ...base,
        name: 'P',
        type: 'picklist',
        values: list,
        multiple: false,
        delimiter: '|',
      };
      const value = list[pick % list.length]!;
      expect(checkPicklist(value, field).issues).toEqual([]);
      const swapped = [...value].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
      expect(checkPicklist(swapped, field).issues.length === 0).toBe(list.includes(swapped));
    },
  );

  test.prop([values, fc.array(fc.nat(), { minLength: 1, maxLength: 4 })])(
    'a multi-select of distinct listed values passes',
    (list, picks) => {
      const field: PicklistField = {
        ...base,
        name: 'P',
        type: 'picklist',
        values: list,
        multiple: true,
        delimiter: '|',
      };
      const chosen = [...new Set(picks.map((p) => list[p % list.length]!))];
      expect(checkPicklist(chosen.join('|'), field).issues).toEqual([]);
    },
  );
});

describe('date governance', () => {
  const day = fc
    .date({ min: new Date(Date.UTC(2000, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true })
    .map((d) => ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }));
  const format = fc.constantFrom('YYYY-MM-DD', 'MM/DD/YYYY', 'DD.MM.YYYY', 'D MMM YYYY', 'YYYYMMDD', 'M/D/YY');
  test.prop([day, format, format])(
    'any date written in an accepted format is stored in the output format',
    (date, input, output) => {
      const field: DateField = { ...base, name: 'D', type: 'date', inputFormats: [input], format: output };
      expect(checkDate(formatDate(date, input), field)).toEqual({ value: formatDate(date, output), issues: [] });
      expect(parseDate(formatDate(date, input), input)).toEqual(date);
    },
  );

  test.prop([fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 29, max: 31 })])(
    'days a month does not have are refused',
    (year, month, dayOfMonth) => {
      const field: DateField = { ...base, name: 'D', type: 'date', inputFormats: ['YYYY-MM-DD'], format: 'YYYY-MM-DD' };
      const exists = new Date(Date.UTC(year, month - 1, dayOfMonth)).getUTCMonth() === month - 1;
      const text = `${year}-${String(month).padStart(2, '0')}-${dayOfMonth}`;
      expect(checkDate(text, field).issues.length === 0).toBe(exists);
    },
  );
});

describe('dependent and drill-down governance', () => {
  const map = fc.dictionary(fc.stringMatching(/^[A-Z][a-z]{0,5}$/), fc.stringMatching(/^[A-Z]{2}$/), { minKeys: 1 });
  test.prop([map, fc.nat(), fc.stringMatching(/^[A-Z]{2}$/)])(
    'blank is filled, the mapped value passes, anything else conflicts',
    (m, pick, other) => {
      const keys = Object.keys(m);
      const source = keys[pick % keys.length]!;
      const field = { ...base, name: 'Code', type: 'dependent' as const, source: 'Channel', map: m };
      const row = new Map([['Channel', source]]);
      expect(checkDependent('', field, row)).toEqual({ value: m[source], issues: [] });
      expect(checkDependent(m[source]!, field, row).issues).toEqual([]);
      expect(checkDependent(other, field, row).issues.length === 0).toBe(other === m[source]);
    },
  );

  test.prop([
    fc.dictionary(
      fc.stringMatching(/^[A-Z]{4}$/),
      fc.uniqueArray(fc.stringMatching(/^[a-z]{3,6}$/), { minLength: 1, maxLength: 4 }),
      { minKeys: 2 },
    ),
    fc.nat(),
    fc.nat(),
  ])('a child passes under its own parent only', (options, p, c) => {
    const parents = Object.keys(options);
    const parent = parents[p % parents.length]!;
    const other = parents[(p + 1) % parents.length]!;
    const child = options[parent]![c % options[parent]!.length]!;
    const field = { ...base, name: 'Country', type: 'drilldown' as const, parent: 'Region', options };
    expect(checkDrilldown(child, field, new Map([['Region', parent]])).issues).toEqual([]);
    expect(checkDrilldown(child, field, new Map([['Region', other]])).issues.length === 0).toBe(
      options[other]!.includes(child),
    );
  });
});

describe('derived fields', () => {
  test.prop([fc.nat(100_000), fc.integer({ min: 1, max: 8 })])(
    'autonumbers are zero-padded and grow past the width',
    (start, width) => {
      const ctx = derivation();
      const field = { ...base, name: 'N', type: 'autonumber' as const, start, width };
      const first = deriveField(field, new Map(), ctx).value;
      const second = deriveField(field, new Map(), ctx).value;
      expect([Number(first), Number(second)]).toEqual([start, start + 1]);
      expect(first).toBe(padNumber(start, width));
      expect(first.length).toBe(Math.max(width, String(start).length));
    },
  );

  test.prop([fc.integer({ min: 6, max: 99 }), fc.subarray(['upper', 'lower', 'digits'] as const, { minLength: 1 })])(
    'random parts have their length and classes',
    (length, characters) => {
      const field = {
        ...base,
        name: 'K',
        type: 'pattern' as const,
        parts: [{ random: { length, characters: [...characters] } }],
      };
      const value = deriveField(field, new Map(), derivation()).value;
      const allowed = new RegExp(
        `^[${characters.map((c) => ({ upper: 'A-Z', lower: 'a-z', digits: '0-9' })[c]).join('')}]{${length}}$`,
      );
      expect(value).toMatch(allowed);
    },
  );

  test.prop([fc.array(fc.string({ maxLength: 5 }), { minLength: 2, maxLength: 5 }), fc.constantFrom('', '_', ' - ')])(
    'concatenation joins the non-empty parts',
    (parts, separator) => {
      const names = parts.map((_, i) => `F${i}`);
      const field = { ...base, name: 'C', type: 'concatenation' as const, fields: names, separator };
      const row = new Map(names.map((n, i) => [n, parts[i]!]));
      expect(deriveField(field, row, derivation()).value).toBe(parts.filter((p) => p !== '').join(separator));
    },
  );
});
