/**
 * What an outbound integration can do with its account's keys, checked as the product's Step 3 does:
 * in "List Buckets" mode the account must list its buckets and see the integration's bucket among
 * them; a denial is the product's permission warning, pointing to Manual Bucket Entry. Whether the
 * write itself is allowed is known only by writing (each delivery records it).
 */
import { checkBucketListing, type AccountS3, type IntegrationWarning } from '../s3/index.ts';
import type { OutboundIntegration } from './outbound-types.ts';

export interface OutboundStatus {
  direction: 'outbound';
  /** `Template/Name` */
  id: string;
  template: string;
  name: string;
  account: string;
  bucket: string;
  bucketMode: 'list' | 'manual';
  fileType: OutboundIntegration['fileType'];
  sse: boolean;
  /** `warning`: a list-mode integration that cannot list; its deliveries fail until it is switched to manual. */
  status: 'active' | 'warning';
  warnings: IntegrationWarning[];
  checkedAt: string;
}

export async function checkOutbound(
  integration: OutboundIntegration,
  s3: Pick<AccountS3, 'listBuckets'>,
  now: Date,
): Promise<OutboundStatus> {
  const warning = await checkBucketListing(integration, s3);
  return {
    direction: 'outbound',
    id: `${integration.template}/${integration.name}`,
    template: integration.template,
    name: integration.name,
    account: integration.account,
    bucket: integration.bucket,
    bucketMode: integration.bucketMode,
    fileType: integration.fileType,
    sse: integration.sse,
    status: warning ? 'warning' : 'active',
    warnings: warning ? [warning] : [],
    checkedAt: now.toISOString(),
  };
}
