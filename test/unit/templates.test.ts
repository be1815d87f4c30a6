import { describe, expect, it } from 'vitest';
import { checkRow, parseTemplate, planRows, templateFileColumns } from '../../core/templates/index.ts';
import type { InputIssue } from '../../core/shared/issues.ts';
import { derivation, template } from '../helpers/templates.ts';

const email = template({
  updateKeys: ['Campaign Name'],
  fields: [
    { name: 'Campaign Name', type: 'text', required: true, minLength: 3, maxLength: 40, pattern: '^[A-Za-z0-9 _-]+$' },
    { name: 'Channel', type: 'picklist', required: true, values: ['Email', 'Social'] },
    { name: 'Channel Code', type: 'dependent', source: 'Channel', map: { Email: 'EM', Social: 'SO' } },
    { name: 'Region', type: 'picklist', values: ['EMEA', 'AMER'] },
    { name: 'Country', type: 'drilldown', parent: 'Region', options: { EMEA: ['France', 'Germany'], AMER: ['USA'] } },
    { name: 'Launch Date', type: 'date', inputFormats: ['MM/DD/YYYY', 'YYYY-MM-DD'], format: 'YYYY-MM-DD' },
    { name: 'Tags', type: 'picklist', values: ['a', 'b', 'c'], multiple: true, delimiter: '|' },
    { name: 'Source', type: 'constant', value: 'US' },
    {
      name: 'Slug',
      type: 'autofill',
      source: 'Campaign Name',
      transform: { case: 'lower', spaces: { replaceWith: '-' } },
    },
    { name: 'Label', type: 'concatenation', fields: ['Channel Code', 'Slug'], separator: '_' },
    { name: 'Number', type: 'autonumber', start: 998, width: 3 },
    {
      name: 'Tracking Code',
      type: 'pattern',
      parts: [
        { field: 'Channel Code' },
        { delimiter: '-' },
        { date: 'YYYYMMDD' },
        { delimiter: '-' },
        { autonumber: { start: 1, width: 4 } },
        { delimiter: '-' },
        { random: { length: 6, characters: ['upper', 'digits'] } },
      ],
    },
  ],
});

describe('templates', () => {
  it('puts only user-input fields in the template file, in schema order', () => {
    expect(templateFileColumns(email)).toEqual([
      'Campaign Name',
      'Channel',
      'Channel Code',
      'Region',
      'Country',
      'Launch Date',
      'Tags',
    ]);
  });

  it('fills dependent and derived fields of a valid row', () => {
    const plan = planRows(email);
    const ctx = derivation();
    const first = checkRow(plan, ['Spring Sale', 'Email', '', 'EMEA', 'France', '03/01/2026', 'a|c'], ctx);
    expect(first.issues).toEqual([]);
    expect(Object.fromEntries(first.values)).toMatchObject({
      'Channel Code': 'EM',
      'Launch Date': '2026-03-01',
      Source: 'US',
      Slug: 'spring-sale',
      Label: 'EM_spring-sale',
      Number: '998',
    });
    expect(first.values.get('Tracking Code')).toMatch(/^EM-20261128-0001-[A-Z0-9]{6}$/);
    const numbers = [
      checkRow(plan, ['B b b', 'Social', 'SO', '', '', '', ''], ctx),
      checkRow(plan, ['C c c', 'Social', '', '', '', '', ''], ctx),
    ].map((r) => r.values.get('Number'));
    expect(numbers).toEqual(['999', '1000']);
  });

  it('reports every broken rule of a row, with column, value, rule and message', () => {
    const result = checkRow(
      planRows(email),
      ['ab', 'email', 'XX', 'AMER', 'France', '02/30/2026', 'a||d'],
      derivation(),
    );
    expect(result.issues).toEqual([
      { column: 'Campaign Name', value: 'ab', rule: 'minLength', message: 'must be at least 3 characters long, has 2' },
      {
        column: 'Channel',
        value: 'email',
        rule: 'picklist',
        message: '"email" is not one of "Email", "Social" (did you mean "Email"? case and spaces must match exactly)',
      },
      {
        column: 'Channel Code',
        value: 'XX',
        rule: 'dependent',
        message: '"Channel" = "email" has no mapped value for "Channel Code"',
      },
      {
        column: 'Country',
        value: 'France',
        rule: 'drilldown',
        message: '"France" is not a child of "Region" = "AMER" (expected one of "USA")',
      },
      {
        column: 'Launch Date',
        value: '02/30/2026',
        rule: 'date',
        message: '"02/30/2026" is not a date in any of the formats "MM/DD/YYYY", "YYYY-MM-DD"',
      },
      { column: 'Tags', value: 'a||d', rule: 'picklist', message: 'has an empty choice between "|" delimiters' },
      { column: 'Tags', value: 'a||d', rule: 'picklist', message: '"d" is not one of "a", "b", "c"' },
    ]);
    expect(result.values.has('Number')).toBe(false);
  });

  it('names the conflict of a dependent value with its mapping', () => {
    const result = checkRow(planRows(email), ['Spring', 'Email', 'SO', '', '', '', ''], derivation());
    expect(result.issues.map((i) => i.message)).toEqual([
      'conflicts with "EM", the value "Channel" = "Email" maps to (leave it blank to fill it)',
    ]);
  });

  it('refuses a bad template with every problem named by its path', () => {
    const issues: InputIssue[] = [];
    parseTemplate(
      {
        name: 'Bad',
        updateKeys: ['Nope'],
        fields: [
          { name: 'A', type: 'text', minLength: 5, maxLength: 2, pattern: '([' },
          { name: 'B', type: 'picklist', values: [] },
          { name: 'C', type: 'autofill', source: 'D' },
          { name: 'D', type: 'concatenation', fields: ['C', 'A'] },
          { name: 'E', type: 'date', inputFormats: ['DD/MM'], format: 'YYYY-MM-DD' },
          { name: 'A', type: 'colour' },
          { name: 'F', type: 'drilldown', parent: 'A', options: {} },
        ],
      },
      'templates[0]',
      issues,
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'templates[0].fields[0]: "minLength" (5) must not exceed "maxLength" (2)',
      expect.stringMatching(/^templates\[0\].fields\[0\]: "pattern" is not a valid regular expression/),
      'templates[0].fields[1]: "values" must have at least 1 item(s)',
      'templates[0].fields[4]: date format "DD/MM" must contain a year (YYYY or YY), a month (MM, M or MMM) and a day (DD or D)',
      'templates[0].fields[5]: "type" must be one of text, picklist, dependent, drilldown, date, constant, autofill, concatenation, autonumber, pattern, got string "colour"',
      'templates[0].fields[6]: drill-down "F" needs a picklist or drill-down parent, but "A" is text',
      'templates[0]: fields depend on each other in a cycle: C -> D -> C',
      'templates[0]: update key "Nope" is not a field of template "Bad"',
    ]);
  });
});
