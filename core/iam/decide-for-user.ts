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
import type { AttachedPolicy, ContextValue, Decision, PolicyDocument } from './policy-types.ts';

export interface DecideOptions {
  /** The bucket policy in force now (the workspace's, or one set through the S3 API). */
  bucketPolicyOf(bucket: string): PolicyDocument | undefined;
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

export function decideForCaller(caller: Caller, permission: Permission, options: DecideOptions): UserDecision {
  const bucket = bucketOfResource(permission.resource);
  const policies = applicablePolicies(caller, bucket, bucket ? options.bucketPolicyOf(bucket) : undefined);
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
