/** A sample submission of one row, for previews before any file was dropped (CLI and web UI). */
import type { Submission } from '../submissions/index.ts';
import { formatDate, type Field, type Template } from '../templates/index.ts';
import type { FieldValues } from './columns.ts';

function sampleValue(field: Field, now: Date): string {
  switch (field.type) {
    case 'picklist':
      return field.values[0] ?? '';
    case 'constant':
      return field.value;
    case 'date':
      return formatDate(
        { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() },
        field.format,
      );
    default:
      return `<${field.name}>`;
  }
}

export function sampleSubmission(template: Template, now: Date): { submission: Submission; rows: FieldValues[] } {
  const at = now.toISOString();
  return {
    submission: {
      id: 'sample',
      template: template.name,
      integration: 'sample',
      name: `${template.name}.csv`,
      status: 'complete',
      source: { bucket: '', key: '', etag: '', size: 0 },
      submittedBy: 'Sample User',
      submittedByEmail: 'sample@example.com',
      submittedAt: at,
      counts: { rows: 1, accepted: 1, rejected: 0 },
      issues: [],
      issuesNotKept: 0,
      createdAt: at,
      updatedAt: at,
    },
    rows: [{ fields: template.fields.map((f) => f.name), values: template.fields.map((f) => sampleValue(f, now)) }],
  };
}
