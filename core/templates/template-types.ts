/**
 * Templates: named schemas of fields with governance rules, as the product article describes its
 * field types. Documented key by key in docs/templates.md.
 */

export interface TextTransform {
  /** Upper- or lower-cases the value. */
  case?: 'upper' | 'lower';
  /** Removes spaces, or replaces each space with a string. */
  spaces?: 'remove' | { replaceWith: string };
}

interface FieldBase {
  name: string;
  /** An empty value is an error (for derived fields: an empty result is). */
  required: boolean;
  description?: string;
  /** Drives the outbound default columns. @default true */
  visible: boolean;
}

export interface TextField extends FieldBase {
  type: 'text';
  /** 0 = optional length. */
  minLength?: number;
  maxLength?: number;
  noSpaces: boolean;
  /** A regular expression the whole value must match (JavaScript syntax, anchored by the author). */
  pattern?: string;
  /** What a person should be told when the pattern fails. */
  patternMessage?: string;
  /** Applied to the value before the checks. */
  transform?: TextTransform;
}

export interface PicklistField extends FieldBase {
  type: 'picklist';
  /** Matched with exact case, as the product does. */
  values: string[];
  multiple: boolean;
  /** Separates the values of a multi-select cell. @default "|" */
  delimiter: string;
}

/** Filled from another field's value through a map; an imported value that conflicts is an error. */
export interface DependentField extends FieldBase {
  type: 'dependent';
  source: string;
  map: Record<string, string>;
}

/** One level of a drill-down list: the value must be a child of the parent level's value. */
export interface DrilldownField extends FieldBase {
  type: 'drilldown';
  parent: string;
  options: Record<string, string[]>;
}

export interface DateField extends FieldBase {
  type: 'date';
  /** Accepted input formats, tried in order (tokens YYYY YY MM M DD D MMM). */
  inputFormats: string[];
  /** The stored format. */
  format: string;
}

export interface ConstantField extends FieldBase {
  type: 'constant';
  value: string;
}

export interface AutofillField extends FieldBase {
  type: 'autofill';
  source: string;
  transform?: TextTransform;
}

export interface ConcatenationField extends FieldBase {
  type: 'concatenation';
  fields: string[];
  separator: string;
}

export interface AutonumberField extends FieldBase {
  type: 'autonumber';
  start: number;
  /** Zero-padded to this width; grows past it (999 -> 1000). */
  width: number;
}

export type PatternPart =
  | { constant: string }
  | { field: string }
  | { autonumber: { start: number; width: number } }
  | { date: string }
  | { random: { length: number; characters: ('upper' | 'lower' | 'digits')[] } }
  | { delimiter: string };

/** A key or tracking code built from parts. */
export interface PatternField extends FieldBase {
  type: 'pattern';
  parts: PatternPart[];
}

export type InputField = TextField | PicklistField | DependentField | DrilldownField | DateField;
export type DerivedField = ConstantField | AutofillField | ConcatenationField | AutonumberField | PatternField;
export type Field = InputField | DerivedField;
export type FieldType = Field['type'];

export const INPUT_FIELD_TYPES: readonly FieldType[] = ['text', 'picklist', 'dependent', 'drilldown', 'date'];

export function isInputField(field: Field): field is InputField {
  return INPUT_FIELD_TYPES.includes(field.type);
}

export interface Template {
  name: string;
  description?: string;
  fields: Field[];
  /** Fields whose values together identify a dataset row; a matching row is updated. */
  updateKeys: string[];
  /** The product's "Automatically Submit Inbound Data": split clean and bad rows. @default false */
  autoSubmit: boolean;
}

/** The header of the template file: user-input fields, in schema order. */
export function templateFileColumns(template: Template): string[] {
  return template.fields.filter(isInputField).map((f) => f.name);
}
