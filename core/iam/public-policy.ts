/**
 * Whether a bucket policy is public, as S3 Block Public Access judges it: an Allow whose Principal is
 * everyone (`*`), unless a condition fixes who may use it to known values (an IP range narrower than
 * the whole Internet, a VPC endpoint, an account, an organization, a source ARN). A Deny is never public.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 */
import { asList } from './matching.ts';
import type { PolicyDocument, PolicyStatement } from './policy-types.ts';

/** Condition keys that, given values without wildcards, make a statement non-public. */
const FIXING_KEYS = new Set(
  [
    'aws:SourceIp',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceArn',
    'aws:SourceAccount',
    'aws:SourceOwner',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:userid',
    'aws:username',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((key) => key.toLowerCase()),
);

/** CIDRs that admit the whole Internet (or a range too wide to fix anyone: /0 to /7). */
const WIDE_CIDR = /\/[0-7]$/;

function namesEveryone(statement: PolicyStatement): boolean {
  const principal = statement.Principal;
  if (principal === undefined) return false;
  if (principal === '*') return true;
  return asList(principal.AWS).includes('*');
}

function fixedByCondition(statement: PolicyStatement): boolean {
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    if (operator.endsWith('IfExists') || operator.startsWith('ForAnyValue') || operator.includes('Not')) continue;
    for (const [key, values] of Object.entries(block ?? {})) {
      if (!FIXING_KEYS.has(key.toLowerCase())) continue;
      const list = asList(values as string | string[]).map(String);
      if (list.length > 0 && list.every((value) => !value.includes('*') && !WIDE_CIDR.test(value))) return true;
    }
  }
  return false;
}

export function isPublicPolicy(policy: PolicyDocument | undefined): boolean {
  if (!policy) return false;
  return asList(policy.Statement).some(
    (statement) => statement.Effect === 'Allow' && namesEveryone(statement) && !fixedByCondition(statement),
  );
}
