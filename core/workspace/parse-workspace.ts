/**
 * Validates a workspace file, listing every problem with its path and what was expected.
 */
import { asPolicyDocument, validatePolicy } from '../iam/index.ts';
import { describeType, isRecord, type InputIssue, type Validated } from '../shared/issues.ts';
import type { Workspace, WorkspaceBucket, WorkspaceUser } from './workspace-types.ts';

const TOP_LEVEL_KEYS = ['$schema', 'description', 'accountId', 'region', 'buckets', 'iam'];
const BUCKET_KEYS = ['name', 'policy', 'defaultEncryption'];
const USER_KEYS = ['name', 'displayName', 'email', 'accessKeyId', 'secretAccessKey', 'policies'];

/** @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return 'must use lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) return 'must not start with "xn--" or end with "-s3alias"';
  return undefined;
}

function unknownKeys(value: Record<string, unknown>, allowed: string[], path: string, issues: InputIssue[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) issues.push({ path, message: `unknown key "${key}" (expected ${allowed.filter((k) => !k.startsWith('$')).join(', ')})` });
  }
}

function requireString(value: Record<string, unknown>, key: string, path: string, issues: InputIssue[], pattern?: { test: RegExp; expected: string }): string {
  const v = value[key];
  if (typeof v !== 'string' || v.length === 0) {
    issues.push({ path, message: `"${key}" must be a non-empty string, got ${v === undefined ? 'nothing' : describeType(v)}` });
    return '';
  }
  if (pattern && !pattern.test.test(v)) issues.push({ path, message: `"${key}" ${pattern.expected}, got ${JSON.stringify(v)}` });
  return v;
}

export function parseWorkspace(input: unknown): Validated<Workspace> {
  const issues: InputIssue[] = [];
  if (!isRecord(input)) return { ok: false, issues: [{ path: '', message: `a workspace must be a JSON object, got ${describeType(input)}` }] };
  unknownKeys(input, TOP_LEVEL_KEYS, '(top level)', issues);
  const accountId = requireString(input, 'accountId', '(top level)', issues, { test: /^\d{12}$/, expected: 'must be 12 digits' });
  const region = requireString(input, 'region', '(top level)', issues, { test: /^[a-z]{2}(-[a-z]+)+-\d+$/, expected: 'must be an AWS region such as "us-east-1"' });
  const buckets = parseBuckets(input.buckets, issues);
  const users = parseUsers(input.iam, issues);
  if (issues.length > 0) return { ok: false, issues };
  return { ok: true, value: { accountId, region, buckets, iam: { users } } };
}

function parseBuckets(value: unknown, issues: InputIssue[]): WorkspaceBucket[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.push({ path: 'buckets', message: `must be a list of buckets, got ${describeType(value)}` });
    return [];
  }
  const seen = new Set<string>();
  return value.flatMap((bucket, i): WorkspaceBucket[] => {
    const path = `buckets[${i}]`;
    if (!isRecord(bucket)) {
      issues.push({ path, message: `a bucket must be an object such as {"name": "acme-claravine"}, got ${describeType(bucket)}` });
      return [];
    }
    unknownKeys(bucket, BUCKET_KEYS, path, issues);
    const name = requireString(bucket, 'name', path, issues);
    const problem = name ? bucketNameProblem(name) : undefined;
    if (problem) issues.push({ path, message: `"name" ${problem}, got ${JSON.stringify(name)}` });
    if (seen.has(name)) issues.push({ path, message: `bucket "${name}" is declared twice` });
    seen.add(name);
    if (bucket.policy !== undefined) issues.push(...validatePolicy(bucket.policy, `${path}.policy`, { kind: 'bucket', bucket: name }));
    const defaultEncryption = bucket.defaultEncryption ?? 'none';
    if (defaultEncryption !== 'none' && defaultEncryption !== 'AES256') {
      issues.push({ path, message: `"defaultEncryption" must be "none" or "AES256", got ${describeType(defaultEncryption)}` });
    }
    return [{ name, defaultEncryption: defaultEncryption as WorkspaceBucket['defaultEncryption'], ...(bucket.policy !== undefined ? { policy: asPolicyDocument(bucket.policy) } : {}) }];
  });
}

function parseUsers(iam: unknown, issues: InputIssue[]): WorkspaceUser[] {
  if (iam === undefined) return [];
  if (!isRecord(iam)) {
    issues.push({ path: 'iam', message: `must be an object such as {"users": [...]}, got ${describeType(iam)}` });
    return [];
  }
  unknownKeys(iam, ['users'], 'iam', issues);
  const list = iam.users ?? [];
  if (!Array.isArray(list)) {
    issues.push({ path: 'iam.users', message: `must be a list of users, got ${describeType(list)}` });
    return [];
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  return list.flatMap((user, i): WorkspaceUser[] => {
    const path = `iam.users[${i}]`;
    if (!isRecord(user)) {
      issues.push({ path, message: `a user must be an object, got ${describeType(user)}` });
      return [];
    }
    unknownKeys(user, USER_KEYS, path, issues);
    // IAM user names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
    const name = requireString(user, 'name', path, issues, { test: /^[\w+=,.@-]{1,64}$/, expected: 'must be 1 to 64 letters, digits or +=,.@_-' });
    const accessKeyId = requireString(user, 'accessKeyId', path, issues, { test: /^[A-Z0-9]{16,128}$/, expected: 'must be 16 to 128 uppercase letters and digits, like "AKIAIOSFODNN7EXAMPLE"' });
    const secretAccessKey = requireString(user, 'secretAccessKey', path, issues);
    if (name && names.has(name)) issues.push({ path, message: `user name "${name}" is used twice` });
    if (accessKeyId && keys.has(accessKeyId)) issues.push({ path, message: `access key "${accessKeyId}" is used by two users` });
    names.add(name);
    keys.add(accessKeyId);
    for (const key of ['displayName', 'email'] as const) {
      if (user[key] !== undefined && typeof user[key] !== 'string') issues.push({ path, message: `"${key}" must be a string, got ${describeType(user[key])}` });
    }
    const policies = user.policies ?? [];
    if (!Array.isArray(policies)) {
      issues.push({ path, message: `"policies" must be a list of policy documents, got ${describeType(policies)}` });
      return [];
    }
    policies.forEach((policy, p) => issues.push(...validatePolicy(policy, `${path}.policies[${p}]`, { kind: 'identity' })));
    return [{
      name, accessKeyId, secretAccessKey,
      displayName: typeof user.displayName === 'string' ? user.displayName : name,
      ...(typeof user.email === 'string' ? { email: user.email } : {}),
      policies: policies.map(asPolicyDocument),
    }];
  });
}
