/**
 * Validates the `templates` of a workspace: every key of every field, references between fields,
 * and derivation cycles, each problem named by its path.
 */
import { describeType, isRecord, type InputIssue } from '../shared/issues.ts';
import {
  readBoolean,
  readInteger,
  readList,
  readString,
  readStringList,
  unknownKeys,
  type JsonObject,
} from '../shared/read-fields.ts';
import { formatProblem } from './date-format.ts';
import {
  isInputField,
  type Field,
  type FieldType,
  type PatternPart,
  type Template,
  type TextTransform,
} from './template-types.ts';

const COMMON_KEYS = ['name', 'type', 'required', 'description', 'visible'];
/** The product's random pattern part: 6 to 99 characters. */
const RANDOM_LENGTH = { min: 6, max: 99 };

export const TEMPLATE_KEYS = ['name', 'description', 'fields', 'updateKeys', 'autoSubmit'];

function readTransform(value: JsonObject, key: string, path: string, issues: InputIssue[]): TextTransform | undefined {
  const t = value[key];
  if (t === undefined) return undefined;
  if (!isRecord(t)) {
    issues.push({
      path,
      message: `"${key}" must be an object such as {"case": "upper", "spaces": "remove"}, got ${describeType(t)}`,
    });
    return undefined;
  }
  unknownKeys(t, ['case', 'spaces'], `${path}.${key}`, issues);
  const transform: TextTransform = {};
  if (t.case !== undefined) {
    if (t.case === 'upper' || t.case === 'lower') transform.case = t.case;
    else
      issues.push({
        path: `${path}.${key}`,
        message: `"case" must be "upper" or "lower", got ${describeType(t.case)}`,
      });
  }
  if (t.spaces !== undefined) {
    if (t.spaces === 'remove') transform.spaces = 'remove';
    else if (isRecord(t.spaces) && typeof t.spaces.replaceWith === 'string')
      transform.spaces = { replaceWith: t.spaces.replaceWith };
    else
      issues.push({
        path: `${path}.${key}`,
        message: `"spaces" must be "remove" or {"replaceWith": "_"}, got ${describeType(t.spaces)}`,
      });
  }
  return transform;
}

function readStringMap(
  value: JsonObject,
  key: string,
  path: string,
  issues: InputIssue[],
  item: 'string' | 'list',
): Record<string, never> | Record<string, string | string[]> {
  const m = value[key];
  const ok =
    isRecord(m) &&
    Object.values(m).every((v) =>
      item === 'string' ? typeof v === 'string' : Array.isArray(v) && v.every((x) => typeof x === 'string'),
    );
  if (!ok) {
    issues.push({
      path,
      message: `"${key}" must be an object mapping each value to ${item === 'string' ? 'a string' : 'a list of strings'}, got ${m === undefined ? 'nothing' : describeType(m)}`,
    });
    return {};
  }
  return m as Record<string, string | string[]>;
}

