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
}

export interface InboundIntegration extends IntegrationConnection {
  /** S3 prefix, case-sensitive, with {{template_name}}, {{submitted_by}}, {{submitted_at}}. */
  prefix: string;
  /** `event`: the embedded server's object-created events; `poll`: ListObjectsV2 under the prefix. */
  detection: 'event' | 'poll';
  pollIntervalSeconds: number;
  /** `all-or-nothing`: one bad row fails the file; `auto-submit`: clean rows complete, bad rows pending. */
  outcome: 'all-or-nothing' | 'auto-submit';
}
