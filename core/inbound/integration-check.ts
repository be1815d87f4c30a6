/**
 * What an integration can do with its account's keys, checked as the product's Step 3 does.
 * "List Buckets" mode lists the buckets (s3:ListAllMyBuckets) and then lists under the prefix
 * (s3:ListBucket with s3:prefix); a denial of either is the product's permission warning, which
 * points to Manual Bucket Entry. Manual mode never lists (docs/inbound.md, "The permission check").
 */
import { checkBucketListing, switchToManual, type AccountS3, type IntegrationWarning } from '../s3/index.ts';
import type { IntegrationRef } from './importer.ts';

export interface IntegrationStatus {
  direction: 'inbound';
  id: string;
  template: string;
  name: string;
  account: string;
  bucket: string;
  prefix: string;
  bucketMode: 'list' | 'manual';
  detection: 'event' | 'poll' | 'sqs';
  outcome: 'all-or-nothing' | 'auto-submit';
  /** `warning`: a list-mode integration that cannot list; it imports nothing until switched to manual. */
  status: 'active' | 'warning';
  warnings: IntegrationWarning[];
  checkedAt: string;
}

export async function checkIntegration(ref: IntegrationRef, s3: AccountS3, now: Date): Promise<IntegrationStatus> {
  const { integration } = ref;
  const warnings: IntegrationWarning[] = [];
  const listing = await checkBucketListing(integration, s3);
  if (listing) {
    warnings.push(listing);
  } else if (integration.bucketMode === 'list') {
    const listed = await s3.listObjects(integration.bucket, ref.prefix.staticPrefix);
    if (!listed.ok)
      warnings.push({
        action: 's3:ListBucket',
        message: `${switchToManual(integration.account)} (ListObjectsV2 on "${integration.bucket}" under "${ref.prefix.staticPrefix}": ${listed.error.code})`,
        error: listed.error,
      });
  }
  return {
    direction: 'inbound',
    id: ref.id,
    template: ref.template.name,
    name: integration.name,
    account: integration.account,
    bucket: integration.bucket,
    prefix: integration.prefix,
    bucketMode: integration.bucketMode,
    detection: integration.detection,
    outcome: integration.outcome,
    status: warnings.length ? 'warning' : 'active',
    warnings,
    checkedAt: now.toISOString(),
  };
}
