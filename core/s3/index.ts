/** The S3 port shared by inbound imports and outbound deliveries, and the bucket-listing check both make. */
export type { AccountS3, IntegrationConnection, OutboundS3, PutOutcome, S3ObjectSummary, S3Outcome } from './ports.ts';
export { checkBucketListing, switchToManual, type IntegrationWarning } from './bucket-listing.ts';
export type { Account, RemoteEndpoint } from './account.ts';