function parsePatternParts(value: JsonObject, path: string, issues: InputIssue[]): PatternPart[] {
  const parts = readList(value, 'parts', path, issues);
  if (parts.length === 0) issues.push({ path, message: '"parts" must list at least one part' });
  return parts.flatMap((part, i): PatternPart[] => {
    const at = `${path}.parts[${i}]`;
    const keys = isRecord(part) ? Object.keys(part) : [];
    if (!isRecord(part) || keys.length !== 1) {
      issues.push({
        path: at,
        message: 'a part must be an object with exactly one of constant, field, autonumber, date, random, delimiter',
      });
      return [];
    }
    const [kind] = keys as [string];
    const v = part[kind];
    switch (kind) {
      case 'constant':
      case 'field':
      case 'delimiter':
      case 'date':
        if (typeof v !== 'string' || (kind !== 'constant' && kind !== 'delimiter' && v === '')) {
          issues.push({ path: at, message: `"${kind}" must be a string, got ${describeType(v)}` });
          return [];
        }
        if (kind === 'date' && formatProblem(v))
          issues.push({ path: at, message: `"date" ${formatProblem(v)}, got ${JSON.stringify(v)}` });
        return [{ [kind]: v } as PatternPart];
      case 'autonumber': {
        if (!isRecord(v)) {
          issues.push({ path: at, message: '"autonumber" must be an object such as {"start": 1, "width": 4}' });
          return [];
        }
        return [
          {
            autonumber: {
              start: readInteger(v, 'start', at, issues, { min: 0 }) ?? 1,
              width: readInteger(v, 'width', at, issues, { min: 1, max: 20 }) ?? 1,
            },
          },
        ];
      }
      case 'random': {
        if (!isRecord(v)) {
          issues.push({
            path: at,
            message: '"random" must be an object such as {"length": 8, "characters": ["upper", "digits"]}',
          });
          return [];
        }
        const length = readInteger(v, 'length', at, issues, RANDOM_LENGTH) ?? RANDOM_LENGTH.min;
        const characters = readStringList(v, 'characters', at, issues, { required: true, minItems: 1 });
        const bad = characters.filter((c) => !['upper', 'lower', 'digits'].includes(c));
        if (bad.length)
          issues.push({
            path: at,
            message: `"characters" may hold "upper", "lower" and "digits", got ${JSON.stringify(bad)}`,
          });
        return [{ random: { length, characters: characters as ('upper' | 'lower' | 'digits')[] } }];
      }
      default:
        issues.push({
          path: at,
          message: `unknown part "${kind}" (expected constant, field, autonumber, date, random, delimiter)`,
        });
        return [];
    }
  });
}

/** What a field of type T holds beyond the keys every field has. */
type TypeSpecific<T extends FieldType> = Omit<
  Extract<Field, { type: T }>,
  'type' | 'name' | 'required' | 'visible' | 'description'
>;

type Reader<T extends FieldType> = (raw: JsonObject, path: string, issues: InputIssue[]) => TypeSpecific<T>;

