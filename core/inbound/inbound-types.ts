/** Connected accounts and inbound integrations, as declared in the workspace (docs/inbound.md). */
import type { Account, IntegrationConnection, RemoteEndpoint } from '../s3/index.ts';

// Connected accounts serve both directions: they live in core/s3, beside the connection both share.
export type { Account, IntegrationConnection, RemoteEndpoint };

/**
 * `event`: the embedded server's object-created events; `poll`: ListObjectsV2 under the prefix;
 * `sqs`: a queue receiving the bucket's S3 event notifications (remote accounts).
 */
export const DETECTIONS = ['event', 'poll', 'sqs'] as const;
/** `all-or-nothing`: one bad row fails the file; `auto-submit`: clean rows complete, bad rows pending. */
export const OUTCOMES = ['all-or-nothing', 'auto-submit'] as const;

export interface InboundIntegration extends IntegrationConnection {
  /** S3 prefix, case-sensitive, with {{template_name}}, {{submitted_by}}, {{submitted_at}}. */
  prefix: string;
  detection: (typeof DETECTIONS)[number];
  /** For `sqs`: the queue's URL (`https://sqs.us-east-1.amazonaws.com/123456789012/drops`). */
  queueUrl?: string;
  pollIntervalSeconds: number;
  outcome: (typeof OUTCOMES)[number];
}
