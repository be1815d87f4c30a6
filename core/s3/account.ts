/**
 * A connected account, as declared in the workspace (docs/inbound.md, "Accounts"): the keys the platform
 * holds, or a remote endpoint reached with the AWS provider chain. Inbound and outbound integrations both
 * name one, so it lives here, where neither direction imports the other.
 */
import type { ContextValue } from '../iam/index.ts';

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
