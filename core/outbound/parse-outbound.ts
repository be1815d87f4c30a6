/** Validates a template's outbound integrations. */
import {
  CONNECTION_FIELDS,
  readAccountName,
  readBucketMode,
  readBucketName,
  readRegion,
  type Account,
  type FormFieldKind,
} from '../s3/index.ts';
import { describeType, type InputIssue } from '../shared/issues.ts';
import {
  readBoolean,
  readObjectList,
  readOneOf,
  readString,
  unknownKeys,
  type JsonObject,
} from '../shared/read-fields.ts';
import type { Template } from '../templates/index.ts';
import { FILE_TYPES } from './file-formats.ts';
import { DEFAULT_FILENAME, PATH_MODES, unknownOutboundPlaceholders, type FileType } from './object-key.ts';
import {
  LABEL_TRANSFORMS,
  META_FIELDS,
  type ColumnSpec,
  type LabelTransform,
  type MetaField,
  type OutboundIntegration,
} from './outbound-types.ts';
import { DELIMITERS, type Delimiter } from './render.ts';

/** Every key of an outbound integration, and how a form carries it (the web UI's integration editor reads this table). */
export const OUTBOUND_FIELDS = {
  ...CONNECTION_FIELDS,
  sse: 'checkbox',
  filename: 'text',
  pathMode: 'text',
  fileType: 'text',
  delimiter: 'text',
  summaryHeader: 'checkbox',
  escapeFormulas: 'checkbox',
  columns: 'structured',
  labelTransform: 'text',
} as const satisfies Record<string, FormFieldKind>;
const OUTBOUND_KEYS = Object.keys(OUTBOUND_FIELDS);

function parseColumns(value: unknown, at: string, template: Template, issues: InputIssue[]): 'default' | ColumnSpec[] {
  if (value === undefined || value === 'default') return 'default';
  const fields = new Set(template.fields.map((f) => f.name));
  if (Array.isArray(value) && value.length === 0) {
    issues.push({
      path: `${at}.columns`,
      message: 'a custom column list needs at least one column (or "default" for the default summary)',
    });
  }
  return readObjectList(
    value,
    `${at}.columns`,
    { item: 'column', example: '{"field": "Campaign Name", "label": "campaign"} or {"meta": "Submitter Email"}' },
    issues,
    (column, path): ColumnSpec | undefined => {
      unknownKeys(column, ['field', 'meta', 'label'], path, issues);
      const label = readString(column, 'label', path, issues);
      if ('field' in column === 'meta' in column) {
        issues.push({ path, message: 'a column names either a "field" or a "meta" field' });
        return undefined;
      }
      if ('field' in column) {
        const field = readString(column, 'field', path, issues, { required: true }) ?? '';
        if (field && !fields.has(field))
          issues.push({
            path,
            message: `"field" names "${field}", which is not a field of template "${template.name}"`,
          });
        return { field, ...(label !== undefined ? { label } : {}) };
      }
      const meta = column.meta;
      if (typeof meta !== 'string' || !(META_FIELDS as readonly string[]).includes(meta)) {
        issues.push({
          path,
          message: `"meta" must be one of ${META_FIELDS.map((m) => `"${m}"`).join(', ')}, got ${describeType(meta)}`,
        });
        return undefined;
      }
      return { meta: meta as MetaField, ...(label !== undefined ? { label } : {}) };
    },
  );
}

export function parseOutbound(
  raw: JsonObject,
  path: string,
  template: Template,
  defaults: { region: string },
  accounts: readonly Account[],
  issues: InputIssue[],
): OutboundIntegration[] {
  return readObjectList(
    raw.outbound,
    `${path}.outbound`,
    { item: 'outbound integration', example: '{"account": "acme-aws", "bucket": "acme-exports"}' },
    issues,
    (item, at): OutboundIntegration => {
      unknownKeys(item, OUTBOUND_KEYS, at, issues);
      const account = readAccountName(item, at, accounts, issues);
      const bucket = readBucketName(item, at, issues);
      const filename = readString(item, 'filename', at, issues) ?? DEFAULT_FILENAME;
      for (const name of unknownOutboundPlaceholders(filename)) {
        issues.push({
          path: at,
          message: `"filename" uses {{${name}}}; the dynamic values are {{template_name}}, {{submitted_at}}, {{submitted_by}}, {{submission_name}}`,
        });
      }
      if (filename.startsWith('/'))
        issues.push({
          path: at,
          message: '"filename" must not start with "/" (the product: "enter the file path with no leading slash")',
        });
      const fileType = readOneOf<FileType>(item, 'fileType', FILE_TYPES, 'csv', at, issues);
      const columns = parseColumns(item.columns, at, template, issues);
      const labelTransform =
        item.labelTransform === undefined
          ? undefined
          : readOneOf<LabelTransform>(item, 'labelTransform', LABEL_TRANSFORMS, 'lowercase', at, issues);
      return {
        name: readString(item, 'name', at, issues) ?? template.name,
        template: template.name,
        account,
        bucket,
        filename,
        fileType,
        columns,
        region: readRegion(item, at, defaults.region, issues),
        bucketMode: readBucketMode(item, at, issues),
        sse: readBoolean(item, 'sse', at, issues, false),
        pathMode: readOneOf(item, 'pathMode', PATH_MODES, 'flatten', at, issues),
        delimiter: readOneOf<Delimiter>(item, 'delimiter', Object.keys(DELIMITERS) as Delimiter[], 'comma', at, issues),
        summaryHeader: readBoolean(item, 'summaryHeader', at, issues, false),
        escapeFormulas: readBoolean(item, 'escapeFormulas', at, issues, true),
        ...(labelTransform ? { labelTransform } : {}),
      };
    },
  );
}
