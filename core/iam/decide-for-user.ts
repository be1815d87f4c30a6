/**
 * One way to ask "may this caller do this": the caller's identity policies plus the policy of the bucket
 * the resource is in, evaluated against the request's global and operation condition keys. The gateway
 * (real requests), the web UI's simulator and the preflight all ask here, so they cannot disagree.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import {
  applicablePolicies,
  decide,
  globalContext,
  principalOf,
  type Caller,
  type IamUser,
  type Permission,
  type RequestFacts,
} from './caller.ts';
import { asList } from './matching.ts';
import type { AttachedPolicy, ContextValue, Decision, PolicyDocument } from './policy-types.ts';
import { isPublicPolicy } from './public-policy.ts';

export interface DecideOptions {
  /** The bucket policy in force now (the workspace's, or one set through the S3 API). */
  bucketPolicyOf(bucket: string): PolicyDocument | undefined;
  /** Whether the bucket's Block Public Access has RestrictPublicBuckets on. @default never */
  restrictsPublicBuckets?(bucket: string): boolean;
  /** The global condition keys of the request (`globalContext`), computed once per request by a caller that asks often. */
  baseContext: Readonly<Record<string, ContextValue>>;
}

export interface UserDecision {
  decision: Decision;
  /** The policies that were evaluated, in order (identity policies, then the bucket's). */
  policies: AttachedPolicy[];
}

/**
 * The bucket of an S3 ARN (`arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`), or undefined when the
 * resource names no single bucket (`*`, `arn:aws:s3:::acme-*`, or not an S3 ARN).
 */
export function bucketOfResource(resource: string): string | undefined {
  const match = /^arn:aws:s3:::([^/]*)/.exec(resource);
  const bucket = match?.[1];
  return bucket && !/[*?]/.test(bucket) ? bucket : undefined;
}

/**
 * The bucket policy as it applies to the caller. RestrictPublicBuckets: with a public policy, only AWS
 * services and principals of the bucket owner's account get what it allows (every user of a workspace is
 * one; an anonymous caller is not); its Denies still apply.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
 */
function bucketPolicyFor(caller: Caller, bucket: string, options: DecideOptions): PolicyDocument | undefined {
  const policy = options.bucketPolicyOf(bucket);
  if (!policy || caller.principal.kind !== 'anonymous' || !options.restrictsPublicBuckets?.(bucket)) return policy;
  if (!isPublicPolicy(policy)) return policy;
  return { ...policy, Statement: asList(policy.Statement).filter((statement) => statement.Effect === 'Deny') };
}

export function decideForCaller(caller: Caller, permission: Permission, options: DecideOptions): UserDecision {
  const bucket = bucketOfResource(permission.resource);
  const policies = applicablePolicies(caller, bucket, bucket ? bucketPolicyFor(caller, bucket, options) : undefined);
  return { decision: decide(caller, permission, policies, options.baseContext), policies };
}

/** The workspace's user as a caller, with the global condition keys of a request made with its keys. */
export function callerOf(
  workspace: { accountId: string; region?: string },
  user: IamUser,
  facts: RequestFacts,
): { caller: Caller; baseContext: Record<string, ContextValue> } {
  const caller: Caller = { principal: principalOf(workspace, user), user };
  const where = { resourceAccount: workspace.accountId, ...(workspace.region ? { region: workspace.region } : {}) };
  return { caller, baseContext: globalContext(caller, { ...where, ...facts }) };
}

/** The facts the simulator and the preflight assume: a header-signed request over HTTP from this machine, now. */
export function localRequestFacts(now: number): RequestFacts {
  return { sourceIp: '127.0.0.1', secureTransport: false, now, authType: 'REST-HEADER' };
}
