/**
 * Validates a workspace file, listing every problem with its path and what was expected.
 */
import { asPolicyDocument, mergeRequestContext, parseRequestContext, validatePolicy } from '../iam/index.ts';
import { compilePrefix, parseAccounts, parseInbound, prefixesOverlap, type Account } from '../inbound/index.ts';
import { describeType, isRecord, type InputIssue } from '../shared/issues.ts';
import { readBoolean, readObjectList, readString, unknownKeys } from '../shared/read-fields.ts';
import { parseOutbound } from '../outbound/index.ts';
import { parseTemplate } from '../templates/index.ts';
import {
  PUBLIC_ACCESS_BLOCK_SETTINGS,
  type AlertSettings,
  type PublicAccessBlock,
  type Workspace,
  type WorkspaceBucket,
  type WorkspaceTemplate,
  type WorkspaceUser,
} from './workspace-types.ts';

const TOP_LEVEL_KEYS = [
  '$schema',
  'description',
  'accountId',
  'region',
  'buckets',
  'iam',
  'accounts',
  'templates',
  'alerts',
];
const BUCKET_KEYS = ['name', 'policy', 'defaultEncryption', 'versioning', 'publicAccessBlock'];
const USER_KEYS = [
  'name',
  'displayName',
  'email',
  'accessKeyId',
  'secretAccessKey',
  'policies',
  'requestContext',
  'permissionsBoundary',
];

/** @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return 'must use lowercase letters, digits, dots and hyphens, and begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not look like an IP address';
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) return 'must not start with "xn--" or end with "-s3alias"';
  return undefined;
}

/** Problems refuse the file; warnings are reported and the file loads. */
export type WorkspaceParseResult =
  { ok: true; value: Workspace; warnings: InputIssue[] } | { ok: false; issues: InputIssue[]; warnings: InputIssue[] };

export function parseWorkspace(input: unknown): WorkspaceParseResult {
  const issues: InputIssue[] = [];
  const warnings: InputIssue[] = [];
  if (!isRecord(input))
    return {
      ok: false,
      issues: [{ path: '', message: `a workspace must be a JSON object, got ${describeType(input)}` }],
      warnings,
    };
  unknownKeys(input, TOP_LEVEL_KEYS, '(top level)', issues);
  const accountId =
    readString(input, 'accountId', '(top level)', issues, {
      required: true,
      pattern: { test: /^\d{12}$/, expected: 'must be 12 digits' },
    }) ?? '';
  const region =
    readString(input, 'region', '(top level)', issues, {
      required: true,
      pattern: { test: /^[a-z]{2}(-[a-z]+)+-\d+$/, expected: 'must be an AWS region such as "us-east-1"' },
    }) ?? '';
  const buckets = parseBuckets(input.buckets, issues);
  const users = parseUsers(input.iam, issues);
  const accounts = parseAccounts(input.accounts, users, issues, warnings);
  const usersWithAccountContext = withAccountsContext(users, accounts, issues);
  const templates = parseTemplates(input.templates, region, accounts, issues);
  warnOverlappingPrefixes(templates, warnings);
  const alerts = parseAlerts(input.alerts, issues);
  if (issues.length > 0) return { ok: false, issues, warnings };
  return {
    ok: true,
    value: { accountId, region, buckets, iam: { users: usersWithAccountContext }, accounts, templates, alerts },
    warnings,
  };
}

/** An account signs with its user's keys, so its `requestContext` is every such request's: merged into the user's. */
function withAccountsContext(users: WorkspaceUser[], accounts: Account[], issues: InputIssue[]): WorkspaceUser[] {
  return users.map((user) => {
    const declaring = accounts.filter((a) => a.accessKeyId === user.accessKeyId && a.requestContext);
    if (declaring.length === 0) return user;
    if (declaring.length > 1)
      issues.push({
        path: 'accounts',
        message: `accounts ${declaring.map((a) => `"${a.name}"`).join(' and ')} share the keys of user "${user.name}" and both declare a requestContext: declare it once, on the user`,
      });
    return { ...user, requestContext: mergeRequestContext(user.requestContext, declaring[0]!.requestContext!) };
  });
}

