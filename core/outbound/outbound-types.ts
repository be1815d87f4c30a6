/** Outbound integrations, as declared on a template in the workspace (docs/outbound.md). */
import type { IntegrationConnection } from '../s3/index.ts';
import type { FileType, PathMode } from './object-key.ts';
import type { Delimiter } from './render.ts';

export const META_FIELDS = [
  'Template Name',
  'Submitter Name',
  'Submitter Email',
  'Created Date',
  'Updated Date',
  'Empty',
] as const;
export type MetaField = (typeof META_FIELDS)[number];

/** The product's "Transform menu": update all output labels. */
export const LABEL_TRANSFORMS = ['spacesToUnderscores', 'underscoresToSpaces', 'lowercase', 'uppercase'] as const;
export type LabelTransform = (typeof LABEL_TRANSFORMS)[number];

export type ColumnSpec = { field: string; label?: string } | { meta: MetaField; label?: string };

export interface OutboundIntegration extends IntegrationConnection {
  /** SSE-S3: sends `x-amz-server-side-encryption: AES256`. @default false */
  sse: boolean;
  /** @default "{{template_name}}{{submitted_at}}" */
  filename: string;
  /** @default "flatten" */
  pathMode: PathMode;
  /** @default "csv" */
  fileType: FileType;
  /** @default "comma" */
  delimiter: Delimiter;
  /** @default false */
  summaryHeader: boolean;
  /** CSV: cells that a spreadsheet would run as formulas get a leading `'` (docs/outbound.md). @default true */
  escapeFormulas: boolean;
  /** `default`: visible fields in schema order; else the listed fields and meta fields, in order. */
  columns: 'default' | ColumnSpec[];
  labelTransform?: LabelTransform;
}
