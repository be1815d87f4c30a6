/**
 * Validates a policy document when it is loaded, as IAM's policy validator would, naming the
 * statement and the element of every problem.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import { describeType, isRecord, type InputIssue } from '../shared/issues.ts';
import { knownOperatorNames, parseOperator } from './conditions.ts';
import { resourceMatches } from './matching.ts';
import type { PolicyDocument } from './policy-types.ts';

export type PolicyKind = { kind: 'identity' } | { kind: 'bucket'; bucket: string };

const VERSIONS = ['2012-10-17', '2008-10-17'];
const STATEMENT_ELEMENTS = [
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
];
const PRINCIPAL_TYPES = ['AWS', 'Service', 'Federated', 'CanonicalUser'];
const ACTION_PATTERN = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

function stringList(value: unknown, path: string, element: string, issues: InputIssue[]): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(value) && value.length === 0) {
    issues.push({ path, message: `"${element}" must not be an empty list` });
  }
  const strings: string[] = [];
  list.forEach((item, i) => {
    if (typeof item === 'string' && item.length > 0) strings.push(item);
    else
      issues.push({
        path,
        message: `"${element}"${Array.isArray(value) ? `[${i}]` : ''} must be a non-empty string, got ${describeType(item)}`,
      });
  });
  return strings;
}

export function validatePolicy(document: unknown, path: string, kind: PolicyKind): InputIssue[] {
  const issues: InputIssue[] = [];
  if (!isRecord(document)) return [{ path, message: `a policy must be a JSON object, got ${describeType(document)}` }];
  for (const key of Object.keys(document)) {
    if (!['Version', 'Id', 'Statement'].includes(key))
      issues.push({ path, message: `unknown element "${key}" (expected Version, Id, Statement)` });
  }
  if (document.Version !== undefined && !VERSIONS.includes(String(document.Version))) {
    issues.push({
      path,
      message: `"Version" must be "2012-10-17" (or the older "2008-10-17"), got ${describeType(document.Version)}`,
    });
  }
  if (document.Statement === undefined) {
    issues.push({ path, message: '"Statement" is required' });
    return issues;
  }
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  statements.forEach((statement, i) => {
    const at = Array.isArray(document.Statement) ? `${path}.Statement[${i}]` : `${path}.Statement`;
    validateStatement(statement, at, kind, issues);
  });
  return issues;
}

function validateStatement(statement: unknown, at: string, kind: PolicyKind, issues: InputIssue[]): void {
  if (!isRecord(statement)) {
    issues.push({ path: at, message: `a statement must be a JSON object, got ${describeType(statement)}` });
    return;
  }
  for (const key of Object.keys(statement)) {
    if (!STATEMENT_ELEMENTS.includes(key))
      issues.push({ path: at, message: `unknown element "${key}" (expected one of ${STATEMENT_ELEMENTS.join(', ')})` });
  }
  if (statement.Sid !== undefined && (typeof statement.Sid !== 'string' || !/^[A-Za-z0-9 _-]*$/.test(statement.Sid))) {
    issues.push({ path: at, message: '"Sid" must be a string of letters and digits' });
  }
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    issues.push({ path: at, message: `"Effect" must be "Allow" or "Deny", got ${describeType(statement.Effect)}` });
  }
  exactlyOne(statement, at, 'Action', 'NotAction', issues, (value, element) => {
    for (const action of stringList(value, at, element, issues)) {
      if (!ACTION_PATTERN.test(action))
        issues.push({
          path: at,
          message: `"${element}" value "${action}" must look like "s3:GetObject" (service:Action, wildcards allowed)`,
        });
    }
  });
  exactlyOne(statement, at, 'Resource', 'NotResource', issues, (value, element) => {
    for (const resource of stringList(value, at, element, issues)) {
      if (resource !== '*' && !resource.startsWith('arn:')) {
        issues.push({
          path: at,
          message: `"${element}" value "${resource}" must be "*" or an ARN such as "arn:aws:s3:::bucket/key"`,
        });
      } else if (kind.kind === 'bucket' && element === 'Resource' && !coversBucket(resource, kind.bucket)) {
        // S3's PutBucketPolicy answers MalformedPolicy "Policy has invalid resource" in this case.
        issues.push({
          path: at,
          message: `"Resource" value "${resource}" must refer to bucket "${kind.bucket}" (arn:aws:s3:::${kind.bucket} or arn:aws:s3:::${kind.bucket}/...)`,
        });
      }
    }
  });
  if (kind.kind === 'identity') {
    for (const element of ['Principal', 'NotPrincipal']) {
      if (statement[element] !== undefined)
        issues.push({
          path: at,
          message: `"${element}" is not allowed in an identity policy (it belongs in a bucket policy)`,
        });
    }
  } else {
    exactlyOne(statement, at, 'Principal', 'NotPrincipal', issues, (value, element) =>
      validatePrincipal(value, at, element, issues),
    );
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
    if (statement.NotPrincipal !== undefined && statement.Effect === 'Allow')
      issues.push({
        path: at,
        message: '"NotPrincipal" may only be used with "Effect": "Deny" (IAM does not support it with "Allow")',
      });
  }
  if (statement.Condition !== undefined) validateCondition(statement.Condition, at, issues);
}

function coversBucket(resource: string, bucket: string): boolean {
  const arn = `arn:aws:s3:::${bucket}`;
  return (
    resource === arn ||
    resource.startsWith(`${arn}/`) ||
    resourceMatches(resource, arn, () => undefined) ||
    resourceMatches(resource, `${arn}/x`, () => undefined)
  );
}

function exactlyOne(
  statement: Record<string, unknown>,
  at: string,
  positive: string,
  negative: string,
  issues: InputIssue[],
  check: (value: unknown, element: string) => void,
): void {
  const hasPositive = statement[positive] !== undefined;
  const hasNegative = statement[negative] !== undefined;
  if (hasPositive && hasNegative)
    issues.push({ path: at, message: `use either "${positive}" or "${negative}", not both` });
  else if (!hasPositive && !hasNegative)
    issues.push({ path: at, message: `"${positive}" (or "${negative}") is required` });
  else check(hasPositive ? statement[positive] : statement[negative], hasPositive ? positive : negative);
}

function validatePrincipal(value: unknown, at: string, element: string, issues: InputIssue[]): void {
  if (value === '*') return;
  if (!isRecord(value)) {
    issues.push({
      path: at,
      message: `"${element}" must be "*" or an object such as {"AWS": "arn:aws:iam::123456789012:user/name"}, got ${describeType(value)}`,
    });
    return;
  }
  for (const [type, ids] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.includes(type))
      issues.push({ path: at, message: `"${element}" type "${type}" must be one of ${PRINCIPAL_TYPES.join(', ')}` });
    else stringList(ids, at, `${element}.${type}`, issues);
  }
}

function validateCondition(condition: unknown, at: string, issues: InputIssue[]): void {
  if (!isRecord(condition)) {
    issues.push({ path: at, message: `"Condition" must be an object of operators, got ${describeType(condition)}` });
    return;
  }
  for (const [operator, block] of Object.entries(condition)) {
    if (!parseOperator(operator)) {
      issues.push({
        path: at,
        message: `"Condition" operator "${operator}" is not supported (expected one of ${knownOperatorNames().join(', ')}, optionally with IfExists, ForAnyValue: or ForAllValues:)`,
      });
      continue;
    }
    if (!isRecord(block)) {
      issues.push({
        path: at,
        message: `"Condition.${operator}" must be an object of condition keys, got ${describeType(block)}`,
      });
      continue;
    }
    for (const [key, values] of Object.entries(block)) {
      const list = Array.isArray(values) ? values : [values];
      if (list.length === 0 || list.some((v) => !['string', 'number', 'boolean'].includes(typeof v))) {
        issues.push({
          path: at,
          message: `"Condition.${operator}.${key}" must be a string, number, boolean or a non-empty list of them`,
        });
      }
    }
  }
}

/** Narrows a validated value. Call only after `validatePolicy` returned no issues. */
export function asPolicyDocument(value: unknown): PolicyDocument {
  return value as PolicyDocument;
}