function parseTemplates(
  value: unknown,
  region: string,
  accounts: Account[],
  issues: InputIssue[],
): WorkspaceTemplate[] {
  const names = new Set<string>();
  return readObjectList(
    value,
    'templates',
    { item: 'template', example: '{"name": "Email", "fields": [...]}' },
    issues,
    (raw, path) => {
      const template = parseTemplate(raw, path, issues, ['inbound', 'outbound']);
      if (names.has(template.name)) issues.push({ path, message: `template name "${template.name}" is used twice` });
      names.add(template.name);
      return {
        ...template,
        inbound: parseInbound(raw, path, template, { region }, accounts, issues),
        outbound: parseOutbound(raw, path, template, { region }, accounts, issues),
      };
    },
  );
}

/** A key matched by several integrations is imported by each; say so when the workspace loads. */
function warnOverlappingPrefixes(templates: WorkspaceTemplate[], warnings: InputIssue[]): void {
  const all = templates.flatMap((t, ti) =>
    t.inbound.map((integration, ii) => ({
      integration,
      path: `templates[${ti}].inbound[${ii}]`,
      compiled: compilePrefix(integration.prefix, t.name),
    })),
  );
  all.forEach((a, i) => {
    for (const b of all.slice(i + 1)) {
      if (a.integration.bucket === b.integration.bucket && prefixesOverlap(a.compiled, b.compiled)) {
        warnings.push({
          path: b.path,
          message: `prefix ${JSON.stringify(b.compiled.staticPrefix)} overlaps ${JSON.stringify(a.compiled.staticPrefix)} of ${a.path} on bucket "${a.integration.bucket}": a key under both is imported by each`,
        });
      }
    }
  });
}

function parseAlerts(value: unknown, issues: InputIssue[]): AlertSettings {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    issues.push({
      path: 'alerts',
      message: `must be an object such as {"webhookUrl": "http://127.0.0.1:9000/hook"}, got ${describeType(value)}`,
    });
    return {};
  }
  unknownKeys(value, ['webhookUrl'], 'alerts', issues);
  const webhookUrl = readString(value, 'webhookUrl', 'alerts', issues, {
    pattern: { test: /^https?:\/\/\S+$/, expected: 'must be an http:// or https:// URL' },
  });
  return webhookUrl ? { webhookUrl } : {};
}

/** A bucket's Block Public Access: the four settings, each true or false (left out: false, as in AWS's API). */
function parsePublicAccessBlock(value: unknown, path: string, issues: InputIssue[]): PublicAccessBlock | undefined {
  if (!isRecord(value)) {
    issues.push({
      path,
      message: `"publicAccessBlock" must be an object such as {"BlockPublicPolicy": true, "RestrictPublicBuckets": true}, got ${describeType(value)}`,
    });
    return undefined;
  }
  unknownKeys(value, PUBLIC_ACCESS_BLOCK_SETTINGS, `${path}.publicAccessBlock`, issues);
  const block = {} as PublicAccessBlock;
  for (const setting of PUBLIC_ACCESS_BLOCK_SETTINGS)
    block[setting] = readBoolean(value, setting, `${path}.publicAccessBlock`, issues, false);
  return block;
}

