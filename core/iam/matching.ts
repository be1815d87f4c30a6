/**
 * Action, Resource and Principal matching.
 * Actions ignore case; resources do not; wildcards work within each ARN segment (the six parts
 * separated by colons; the last one, the resource, may itself hold colons and slashes).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
import { globMatch, type ContextLookup } from './pattern.ts';
import type { OneOrMany, PrincipalElement, RequestPrincipal } from './policy-types.ts';

export function asList<T>(value: OneOrMany<T> | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, { ignoreCase: true });
}

const ARN_PARTS = 6;

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < ARN_PARTS) return undefined;
  return [...parts.slice(0, ARN_PARTS - 1), parts.slice(ARN_PARTS - 1).join(':')];
}

export function resourceMatches(pattern: string, resource: string, lookup: ContextLookup): boolean {
  if (pattern === '*') return true;
  const patternParts = splitArn(pattern);
  const resourceParts = splitArn(resource);
  if (!patternParts || !resourceParts) return globMatch(pattern, resource, { ignoreCase: false, lookup });
  return patternParts.every((part, i) => globMatch(part, resourceParts[i]!, { ignoreCase: false, lookup }));
}

/**
 * Principal in a same-account bucket policy. `*` matches everyone, anonymous included; a user ARN
 * matches that user. The account (`123456789012` or `arn:aws:iam::123456789012:root`) names the
 * account as a whole: it matches the account's users, and AWS then lets identity policies decide, so
 * the evaluator counts it for Deny but not as a grant on its own (see evaluate.ts).
 */
export type PrincipalMatch = 'none' | 'direct' | 'account';

export function principalMatches(element: PrincipalElement, principal: RequestPrincipal): PrincipalMatch {
  if (element === '*') return 'direct';
  let best: PrincipalMatch = 'none';
  for (const [type, values] of Object.entries(element)) {
    if (type !== 'AWS') continue; // Service, Federated and CanonicalUser principals never match an IAM user
    for (const value of asList(values)) {
      if (value === '*') return 'direct';
      if (principal.kind !== 'user') continue;
      if (value === principal.arn) return 'direct';
      if (value === principal.accountId || value === `arn:aws:iam::${principal.accountId}:root`) best = 'account';
    }
  }
  return best;
}
