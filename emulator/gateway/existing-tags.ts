/**
 * `s3:ExistingObjectTag/<key>`: the tags the object already has, for the actions AWS sets the key on.
 * Read only when a policy that applies names the key, so that GETs stay one metadata read.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html
 */
import type { PolicyDocument } from '../../core/iam/index.ts';
import { bucketOfResource } from '../../core/iam/index.ts';
import type { GatewayRequest, GatewayServices } from './context.ts';
import { existingTagContext } from './object-tags.ts';
import type { RequiredPermission } from './operations.ts';

const ACTIONS_WITH_EXISTING_TAGS = new Set([
  's3:GetObject',
  's3:GetObjectTagging',
  's3:DeleteObjectTagging',
  's3:GetObjectAcl',
  's3:PutObjectAcl',
]);

const namesExistingTags = new WeakMap<PolicyDocument, boolean>();

function policyNamesExistingTags(policy: PolicyDocument): boolean {
  let names = namesExistingTags.get(policy);
  if (names === undefined) {
    names = JSON.stringify(policy).toLowerCase().includes('s3:existingobjecttag/');
    namesExistingTags.set(policy, names);
  }
  return names;
}

export async function withExistingTags(
  s: GatewayServices,
  g: GatewayRequest,
  permissions: RequiredPermission[],
): Promise<RequiredPermission[]> {
  return Promise.all(
    permissions.map(async (permission) => {
      if (!ACTIONS_WITH_EXISTING_TAGS.has(permission.action)) return permission;
      const bucket = bucketOfResource(permission.resource);
      if (!bucket) return permission;
      const bucketPolicy = s.state.policyOf(bucket);
      const policies = [...(g.caller.user?.policies ?? []), ...(bucketPolicy ? [bucketPolicy] : [])];
      if (!policies.some(policyNamesExistingTags)) return permission;
      const key = permission.resource.slice(`arn:aws:s3:::${bucket}/`.length);
      const latest = key === '' ? undefined : s.store.latest(bucket, key);
      const tags = latest?.kind === 'object' ? latest.tags : [];
      return { ...permission, context: { ...existingTagContext(tags), ...permission.context } };
    }),
  );
}
