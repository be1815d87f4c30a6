/**
 * Checks one row of a template file: input fields by column position, then derived fields in
 * dependency order. Derived fields (and their counters) are computed only for rows whose input is
 * valid, so a rejected row never consumes an autonumber.
 */
import { checkDate } from './governance/date.ts';
import { checkDependent } from './governance/dependent.ts';
import { deriveField } from './governance/derived.ts';
import { checkDrilldown } from './governance/drilldown.ts';
import { checkPicklist } from './governance/picklist.ts';
import { checkText } from './governance/text.ts';
import type { DerivationContext, FieldOutcome, RowValues } from './governance/types.ts';
import { fieldDependencies } from './parse-templates.ts';
import { isInputField, templateFileColumns, type Field, type InputField, type Template } from './template-types.ts';

export interface CellIssue {
  column: string;
  value: string;
  rule: string;
  message: string;
}

export interface RowResult {
  /** Every field's stored value, by field name (derived ones only when the row is valid). */
  values: Map<string, string>;
  issues: CellIssue[];
}

export interface RowPlan {
  template: Template;
  /** The template file's header: input fields in schema order. */
  columns: string[];
  /** Every field, each after the fields it reads. */
  order: Field[];
  /** Position of each input field's cell in a row. */
  columnIndex: ReadonlyMap<string, number>;
}

export function planRows(template: Template): RowPlan {
  const byName = new Map(template.fields.map((f) => [f.name, f]));
  const order: Field[] = [];
  const placed = new Set<string>();
  const place = (field: Field) => {
    if (placed.has(field.name)) return;
    placed.add(field.name); // cycles were refused when the workspace loaded
    for (const dependency of fieldDependencies(field)) {
      const d = byName.get(dependency);
      if (d) place(d);
    }
    order.push(field);
  };
  for (const field of template.fields) place(field);
  const columns = templateFileColumns(template);
  return { template, columns, order, columnIndex: new Map(columns.map((c, i) => [c, i])) };
}

function checkInput(field: InputField, value: string, row: RowValues): FieldOutcome {
  switch (field.type) {
    case 'text':
      return checkText(value, field);
    case 'picklist':
      return checkPicklist(value, field);
    case 'dependent':
      return checkDependent(value, field, row);
    case 'drilldown':
      return checkDrilldown(value, field, row);
    case 'date':
      return checkDate(value, field);
  }
}

/** `cells` are in the order of `plan.columns`. */
export function checkRow(plan: RowPlan, cells: readonly string[], ctx: DerivationContext): RowResult {
  const values = new Map<string, string>();
  const issues: CellIssue[] = [];
  for (const field of plan.order) {
    if (!isInputField(field)) continue;
    const cell = cells[plan.columnIndex.get(field.name)!] ?? '';
    const outcome = checkInput(field, cell, values);
    values.set(field.name, outcome.value);
    for (const issue of outcome.issues) issues.push({ column: field.name, value: cell, ...issue });
  }
  if (issues.length > 0) return { values, issues };
  for (const field of plan.order) {
    if (isInputField(field)) continue;
    const outcome = deriveField(field, values, ctx);
    values.set(field.name, outcome.value);
    for (const issue of outcome.issues) issues.push({ column: field.name, value: outcome.value, ...issue });
  }
  return { values, issues };
}
