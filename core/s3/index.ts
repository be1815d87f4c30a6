/**
 * The S3 port shared by inbound imports and outbound deliveries, the bucket-listing check both make, and
 * the keys both kinds of integration have.
 */
export type { AccountS3, IntegrationConnection, OutboundS3, PutOutcome, S3ObjectSummary, S3Outcome } from './ports.ts';
export { checkBucketListing, switchToManual, type IntegrationWarning } from './bucket-listing.ts';
export type { Account, RemoteEndpoint } from './account.ts';
export { BUCKET_MODES } from './ports.ts';
export {
  CONNECTION_FIELDS,
  readAccountName,
  readBucketMode,
  readBucketName,
  readRegion,
  type FormFieldKind,
} from './read-connection.ts';
