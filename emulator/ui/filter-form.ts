/**
 * The filters above a log's table (Activity, Decisions): text fields and one choice, sent by GET so
 * that a filtered view is a link; and the table's header row.
 */
import { html, type Html } from './html.ts';

export interface FilterFormOptions {
  action: string;
  /** Text fields: name, label, value now. */
  fields: readonly { name: string; label: string; value: string | undefined }[];
  /** One choice; its first option should be the empty value (all). */
  choice: {
    name: string;
    label: string;
    value: string | undefined;
    options: readonly (readonly [value: string, label: string])[];
  };
}

export function filterForm({ action, fields, choice }: FilterFormOptions): Html {
  const option = ([value, label]: readonly [string, string]) =>
    html`<option value="${value}"${(choice.value ?? '') === value ? html` selected` : ''}>${label}</option>`;
  return html`<form class="panel inline" method="get" action="${action}">
    ${fields.map((f) => html`<label>${f.label} <input name="${f.name}" value="${f.value ?? ''}" /></label>`)}
    <label>${choice.label} <select name="${choice.name}">${choice.options.map(option)}</select></label>
    <button>Show</button>
  </form>`;
}

export function tableHead(columns: readonly string[]): Html {
  return html`<thead>
    <tr>
      ${columns.map((column) => html`<th>${column}</th>`)}
    </tr>
  </thead>`;
}
