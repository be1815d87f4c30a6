/**
 * The object key of an outbound file, from the integration's filename with dynamic values
 * (docs/outbound.md, "Keys"). Submitted At renders as YYYY-MM-DD_HH-MM-SS in UTC, the
 * stated format (the article's example with colons contradicts it). In `flatten` mode every slash
 * becomes an underscore, as the article's example shows (`inbox_us_claravine_...`); in `folders` mode
 * the filename's own slashes make folders. A slash inside a dynamic value never makes a folder.
 */
export const DEFAULT_FILENAME = '{{template_name}}{{submitted_at}}';
export const OUTBOUND_DYNAMIC_VALUES = ['template_name', 'submitted_at', 'submitted_by', 'submission_name'] as const;
export type OutboundDynamicValue = (typeof OUTBOUND_DYNAMIC_VALUES)[number];
/** What a slash in the filename does: `flatten` makes it `_`, `folders` keeps it (docs/outbound.md). */
export const PATH_MODES = ['flatten', 'folders'] as const;
export type PathMode = (typeof PATH_MODES)[number];
import type { FileType } from './file-formats.ts';

export type { FileType };

/** S3's limit. @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html */
export const MAX_KEY_BYTES = 1024;
const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

export interface KeyValues {
  templateName: string;
  submittedAt: Date;
  submittedBy: string;
  submissionName: string;
}

/** `YYYY-MM-DD_HH-MM-SS`, UTC. */
export function formatSubmittedAt(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', '_').replace(/:/g, '-');
}

export function unknownOutboundPlaceholders(filename: string): string[] {
  return [...filename.matchAll(PLACEHOLDER)]
    .map((m) => m[1]!)
    .filter((n) => !(OUTBOUND_DYNAMIC_VALUES as readonly string[]).includes(n));
}

/** Cuts text to at most `bytes` bytes of UTF-8 without splitting a character. */
function cutToBytes(text: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out;
}

export function renderObjectKey(
  filename: string,
  values: KeyValues,
  options: { pathMode: PathMode; fileType: FileType },
): string {
  const valueOf: Record<OutboundDynamicValue, string> = {
    template_name: values.templateName,
    submitted_at: formatSubmittedAt(values.submittedAt),
    submitted_by: values.submittedBy,
    submission_name: values.submissionName,
  };
  // Values are substituted with their slashes made underscores, so only the filename's own slashes remain.
  const substituted = filename.replace(PLACEHOLDER, (whole, name: string) =>
    name in valueOf ? valueOf[name as OutboundDynamicValue].replace(/\//g, '_') : whole,
  );
  const path =
    options.pathMode === 'flatten'
      ? substituted.replace(/\//g, '_')
      : substituted
          .split('/')
          .filter((segment) => segment !== '')
          .map((segment) => (segment === '.' || segment === '..' ? '_'.repeat(segment.length) : segment))
          .join('/');
  const extension = `.${options.fileType}`;
  const base = path.replace(/^\/+/, '') || values.templateName.replace(/\//g, '_') || 'export';
  const withoutExtension = base.toLowerCase().endsWith(extension) ? base.slice(0, -extension.length) : base;
  return `${cutToBytes(withoutExtension, MAX_KEY_BYTES - Buffer.byteLength(extension))}${extension}`;
}

/**
 * What every key of the integration's files starts with, whatever the dynamic values: the key up to its
 * first dynamic value, or the whole key when it has none (an IAM policy's `prefix*` resource). Found as
 * the common start of two keys whose dynamic values differ from their first character.
 */
export function staticKeyPrefix(
  filename: string,
  templateName: string,
  options: { pathMode: PathMode; fileType: FileType },
): { prefix: string; exact: boolean } {
  const one = renderObjectKey(
    filename,
    { templateName, submittedAt: new Date('1999-01-01T00:00:00Z'), submittedBy: 'a', submissionName: 'a' },
    options,
  );
  const other = renderObjectKey(
    filename,
    { templateName, submittedAt: new Date('2000-02-02T00:00:00Z'), submittedBy: 'b', submissionName: 'b' },
    options,
  );
  if (one === other) return { prefix: one, exact: true };
  let length = 0;
  while (one[length] === other[length]) length++;
  return { prefix: one.slice(0, length), exact: false };
}
