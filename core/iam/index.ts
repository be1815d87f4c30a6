/** The IAM policy evaluator: pure, policies and a request in, a decision and its explanation out. */
export type * from './policy-types.ts';
export { evaluate, describeStatement, describeSource } from './evaluate.ts';
export { validatePolicy, asPolicyDocument, type PolicyKind } from './policy-validate.ts';
export { actionMatches, resourceMatches } from './matching.ts';
export { isPublicPolicy } from './public-policy.ts';
export { mergeRequestContext, parseRequestContext } from './request-context.ts';
export { declarableKeyNames, declarableKeyProblem, keyKind, type KeyKind } from './context-keys.ts';
export {
  applicablePolicies,
  decide,
  globalContext,
  principalOf,
  userIdOf,
  type Caller,
  type IamUser,
  type Permission,
  type RequestFacts,
} from './caller.ts';
export {
  bucketOfResource,
  callerOf,
  decideForCaller,
  localRequestFacts,
  type DecideOptions,
  type UserDecision,
} from './decide-for-user.ts';
