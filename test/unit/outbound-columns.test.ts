import { describe, expect, it } from 'vitest';
import { outputColumns, rowCells, rowProjector } from '../../core/outbound/index.ts';
import type { Submission } from '../../core/submissions/index.ts';
import { template } from '../helpers/templates.ts';

const email = template({
  name: 'Email',
  fields: [
    { name: 'Campaign Name', type: 'text' },
    { name: 'Channel', type: 'text' },
    { name: 'Source', type: 'constant', value: 'US', visible: false },
    { name: 'Launch_Date', type: 'text' },
  ],
});
const submission = {
  id: 's1',
  template: 'Email',
  integration: 'i',
  name: 'Email.csv',
  status: 'complete',
  source: { bucket: 'b', key: 'k', etag: 'e', size: 1 },
  submittedBy: 'Uma Loader',
  submittedByEmail: 'uma@example.com',
  submittedAt: '2026-11-28T06:00:00.000Z',
  counts: { rows: 1, accepted: 1, rejected: 0 },
  issues: [],
  issuesNotKept: 0,
  createdAt: '2026-11-28T05:59:59.000Z',
  updatedAt: '2026-11-28T06:00:00.000Z',
} satisfies Submission;
const values = { 'Campaign Name': 'Spring', Channel: 'Email', Source: 'US', Launch_Date: '2026-03-01' };

describe('outbound columns', () => {
  it('default summary: schema order, fields marked not visible left out', () => {
    const columns = outputColumns(email, { columns: 'default' });
    expect(columns.map((c) => c.label)).toEqual(['Campaign Name', 'Channel', 'Launch_Date']);
    expect(rowCells(columns, values, submission)).toEqual(['Spring', 'Email', '2026-03-01']);
  });

  it('custom: listed fields and meta fields in order, output labels, then the label transform', () => {
    const columns = outputColumns(email, {
      columns: [
        { field: 'Channel', label: 'channel name' },
        { field: 'Source' },
        { meta: 'Submitter Email', label: 'by' },
        { meta: 'Template Name' },
        { meta: 'Empty', label: 'notes' },
        { meta: 'Created Date' },
      ],
      labelTransform: 'spacesToUnderscores',
    });
    expect(columns.map((c) => c.label)).toEqual([
      'channel_name',
      'Source',
      'by',
      'Template_Name',
      'notes',
      'Created_Date',
    ]);
    expect(rowCells(columns, values, submission)).toEqual([
      'Email',
      'US',
      'uma@example.com',
      'Email',
      '',
      '2026-11-28T05:59:59.000Z',
    ]);
  });

  it('projects stored rows by field position, rows of different files included; a field a row lacks is empty', () => {
    const project = rowProjector(outputColumns(email, { columns: 'default' }), submission);
    expect(
      project({ fields: ['Channel', 'Campaign Name', 'Launch_Date'], values: ['Email', 'Spring', '2026-03-01'] }),
    ).toEqual(['Spring', 'Email', '2026-03-01']);
    // Rows stored before the template gained a field.
    expect(project({ fields: ['Campaign Name', 'Channel'], values: ['Autumn', 'Social'] })).toEqual([
      'Autumn',
      'Social',
      '',
    ]);
  });

  it('transforms every label: underscores to spaces, lowercase, uppercase', () => {
    expect(
      outputColumns(email, { columns: 'default', labelTransform: 'underscoresToSpaces' }).map((c) => c.label),
    ).toEqual(['Campaign Name', 'Channel', 'Launch Date']);
    expect(outputColumns(email, { columns: 'default', labelTransform: 'lowercase' }).map((c) => c.label)).toEqual([
      'campaign name',
      'channel',
      'launch_date',
    ]);
    expect(outputColumns(email, { columns: 'default', labelTransform: 'uppercase' }).map((c) => c.label)).toEqual([
      'CAMPAIGN NAME',
      'CHANNEL',
      'LAUNCH_DATE',
    ]);
  });
});
