/** Connected accounts and inbound integrations, as declared in the workspace (docs/inbound.md). */
import type { ContextValue } from '../iam/index.ts';
import type { IntegrationConnection } from '../s3/index.ts';

export type { IntegrationConnection };

export interface Account {
  name: string;
  description?: string;
  accessKeyId: string;
  secretAccessKey: string;
  /**
   * Keys the platform's production requests carry (its egress `aws:SourceIp`, `aws:SourceVpce`, ...);
   * merged over its user's, since the account signs with that user's keys.
   */
  requestContext?: Readonly<Record<string, ContextValue>>;
  /**
   * A bucket outside this harness (AWS itself, or any S3-compatible endpoint): the engine reaches it
   * with credentials from the AWS provider chain, never from the workspace (docs/go-live.md).
   */
  remote?: RemoteEndpoint;
}

export interface RemoteEndpoint {
  /** An S3-compatible endpoint (`http://ceph.internal:7480`); absent: AWS for the integration's region. */
  endpoint?: string;
  /** A profile of the shared AWS config; absent: the provider chain's default (environment, SSO, ...). */
  profile?: string;
}

export interface InboundIntegration extends IntegrationConnection {
  /** S3 prefix, case-sensitive, with {{template_name}}, {{submitted_by}}, {{submitted_at}}. */
  prefix: string;
  /**
   * `event`: the embedded server's object-created events; `poll`: ListObjectsV2 under the prefix;
   * `sqs`: a queue receiving the bucket's S3 event notifications (remote accounts).
   */
  detection: 'event' | 'poll' | 'sqs';
  /** For `sqs`: the queue's URL (`https://sqs.us-east-1.amazonaws.com/123456789012/drops`). */
  queueUrl?: string;
  pollIntervalSeconds: number;
  /** `all-or-nothing`: one bad row fails the file; `auto-submit`: clean rows complete, bad rows pending. */
  outcome: 'all-or-nothing' | 'auto-submit';
}