function parseBuckets(value: unknown, issues: InputIssue[]): WorkspaceBucket[] {
  const seen = new Set<string>();
  return readObjectList(
    value,
    'buckets',
    { item: 'bucket', example: '{"name": "acme-claravine"}' },
    issues,
    (bucket, path): WorkspaceBucket => {
      unknownKeys(bucket, BUCKET_KEYS, path, issues);
      const name = readString(bucket, 'name', path, issues, { required: true }) ?? '';
      const problem = name ? bucketNameProblem(name) : undefined;
      if (problem) issues.push({ path, message: `"name" ${problem}, got ${JSON.stringify(name)}` });
      if (seen.has(name)) issues.push({ path, message: `bucket "${name}" is declared twice` });
      seen.add(name);
      if (bucket.policy !== undefined)
        issues.push(...validatePolicy(bucket.policy, `${path}.policy`, { kind: 'bucket', bucket: name }));
      const defaultEncryption = bucket.defaultEncryption ?? 'none';
      if (defaultEncryption !== 'none' && defaultEncryption !== 'AES256') {
        issues.push({
          path,
          message: `"defaultEncryption" must be "none" or "AES256", got ${describeType(defaultEncryption)}`,
        });
      }
      const versioning = bucket.versioning;
      if (versioning !== undefined && versioning !== 'Enabled' && versioning !== 'Suspended') {
        issues.push({
          path,
          message: `"versioning" must be "Enabled" or "Suspended" (or left out: never versioned), got ${describeType(versioning)}`,
        });
      }
      const publicAccessBlock =
        bucket.publicAccessBlock === undefined
          ? undefined
          : parsePublicAccessBlock(bucket.publicAccessBlock, path, issues);
      return {
        name,
        defaultEncryption: defaultEncryption as WorkspaceBucket['defaultEncryption'],
        ...(publicAccessBlock ? { publicAccessBlock } : {}),
        ...(bucket.policy !== undefined ? { policy: asPolicyDocument(bucket.policy) } : {}),
        ...(versioning === 'Enabled' || versioning === 'Suspended' ? { versioning } : {}),
      };
    },
  );
}

function parseUsers(iam: unknown, issues: InputIssue[]): WorkspaceUser[] {
  if (iam === undefined) return [];
  if (!isRecord(iam)) {
    issues.push({ path: 'iam', message: `must be an object such as {"users": [...]}, got ${describeType(iam)}` });
    return [];
  }
  unknownKeys(iam, ['users'], 'iam', issues);
  const names = new Set<string>();
  const keys = new Set<string>();
  return readObjectList(
    iam.users,
    'iam.users',
    { item: 'user', example: '{"name": "uploader", "accessKeyId": "AKIA...", "secretAccessKey": "..."}' },
    issues,
    (user, path): WorkspaceUser | undefined => {
      unknownKeys(user, USER_KEYS, path, issues);
      // IAM user names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
      const name =
        readString(user, 'name', path, issues, {
          required: true,
          pattern: { test: /^[\w+=,.@-]{1,64}$/, expected: 'must be 1 to 64 letters, digits or +=,.@_-' },
        }) ?? '';
      const accessKeyId =
        readString(user, 'accessKeyId', path, issues, {
          required: true,
          pattern: {
            test: /^[A-Z0-9]{16,128}$/,
            expected: 'must be 16 to 128 uppercase letters and digits, like "AKIAIOSFODNN7EXAMPLE"',
          },
        }) ?? '';
      const secretAccessKey = readString(user, 'secretAccessKey', path, issues, { required: true }) ?? '';
      if (name && names.has(name)) issues.push({ path, message: `user name "${name}" is used twice` });
      if (accessKeyId && keys.has(accessKeyId))
        issues.push({ path, message: `access key "${accessKeyId}" is used by two users` });
      names.add(name);
      keys.add(accessKeyId);
      for (const key of ['displayName', 'email'] as const) {
        if (user[key] !== undefined && typeof user[key] !== 'string')
          issues.push({ path, message: `"${key}" must be a string, got ${describeType(user[key])}` });
      }
      const policies = user.policies ?? [];
      if (!Array.isArray(policies)) {
        issues.push({ path, message: `"policies" must be a list of policy documents, got ${describeType(policies)}` });
        return undefined;
      }
      policies.forEach((policy, p) =>
        issues.push(...validatePolicy(policy, `${path}.policies[${p}]`, { kind: 'identity' })),
      );
      const requestContext = parseRequestContext(user.requestContext, path, issues);
      const boundary = user.permissionsBoundary;
      if (boundary !== undefined)
        issues.push(...validatePolicy(boundary, `${path}.permissionsBoundary`, { kind: 'identity' }));
      return {
        name,
        accessKeyId,
        secretAccessKey,
        displayName: typeof user.displayName === 'string' ? user.displayName : name,
        ...(typeof user.email === 'string' ? { email: user.email } : {}),
        policies: policies.map(asPolicyDocument),
        ...(requestContext ? { requestContext } : {}),
        ...(boundary !== undefined ? { permissionsBoundary: asPolicyDocument(boundary) } : {}),
      };
    },
  );
}
