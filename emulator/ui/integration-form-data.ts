/**
 * The integration editor's data (docs/web-ui.md): a posted form as an integration's JSON, and where an
 * integration is in the workspace's JSON, as the edit that adds, replaces or removes it.
 */
import type { Context } from 'hono';
import { OUTBOUND_FIELDS } from '../../core/outbound/index.ts';
import { INBOUND_FIELDS } from '../../core/inbound/index.ts';
import { dictionary } from '../../core/shared/dictionary.ts';
import type { PathSegment, WorkspaceEdit } from '../../core/workspace/index.ts';
import type { WorkspaceJson } from '../workspace-editor.ts';

export type Direction = 'inbound' | 'outbound';
export type Item = Record<string, unknown>;
export type Form = Record<string, string>;

const templatesOf = (json: WorkspaceJson) => (Array.isArray(json.templates) ? json.templates : []) as Item[];
const itemsOf = (template: Item, direction: Direction) =>
  (Array.isArray(template[direction]) ? template[direction] : []) as Item[];

/** The form's fields as an integration's JSON: empty fields are left out, so the defaults apply. */
export function fromForm(direction: Direction, form: Form): Item {
  const item: Item = {};
  // The keys come from core's tables (parse-inbound.ts, parse-outbound.ts): a new key is one entry there.
  const fields: Record<string, string> = direction === 'inbound' ? INBOUND_FIELDS : OUTBOUND_FIELDS;
  for (const [key, kind] of Object.entries(fields)) {
    if (kind === 'checkbox') item[key] = form[key] === 'on';
    else if (kind === 'number' && form[key]) item[key] = Number(form[key]);
    else if (kind === 'text' && form[key]) item[key] = form[key];
  }
  // An empty prefix is a choice (the whole bucket), not a field left out.
  if (direction === 'inbound' && form.prefix === '') item.prefix = '';
  if (direction === 'outbound' && form.columnsMode === 'custom') item.columns = customColumns(form);
  return item;
}

export async function formOf(c: Context): Promise<Form> {
  const body = await c.req.parseBody();
  return dictionary(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : ''] as const));
}

/**
 * The product's "Custom" file configuration: include or exclude each field and meta field, give it an
 * output label, and order them. Each row posts `col_<i>_source`, `col_<i>_include`, `col_<i>_label`, `col_<i>_order`.
 */
function customColumns(form: Form): Item[] {
  const rows: { order: number; index: number; column: Item }[] = [];
  for (let i = 0; form[`col_${i}_source`] !== undefined; i++) {
    if (form[`col_${i}_include`] !== 'on') continue;
    const [kind, ...rest] = form[`col_${i}_source`]!.split(':');
    const label = (form[`col_${i}_label`] ?? '').trim();
    const column: Item = kind === 'meta' ? { meta: rest.join(':') } : { field: rest.join(':') };
    if (label) column.label = label;
    const order = Number(form[`col_${i}_order`]);
    rows.push({ order: Number.isFinite(order) ? order : i + 1, index: i, column });
  }
  return rows.sort((a, b) => a.order - b.order || a.index - b.index).map((r) => r.column);
}

/** Where the template and the item are in the workspace's JSON, or why not. */
export function locate(
  json: WorkspaceJson,
  templateName: string,
  direction: Direction,
  index: string,
): { template: Item; items: Item[]; index: number | 'new' } | undefined {
  const template = templatesOf(json).find((t) => t.name === templateName);
  if (!template) return undefined;
  const items = itemsOf(template, direction);
  if (index === 'new') return { template, items, index: 'new' };
  const n = Number(index);
  return Number.isInteger(n) && n >= 0 && n < items.length ? { template, items, index: n } : undefined;
}

/** The edit that adds (`new`), replaces or (no item) removes an integration. */
export function put(
  templateName: string,
  direction: Direction,
  index: number | 'new',
  item: Item | undefined,
): WorkspaceEdit {
  const path: PathSegment[] = [
    { key: 'templates' },
    { name: templateName },
    { key: direction },
    index === 'new' ? { append: true } : { index },
  ];
  return item === undefined ? { path, remove: true } : { path, value: item };
}
