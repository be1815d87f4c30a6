/** Template files: strict UTF-8, RFC 4180 records, and the streaming check of a whole file. */
export {
  validateTemplateFile,
  MAX_TEMPLATE_ROWS,
  MAX_KEPT_ISSUES,
  type FileIssue,
  type AcceptedRow,
  type RejectedRow,
  type FileValidationOptions,
  type FileValidationResult,
} from './validate-template-file.ts';
export { Utf8StreamDecoder, Utf8Error } from './utf8-decoder.ts';
export { csvRecords } from './csv-records.ts';
