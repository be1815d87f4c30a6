/**
 * The bucket dropdown of the product's "List Buckets" mode (Step 3 of connecting an integration),
 * inbound and outbound alike: the account must list its buckets (s3:ListAllMyBuckets), and the
 * integration's bucket must be among them; a denial is the product's permission warning, which points
 * to Manual Bucket Entry (docs/inbound.md, "The permission check").
 */
import type { S3Failure } from '../submissions/index.ts';
import type { AccountS3, IntegrationConnection } from './ports.ts';

export interface IntegrationWarning {
  action: string;
  message: string;
  error?: S3Failure;
}

export function switchToManual(account: string): string {
  return `Permission warning: account "${account}" cannot list with its keys. Select "Manual Bucket Entry" (bucketMode "manual") and enter the bucket name.`;
}

export async function checkBucketListing(
  integration: IntegrationConnection,
  s3: Pick<AccountS3, 'listBuckets'>,
): Promise<IntegrationWarning | undefined> {
  if (integration.bucketMode !== 'list') return undefined;
  const buckets = await s3.listBuckets();
  if (!buckets.ok)
    return {
      action: 's3:ListAllMyBuckets',
      message: `${switchToManual(integration.account)} (ListBuckets: ${buckets.error.code})`,
      error: buckets.error,
    };
  if (!buckets.value.includes(integration.bucket)) {
    return {
      action: 's3:ListAllMyBuckets',
      message: `bucket "${integration.bucket}" is not among the buckets account "${integration.account}" lists (${buckets.value.map((b) => `"${b}"`).join(', ') || 'none'})`,
    };
  }
  return undefined;
}
