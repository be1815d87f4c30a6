/**
 * The keys every integration has, inbound or outbound: the connected account it uses, the bucket and the
 * region. Read once here so both sides name a problem the same way.
 */
import type { InputIssue } from '../shared/issues.ts';
import { readOneOf, readString, type JsonObject } from '../shared/read-fields.ts';
import type { Account } from './account.ts';
import { BUCKET_MODES } from './ports.ts';

/** How a form carries a key of an integration (the web UI's integration editor reads the tables). */
export type FormFieldKind = 'text' | 'number' | 'checkbox' | 'structured';

/** The keys every integration has, first in both directions' tables (INBOUND_FIELDS, OUTBOUND_FIELDS). */
export const CONNECTION_FIELDS = {
  name: 'text',
  account: 'text',
  region: 'text',
  bucketMode: 'text',
  bucket: 'text',
} as const satisfies Record<string, FormFieldKind>;

/** "account": required, and one of the workspace's connected accounts. */
export function readAccountName(
  item: JsonObject,
  at: string,
  accounts: readonly Account[],
  issues: InputIssue[],
): string {
  const account = readString(item, 'account', at, issues, { required: true }) ?? '';
  if (account && !accounts.some((a) => a.name === account)) {
    issues.push({
      path: at,
      message: `"account" names "${account}", which is not in "accounts" (${accounts.map((a) => `"${a.name}"`).join(', ') || 'none declared'})`,
    });
  }
  return account;
}

/** "bucket": required; the product: "use just the bucket name with no leading or trailing slash". */
export function readBucketName(item: JsonObject, at: string, issues: InputIssue[]): string {
  const bucket = readString(item, 'bucket', at, issues, { required: true }) ?? '';
  if (bucket.includes('/'))
    issues.push({
      path: at,
      message: `"bucket" must be the bucket name alone, with no leading or trailing slash, got ${JSON.stringify(bucket)}`,
    });
  return bucket;
}

/** "bucketMode": how the bucket is chosen (the product's List Buckets or Manual Bucket Entry). */
export function readBucketMode(item: JsonObject, at: string, issues: InputIssue[]): (typeof BUCKET_MODES)[number] {
  return readOneOf(item, 'bucketMode', BUCKET_MODES, 'list', at, issues);
}

/** "region", or the workspace's when left out. */
export function readRegion(item: JsonObject, at: string, fallback: string, issues: InputIssue[]): string {
  return (
    readString(item, 'region', at, issues, {
      pattern: { test: /^[a-z]{2}(-[a-z]+)+-\d+$/, expected: 'must be an AWS region such as "us-east-1"' },
    }) ?? fallback
  );
}
