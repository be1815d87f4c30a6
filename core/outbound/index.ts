/** Outbound files: keys, columns, rendering and delivery. */
export {
  renderObjectKey,
  staticKeyPrefix,
  formatSubmittedAt,
  unknownOutboundPlaceholders,
  DEFAULT_FILENAME,
  OUTBOUND_DYNAMIC_VALUES,
  MAX_KEY_BYTES,
  PATH_MODES,
  type KeyValues,
  type PathMode,
  type FileType,
} from './object-key.ts';
export { renderCsv, renderJson, DELIMITERS, type Delimiter, type OutputTable, type SummaryHeader } from './render.ts';
export { OUTBOUND_FIELDS, parseOutbound } from './parse-outbound.ts';
export {
  META_FIELDS,
  LABEL_TRANSFORMS,
  type OutboundIntegration,
  type ColumnSpec,
  type MetaField,
  type LabelTransform,
} from './outbound-types.ts';
export { outputColumns, rowCells, rowProjector, type OutputColumn, type FieldValues } from './columns.ts';
export { renderXlsx } from './render-xlsx.ts';
// Its reader, independent of exceljs: what the S3 browser and the scenario steps read an XLSX with.
export { readXlsx } from './read-xlsx.ts';
export { previewOutbound, outputTable, objectKeyFor, type OutboundPreview, type StoredRows } from './preview.ts';
export {
  createDeliverer,
  queuedDeliveries,
  renderOutboundFile,
  summaryTargets,
  type Deliverer,
  type DelivererOptions,
  type DeliveryRef,
  type DeliveryStore,
  type OutboundTemplate,
  type RetryCheck,
} from './delivery.ts';
export { checkOutbound, type OutboundStatus } from './outbound-check.ts';
export { sampleSubmission } from './sample.ts';
export {
  FILE_FORMATS,
  FILE_TYPES,
  fileFormat,
  formatOfKey,
  type FileFormat,
  type ReadTable,
  type RenderSettings,
} from './file-formats.ts';
