/**
 * From an operation's permission rules to the IAM permissions a request needs: the action (its
 * `*Version*` action when the request names a version), the resource, and the condition keys AWS's
 * Service Authorization Reference lists for that action (s3-actions.generated.ts), each set from the
 * request when it carries it. A key the reference does not list for an action is never set on it.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 */
import type { ContextValue, Permission } from '../../../core/iam/index.ts';
import { existingTagContext, requestTagContext, type TagSet } from '../object-tags.ts';
import { bucketArn, objectArn, SERVICE_RESOURCE } from './arn.ts';
import { S3_ACTIONS } from './s3-actions.generated.ts';

export type RequiredPermission = Permission;

/** What a rule's action is on: the service, the bucket, the object, or the object a copy reads. */
export type RuleTarget = 'service' | 'bucket' | 'object' | 'copy-source';

export interface PermissionRule {
  /** `s3:GetObject` */
  readonly action: string;
  /** The action when the request names a version (`?versionId=`, or the copy source's): `s3:GetObjectVersion`. */
  readonly versionAction?: string;
  readonly on: RuleTarget;
  /** Needed only by a request that sets tags: a tagged write is also s3:PutObjectTagging (AWS's rule). */
  readonly whenSettingTags?: true;
}

/** The request's facts the resource and the condition keys come from, for one rule's target. */
export interface RuleFacts {
  bucket: string;
  key: string;
  /** The version the request names on this target (`null` is the null version). */
  versionId?: string;
  header: (name: string) => string | undefined;
  query: ReadonlyMap<string, string>;
  /** The tags the request sets (`x-amz-tagging`, or PutObjectTagging's body). */
  requestTags?: TagSet;
  /** The tags of the version the target names (or of the latest). */
  existingTags: () => TagSet;
}

type Provider = (facts: RuleFacts) => Record<string, ContextValue>;

const fromQuery =
  (name: string): Provider =>
  (facts) => {
    const value = facts.query.get(name);
    return value === undefined ? {} : { [`s3:${name}`]: value };
  };

/** Both request-tag keys come from the request's tags at once (requestTagContext). */
const requestTags: Provider = (facts) => (facts.requestTags ? requestTagContext(facts.requestTags) : {});

/** The keys set from something other than a header of the same name, by the reference's (lower-cased) name. */
const PROVIDERS: ReadonlyMap<string, Provider> = new Map<string, Provider>([
  ['s3:existingobjecttag/<key>', (facts) => existingTagContext(facts.existingTags())],
  ['s3:requestobjecttag/<key>', requestTags],
  ['s3:requestobjecttagkeys', requestTags],
  [
    's3:versionid',
    (facts): Record<string, ContextValue> => (facts.versionId === undefined ? {} : { 's3:VersionId': facts.versionId }),
  ],
  ['s3:prefix', fromQuery('prefix')],
  ['s3:delimiter', fromQuery('delimiter')],
  ['s3:max-keys', fromQuery('max-keys')],
]);

/** `s3:x-amz-acl`, `s3:if-match`, ...: keys named after the request header they carry. */
const HEADER_KEY = /^s3:(x-amz-[a-z0-9-]+|if-match|if-none-match)$/;

/** The provider of a key of the reference, or undefined for a key a request here cannot carry. */
function providerOf(referenceKey: string): Provider | undefined {
  const key = referenceKey.toLowerCase();
  const provider = PROVIDERS.get(key);
  if (provider || !HEADER_KEY.test(key)) return provider;
  const header = key.slice('s3:'.length);
  return (facts) => {
    const value = facts.header(header);
    return value === undefined ? {} : { [key]: value };
  };
}

/** Keys of the reference this harness sets on the actions that list them (docs/gateway.md, "Condition keys"). */
export function providesKey(referenceKey: string): boolean {
  return providerOf(referenceKey) !== undefined;
}

/** Each action's providers, found once (each provider once: the two request-tag keys share one). */
const providersByAction = new Map<string, readonly Provider[]>();

function providersOf(action: string): readonly Provider[] {
  let providers = providersByAction.get(action);
  if (!providers) {
    const found = (S3_ACTIONS[action]?.conditionKeys ?? []).map(providerOf);
    providers = [...new Set(found.filter((p): p is Provider => p !== undefined))];
    providersByAction.set(action, providers);
  }
  return providers;
}

export function conditionContext(action: string, facts: RuleFacts): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = Object.create(null);
  for (const provider of providersOf(action)) Object.assign(context, provider(facts));
  return context;
}

export function actionOf(rule: PermissionRule, versionId: string | undefined): string {
  return versionId !== undefined && rule.versionAction !== undefined ? rule.versionAction : rule.action;
}

export function resourceOf(target: RuleTarget, bucket: string, key: string): string {
  if (target === 'service') return SERVICE_RESOURCE;
  return target === 'bucket' ? bucketArn(bucket) : objectArn(bucket, key);
}

export function permissionOf(rule: PermissionRule, facts: RuleFacts): RequiredPermission {
  const action = actionOf(rule, facts.versionId);
  return { action, resource: resourceOf(rule.on, facts.bucket, facts.key), context: conditionContext(action, facts) };
}
