/**
 * What the S3 API changes about buckets beyond their objects, kept in the data folder so it
 * survives a restart: bucket policies set or deleted through PutBucketPolicy/DeleteBucketPolicy,
 * versioning set through PutBucketVersioning, and Block Public Access set or deleted through
 * Put/DeletePublicAccessBlock; each overrides what the workspace declares.
 * (Buckets themselves, and their objects, live in the object store: store/object-store.ts.)
 */
import type { PolicyDocument } from '../../core/iam/index.ts';
import { dictionary, own } from '../../core/shared/dictionary.ts';
import type { PublicAccessBlock, Workspace } from '../../core/workspace/index.ts';
import { openStateFile } from '../state-file.ts';

interface BucketStateData {
  /** `null` records a policy deleted through the API (overriding the workspace's). */
  policies: Record<string, { document: PolicyDocument | null; changedAt: string }>;
  /** Versioning set through PutBucketVersioning (a bucket never goes back to unversioned). */
  versioning?: Record<string, 'Enabled' | 'Suspended'>;
  /**
   * S3 Block Public Access set through PutPublicAccessBlock; `null` records one deleted through
   * DeletePublicAccessBlock (overriding the workspace's).
   */
  publicAccessBlock?: Record<string, PublicAccessBlock | null>;
}

export interface BucketState {
  policyOf(bucket: string): PolicyDocument | undefined;
  /** Whether the bucket's policy was changed through the API (and so differs from the workspace). */
  policyChangedThroughApi(bucket: string): string | undefined;
  setPolicy(bucket: string, document: PolicyDocument | null, now: Date): Promise<void>;
  forgetBucket(bucket: string): Promise<void>;
  /** Forgets a policy set through the API, so the workspace's is in force again. */
  clearOverride(bucket: string): Promise<void>;
  /** The workspace changed (edited in the UI): its bucket policies are the ones not overridden. */
  useWorkspace(workspace: Workspace): void;
  /** Undefined for a bucket that was never versioned. */
  versioningOf(bucket: string): 'Enabled' | 'Suspended' | undefined;
  setVersioning(bucket: string, status: 'Enabled' | 'Suspended'): Promise<void>;
  /** Undefined for a bucket that has none (GetPublicAccessBlock: NoSuchPublicAccessBlockConfiguration). */
  publicAccessBlockOf(bucket: string): PublicAccessBlock | undefined;
  setPublicAccessBlock(bucket: string, block: PublicAccessBlock | undefined): Promise<void>;
}

export async function openBucketState(file: string, workspace: Workspace): Promise<BucketState> {
  const db = await openStateFile<BucketStateData>(
    file,
    { policies: {} },
    "It holds the bucket policies set through the S3 API: restore it from a copy, or move it aside to use the workspace's policies.",
  );
  db.data.policies = dictionary(db.data.policies ?? {}); // keyed by bucket names (`constructor` is one)
  const versioning = (db.data.versioning = dictionary(db.data.versioning ?? {}));
  const blocks = (db.data.publicAccessBlock = dictionary(db.data.publicAccessBlock ?? {}));
  let workspacePolicies = new Map(workspace.buckets.map((b) => [b.name, b.policy]));
  let workspaceVersioning = new Map(workspace.buckets.map((b) => [b.name, b.versioning]));
  let workspaceBlocks = new Map(workspace.buckets.map((b) => [b.name, b.publicAccessBlock]));
  return {
    policyOf(bucket) {
      const changed = own(db.data.policies, bucket);
      if (changed) return changed.document ?? undefined;
      return workspacePolicies.get(bucket);
    },
    policyChangedThroughApi: (bucket) => own(db.data.policies, bucket)?.changedAt,
    async setPolicy(bucket, document, now) {
      db.data.policies[bucket] = { document, changedAt: now.toISOString() };
      await db.write();
    },
    async clearOverride(bucket) {
      if (!own(db.data.policies, bucket)) return;
      delete db.data.policies[bucket];
      await db.write();
    },
    useWorkspace(next) {
      workspacePolicies = new Map(next.buckets.map((b) => [b.name, b.policy]));
      workspaceVersioning = new Map(next.buckets.map((b) => [b.name, b.versioning]));
      workspaceBlocks = new Map(next.buckets.map((b) => [b.name, b.publicAccessBlock]));
    },
    async forgetBucket(bucket) {
      delete db.data.policies[bucket];
      delete versioning[bucket];
      delete blocks[bucket];
      workspacePolicies.delete(bucket);
      workspaceVersioning.delete(bucket);
      workspaceBlocks.delete(bucket);
      await db.write();
    },
    versioningOf: (bucket) => own(versioning, bucket) ?? workspaceVersioning.get(bucket),
    async setVersioning(bucket, status) {
      versioning[bucket] = status;
      await db.write();
    },
    publicAccessBlockOf(bucket) {
      const set = own(blocks, bucket);
      return set === null ? undefined : (set ?? workspaceBlocks.get(bucket));
    },
    async setPublicAccessBlock(bucket, block) {
      // A deletion is kept as null only where the workspace declares one it would otherwise bring back.
      if (block) blocks[bucket] = block;
      else if (workspaceBlocks.get(bucket)) blocks[bucket] = null;
      else delete blocks[bucket];
      await db.write();
    },
  };
}
