/** Connected accounts and inbound integrations, as declared in the workspace (docs/inbound.md). */

export interface Account {
  name: string;
  description?: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** How an integration reaches a bucket: the same for inbound and outbound. */
export interface IntegrationConnection {
  /** @default the template's name */
  name: string;
  template: string;
  account: string;
  region: string;
  /** `list`: list buckets with the account's keys (a 403 gives the permission warning); `manual`: never lists. */
  bucketMode: 'list' | 'manual';
  bucket: string;
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