function readTextField(raw: JsonObject, path: string, issues: InputIssue[]): TypeSpecific<'text'> {
  const minLength = readInteger(raw, 'minLength', path, issues, { min: 0 });
  const maxLength = readInteger(raw, 'maxLength', path, issues, { min: 1 });
  if (minLength !== undefined && maxLength !== undefined && minLength > maxLength)
    issues.push({ path, message: `"minLength" (${minLength}) must not exceed "maxLength" (${maxLength})` });
  const pattern = readString(raw, 'pattern', path, issues);
  if (pattern !== undefined) {
    try {
      new RegExp(pattern, 'u');
    } catch (error) {
      issues.push({ path, message: `"pattern" is not a valid regular expression: ${(error as Error).message}` });
    }
  }
  const patternMessage = readString(raw, 'patternMessage', path, issues);
  const transform = readTransform(raw, 'transform', path, issues);
  return {
    noSpaces: readBoolean(raw, 'noSpaces', path, issues, false),
    ...(minLength !== undefined ? { minLength } : {}),
    ...(maxLength !== undefined ? { maxLength } : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    ...(patternMessage !== undefined ? { patternMessage } : {}),
    ...(transform ? { transform } : {}),
  };
}

function readPicklistField(raw: JsonObject, path: string, issues: InputIssue[]): TypeSpecific<'picklist'> {
  const values = readStringList(raw, 'values', path, issues, { required: true, minItems: 1, unique: true });
  const multiple = readBoolean(raw, 'multiple', path, issues, false);
  const delimiter = readString(raw, 'delimiter', path, issues) ?? '|';
  if (multiple) {
    for (const v of values.filter((v) => v.includes(delimiter)))
      issues.push({ path, message: `value ${JSON.stringify(v)} contains the delimiter ${JSON.stringify(delimiter)}` });
  }
  return { values, multiple, delimiter };
}

function readDateField(raw: JsonObject, path: string, issues: InputIssue[]): TypeSpecific<'date'> {
  const inputFormats = readStringList(raw, 'inputFormats', path, issues, { required: true, minItems: 1 });
  const format = readString(raw, 'format', path, issues, { required: true }) ?? 'YYYY-MM-DD';
  for (const f of [...inputFormats, format]) {
    const problem = formatProblem(f);
    if (problem) issues.push({ path, message: `date format ${JSON.stringify(f)} ${problem}` });
  }
  return { inputFormats, format };
}

/**
 * Each field type: the keys it may have beyond the common ones, and how they are read (docs/templates.md).
 * A new field type is one entry here (the mapped type makes a missing one a compile error).
 */
const FIELD_READERS: { [T in FieldType]: { keys: readonly string[]; read: Reader<T> } } = {
  text: {
    keys: ['minLength', 'maxLength', 'noSpaces', 'pattern', 'patternMessage', 'transform'],
    read: readTextField,
  },
  picklist: { keys: ['values', 'multiple', 'delimiter'], read: readPicklistField },
  dependent: {
    keys: ['source', 'map'],
    read: (raw, path, issues) => ({
      source: readString(raw, 'source', path, issues, { required: true }) ?? '',
      map: readStringMap(raw, 'map', path, issues, 'string') as Record<string, string>,
    }),
  },
  drilldown: {
    keys: ['parent', 'options'],
    read: (raw, path, issues) => ({
      parent: readString(raw, 'parent', path, issues, { required: true }) ?? '',
      options: readStringMap(raw, 'options', path, issues, 'list') as Record<string, string[]>,
    }),
  },
  date: { keys: ['inputFormats', 'format'], read: readDateField },
  constant: {
    keys: ['value'],
    read: (raw, path, issues) => ({
      value: readString(raw, 'value', path, issues, { required: true, allowEmpty: true }) ?? '',
    }),
  },
  autofill: {
    keys: ['source', 'transform'],
    read: (raw, path, issues) => {
      const transform = readTransform(raw, 'transform', path, issues);
      return {
        source: readString(raw, 'source', path, issues, { required: true }) ?? '',
        ...(transform ? { transform } : {}),
      };
    },
  },
  concatenation: {
    keys: ['fields', 'separator'],
    read: (raw, path, issues) => ({
      fields: readStringList(raw, 'fields', path, issues, { required: true, minItems: 2 }),
      separator: readString(raw, 'separator', path, issues, { allowEmpty: true }) ?? '',
    }),
  },
  autonumber: {
    keys: ['start', 'width'],
    read: (raw, path, issues) => ({
      start: readInteger(raw, 'start', path, issues, { min: 0 }) ?? 1,
      width: readInteger(raw, 'width', path, issues, { min: 1, max: 20 }) ?? 1,
    }),
  },
  pattern: { keys: ['parts'], read: (raw, path, issues) => ({ parts: parsePatternParts(raw, path, issues) }) },
};
const FIELD_TYPES = Object.keys(FIELD_READERS) as FieldType[];

function parseField(raw: unknown, path: string, issues: InputIssue[]): Field | undefined {
  if (!isRecord(raw)) {
    issues.push({
      path,
      message: `a field must be an object such as {"name": "Campaign Name", "type": "text"}, got ${describeType(raw)}`,
    });
    return undefined;
  }
  const name = readString(raw, 'name', path, issues, { required: true }) ?? '';
  const type = raw.type;
  if (typeof type !== 'string' || !FIELD_TYPES.includes(type as FieldType)) {
    issues.push({
      path,
      message: `"type" must be one of ${FIELD_TYPES.join(', ')}, got ${type === undefined ? 'nothing' : describeType(type)}`,
    });
    return undefined;
  }
  const fieldType = type as FieldType;
  const reader = FIELD_READERS[fieldType] as { keys: readonly string[]; read: Reader<FieldType> };
  unknownKeys(raw, [...COMMON_KEYS, ...reader.keys], path, issues);
  const base = {
    name,
    required: readBoolean(raw, 'required', path, issues, false),
    visible: readBoolean(raw, 'visible', path, issues, true),
    ...(readString(raw, 'description', path, issues, { allowEmpty: true }) !== undefined
      ? { description: raw.description as string }
      : {}),
  };
  // TypeScript cannot tie the reader's result to `fieldType`; the mapped type of FIELD_READERS does.
  return { ...base, type: fieldType, ...reader.read(raw, path, issues) } as Field;
}

/** The fields a field reads, for reference checks and the derivation order. */
export function fieldDependencies(field: Field): string[] {
  switch (field.type) {
    case 'dependent':
    case 'autofill':
      return [field.source];
    case 'drilldown':
      return [field.parent];
    case 'concatenation':
      return field.fields;
    case 'pattern':
      return field.parts.flatMap((p) => ('field' in p ? [p.field] : []));
    default:
      return [];
  }
}

/** `indexes[i]` is the position of `template.fields[i]` in the file (invalid fields were dropped). */
function checkReferences(template: Template, indexes: readonly number[], path: string, issues: InputIssue[]): void {
  const byName = new Map(template.fields.map((f) => [f.name, f]));
  template.fields.forEach((field, i) => {
    const at = `${path}.fields[${indexes[i]}]`;
    for (const dependency of fieldDependencies(field)) {
      if (dependency === field.name) issues.push({ path: at, message: `field "${field.name}" refers to itself` });
      else if (!byName.has(dependency))
        issues.push({
          path: at,
          message: `field "${field.name}" refers to "${dependency}", which is not a field of template "${template.name}"`,
        });
    }
    if (field.type === 'drilldown') {
      const parent = byName.get(field.parent);
      if (parent && parent.type !== 'picklist' && parent.type !== 'drilldown')
        issues.push({
          path: at,
          message: `drill-down "${field.name}" needs a picklist or drill-down parent, but "${field.parent}" is ${parent.type}`,
        });
    }
  });
  // Derived values are computed in dependency order; a cycle has no order.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string, trail: string[]): void => {
    if (done.has(name)) return;
    if (visiting.has(name)) {
      issues.push({ path, message: `fields depend on each other in a cycle: ${[...trail, name].join(' -> ')}` });
      return;
    }
    visiting.add(name);
    const field = byName.get(name);
    if (field && !isInputField(field))
      for (const d of fieldDependencies(field)) if (d !== name) visit(d, [...trail, name]);
    visiting.delete(name);
    done.add(name);
  };
  for (const field of template.fields) visit(field.name, []);
  for (const key of template.updateKeys) {
    if (!byName.has(key))
      issues.push({ path, message: `update key "${key}" is not a field of template "${template.name}"` });
  }
}

