/**
 * The columns of an outbound file (the product's "Default Summary" or "Custom" file configuration):
 * default is the template's schema order without fields marked not visible; custom lists fields and
 * meta fields in order with output labels; a label transform then applies to every label.
 */
import type { Submission } from '../submissions/index.ts';
import type { Template } from '../templates/index.ts';
import type { LabelTransform, MetaField, OutboundIntegration } from './outbound-types.ts';

export interface OutputColumn {
  label: string;
  source: { field: string } | { meta: MetaField };
}

function transformLabel(label: string, transform: LabelTransform | undefined): string {
  switch (transform) {
    case 'spacesToUnderscores':
      return label.replace(/ /g, '_');
    case 'underscoresToSpaces':
      return label.replace(/_/g, ' ');
    case 'lowercase':
      return label.toLowerCase();
    case 'uppercase':
      return label.toUpperCase();
    default:
      return label;
  }
}

export function outputColumns(
  template: Template,
  integration: Pick<OutboundIntegration, 'columns' | 'labelTransform'>,
): OutputColumn[] {
  const columns: OutputColumn[] =
    integration.columns === 'default'
      ? template.fields.filter((f) => f.visible).map((f) => ({ label: f.name, source: { field: f.name } }))
      : integration.columns.map((spec) =>
          'field' in spec
            ? { label: spec.label ?? spec.field, source: { field: spec.field } }
            : { label: spec.label ?? spec.meta, source: { meta: spec.meta } },
        );
  return columns.map((c) => ({ ...c, label: transformLabel(c.label, integration.labelTransform) }));
}

/** A stored row: its values in the order of `fields` (arrays rather than objects: an export reads a million). */
export interface FieldValues {
  fields: readonly string[];
  values: readonly string[];
}

function metaValue(meta: MetaField, submission: Submission): string {
  switch (meta) {
    case 'Template Name':
      return submission.template;
    case 'Submitter Name':
      return submission.submittedBy;
    case 'Submitter Email':
      return submission.submittedByEmail ?? '';
    case 'Created Date':
      return submission.createdAt;
    case 'Updated Date':
      return submission.updatedAt;
    case 'Empty':
      return '';
  }
}

/**
 * Turns stored rows into cells in column order. Where each column's value sits is worked out once
 * per `fields` array (rows of one file share it), not per row.
 */
export function rowProjector(columns: readonly OutputColumn[], submission: Submission): (row: FieldValues) => string[] {
  let fieldsSeen: readonly string[] | undefined;
  let sources: (number | string)[] = [];
  return ({ fields, values }) => {
    if (fields !== fieldsSeen) {
      fieldsSeen = fields;
      sources = columns.map(({ source }) =>
        'field' in source ? fields.indexOf(source.field) : metaValue(source.meta, submission),
      );
    }
    const cells = new Array<string>(sources.length);
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      cells[i] = typeof source === 'string' ? source : source < 0 ? '' : (values[source] ?? '');
    }
    return cells;
  };
}

/** The cells of one row given as field -> value, in column order. */
export function rowCells(
  columns: readonly OutputColumn[],
  values: Readonly<Record<string, string>>,
  submission: Submission,
): string[] {
  return rowProjector(columns, submission)({ fields: Object.keys(values), values: Object.values(values) });
}
