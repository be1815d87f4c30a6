/** The owner every listing and ACL names: the workspace's account (S3 shows the canonical ID of the bucket owner). */
import { createHash } from 'node:crypto';
import type { GatewayServices } from './context.ts';
import type { ListingOwner } from './listing.ts';

export function ownerOf(s: GatewayServices): ListingOwner {
  return {
    ID: createHash('sha256').update(s.workspace.accountId).digest('hex'),
    DisplayName: `account-${s.workspace.accountId}`,
  };
}