export function parseTemplate(
  raw: JsonObject,
  path: string,
  issues: InputIssue[],
  extraKeys: readonly string[] = [],
): Template {
  unknownKeys(raw, [...TEMPLATE_KEYS, ...extraKeys], path, issues);
  const name = readString(raw, 'name', path, issues, { required: true }) ?? '';
  const description = readString(raw, 'description', path, issues, { allowEmpty: true });
  const rawFields = readList(raw, 'fields', path, issues);
  if (rawFields.length === 0) issues.push({ path, message: '"fields" must list at least one field' });
  const parsed = rawFields.flatMap((f, index) => {
    const field = parseField(f, `${path}.fields[${index}]`, issues);
    return field ? [{ field, index }] : [];
  });
  const fields = parsed.map((p) => p.field);
  const indexes = parsed.map((p) => p.index);
  const names = new Set<string>();
  parsed.forEach(({ field, index }) => {
    if (names.has(field.name))
      issues.push({ path: `${path}.fields[${index}]`, message: `field name "${field.name}" is used twice` });
    names.add(field.name);
  });
  const template: Template = {
    name,
    fields,
    updateKeys: readStringList(raw, 'updateKeys', path, issues, { unique: true }),
    autoSubmit: readBoolean(raw, 'autoSubmit', path, issues, false),
    ...(description !== undefined ? { description } : {}),
  };
  checkReferences(template, indexes, path, issues);
  return template;
}
