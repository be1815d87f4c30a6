/** Templates, their governance, and the check of one row. */
export type * from './template-types.ts';
export { templateFileColumns, isInputField, INPUT_FIELD_TYPES } from './template-types.ts';
export { parseTemplate, fieldDependencies, TEMPLATE_KEYS } from './parse-templates.ts';
export { planRows, checkRow, type RowPlan, type RowResult, type CellIssue } from './row-checker.ts';
export type { DerivationContext, RuleIssue } from './governance/types.ts';
export { parseDate, formatDate } from './date-format.ts';
