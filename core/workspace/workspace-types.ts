import type { ContextValue, PolicyDocument } from '../iam/index.ts';
import type { Account, InboundIntegration } from '../inbound/index.ts';
import type { OutboundIntegration } from '../outbound/index.ts';
import type { Template } from '../templates/index.ts';

/**
 * The workspace file: the one JSON file a user writes to describe their world.
 * Documented in docs/workspace.md; validated by `parseWorkspace`.
 */
export interface Workspace {
  /** 12 digits; appears in user ARNs (`arn:aws:iam::ACCOUNT:user/NAME`). */
  accountId: string;
  /** The region of every bucket; requests signed for another region are refused as AWS does. */
  region: string;
  buckets: WorkspaceBucket[];
  iam: { users: WorkspaceUser[] };
  /** Connected accounts: the keys the platform uses to reach the customer's buckets. */
  accounts: Account[];
  templates: WorkspaceTemplate[];
  alerts: AlertSettings;
}

export interface WorkspaceTemplate extends Template {
  inbound: InboundIntegration[];
  outbound: OutboundIntegration[];
}

export interface AlertSettings {
  /** Receives a JSON POST for every failed import (retried, never blocking the import). */
  webhookUrl?: string;
}

export interface WorkspaceBucket {
  name: string;
  /** A same-account resource policy. */
  policy?: PolicyDocument;
  /**
   * What GET/HEAD report for objects uploaded without `x-amz-server-side-encryption`.
   * `none` (the default) reports no header, so an uploader's SSE setting can be verified;
   * `AES256` reproduces AWS since January 2023, where every new object is encrypted with SSE-S3.
   */
  defaultEncryption: 'none' | 'AES256';
  /** `Enabled` or `Suspended` as PutBucketVersioning sets it; absent: never versioned (docs/gateway.md, "Versioning"). */
  versioning?: 'Enabled' | 'Suspended';
  /**
   * S3 Block Public Access (a bucket made in AWS since April 2023 has all four on); absent: none, as
   * GetPublicAccessBlock then answers. PutPublicAccessBlock and DeletePublicAccessBlock override it.
   */
  publicAccessBlock?: PublicAccessBlock;
}

/** @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PublicAccessBlockConfiguration.html */
export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  /** PutBucketPolicy refuses a public policy. */
  BlockPublicPolicy: boolean;
  /** With a public bucket policy, only principals of the bucket owner's account get what it allows. */
  RestrictPublicBuckets: boolean;
}

export const PUBLIC_ACCESS_BLOCK_SETTINGS = [
  'BlockPublicAcls',
  'IgnorePublicAcls',
  'BlockPublicPolicy',
  'RestrictPublicBuckets',
] as const satisfies readonly (keyof PublicAccessBlock)[];

export interface WorkspaceUser {
  name: string;
  displayName: string;
  email?: string;
  accessKeyId: string;
  secretAccessKey: string;
  policies: PolicyDocument[];
  /**
   * Condition keys this user's production requests carry that a local request cannot (docs/workspace.md,
   * "requestContext"), merged with those of the accounts that use its keys.
   */
  requestContext?: Readonly<Record<string, ContextValue>>;
  /** The user's permissions boundary (a managed policy in IAM): identity policies grant at most what it allows. */
  permissionsBoundary?: PolicyDocument;
}
