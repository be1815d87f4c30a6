/** Validates connected accounts and a template's inbound integrations. */
import { parseRequestContext } from '../iam/index.ts';
import { describeType, type InputIssue } from '../shared/issues.ts';
import {
  readInteger,
  readObjectList,
  readOneOf,
  readString,
  unknownKeys,
  type JsonObject,
} from '../shared/read-fields.ts';
import {
  CONNECTION_FIELDS,
  readAccountName,
  readBucketMode,
  readBucketName,
  readRegion,
  type FormFieldKind,
} from '../s3/index.ts';
import { DETECTIONS, OUTCOMES, type Account, type InboundIntegration } from './inbound-types.ts';
import { unknownPlaceholders } from './prefix-match.ts';

const ACCOUNT_KEYS = ['name', 'description', 'accessKeyId', 'secretAccessKey', 'requestContext', 'remote'];
/** Every key of an inbound integration, and how a form carries it (the web UI's integration editor reads this table). */
export const INBOUND_FIELDS = {
  ...CONNECTION_FIELDS,
  prefix: 'text',
  detection: 'text',
  pollIntervalSeconds: 'number',
  queueUrl: 'text',
  outcome: 'text',
} as const satisfies Record<string, FormFieldKind>;
const INBOUND_KEYS = Object.keys(INBOUND_FIELDS);
/** Polling more often than this only loads the machine. */
const MIN_POLL_SECONDS = 1;

export interface KnownUser {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Accounts hold AWS keys. Here they are normally an emulated user's: the secret may then be left
 * out and is taken from that user. Keys of no user are allowed (to test InvalidAccessKeyId), with a warning.
 */
export function parseAccounts(
  value: unknown,
  users: readonly KnownUser[],
  issues: InputIssue[],
  warnings: InputIssue[],
): Account[] {
  const names = new Set<string>();
  return readObjectList(
    value,
    'accounts',
    { item: 'account', example: '{"name": "acme-aws", "accessKeyId": "AKIA..."}' },
    issues,
    (raw, path): Account => {
      unknownKeys(raw, ACCOUNT_KEYS, path, issues);
      const name = readString(raw, 'name', path, issues, { required: true }) ?? '';
      if (names.has(name)) issues.push({ path, message: `account name "${name}" is used twice` });
      names.add(name);
      if (raw.remote !== undefined) return parseRemoteAccount(raw, name, path, issues);
      const accessKeyId = readString(raw, 'accessKeyId', path, issues, { required: true }) ?? '';
      const user = users.find((u) => u.accessKeyId === accessKeyId);
      let secretAccessKey = readString(raw, 'secretAccessKey', path, issues);
      if (secretAccessKey === undefined) {
        if (user) secretAccessKey = user.secretAccessKey;
        else
          issues.push({
            path,
            message: `"secretAccessKey" is required: access key "${accessKeyId}" belongs to no user of the workspace`,
          });
      }
      if (accessKeyId && !user)
        warnings.push({
          path,
          message: `access key "${accessKeyId}" belongs to no IAM user of the workspace: every call will fail with InvalidAccessKeyId`,
        });
      const description = readString(raw, 'description', path, issues, { allowEmpty: true });
      const requestContext = parseRequestContext(raw.requestContext, path, issues);
      return {
        name,
        accessKeyId,
        secretAccessKey: secretAccessKey ?? '',
        ...(description !== undefined ? { description } : {}),
        ...(requestContext ? { requestContext } : {}),
      };
    },
  );
}

/**
 * `{"name": "acme-live", "remote": {"profile": "acme", "endpoint": "https://..."}}`: its keys come
 * from the AWS provider chain, so the workspace holds none (a secret in a file is refused).
 */
function parseRemoteAccount(raw: Record<string, unknown>, name: string, path: string, issues: InputIssue[]): Account {
  for (const key of ['accessKeyId', 'secretAccessKey', 'requestContext'])
    if (raw[key] !== undefined)
      issues.push({
        path,
        message: `"${key}" is not allowed on a remote account: its credentials come from the AWS provider chain (a "profile"), never from the workspace`,
      });
  const remote = raw.remote;
  if (typeof remote !== 'object' || remote === null || Array.isArray(remote)) {
    issues.push({
      path,
      message: `"remote" must be an object such as {"profile": "acme"}, got ${describeType(remote)}`,
    });
    return { name, accessKeyId: '', secretAccessKey: '', remote: {} };
  }
  const fields = remote as Record<string, unknown>;
  unknownKeys(fields, ['endpoint', 'profile'], `${path}.remote`, issues);
  const endpoint = readString(fields, 'endpoint', `${path}.remote`, issues, {
    pattern: { test: /^https?:\/\/[^/\s]+\/?$/, expected: 'must be an http:// or https:// URL of an S3 endpoint' },
  });
  const profile = readString(fields, 'profile', `${path}.remote`, issues);
  const description = readString(raw, 'description', path, issues, { allowEmpty: true });
  return {
    name,
    accessKeyId: '',
    secretAccessKey: '',
    ...(description !== undefined ? { description } : {}),
    remote: { ...(endpoint ? { endpoint } : {}), ...(profile ? { profile } : {}) },
  };
}

/** "prefix": a folder path with dynamic values, as the product's prefix field takes it. */
function readPrefix(item: JsonObject, at: string, issues: InputIssue[]): string {
  const prefix = readString(item, 'prefix', at, issues, { allowEmpty: true }) ?? '';
  for (const name of unknownPlaceholders(prefix)) {
    issues.push({
      path: at,
      message: `"prefix" uses {{${name}}}; the dynamic values are {{template_name}}, {{submitted_by}}, {{submitted_at}}`,
    });
  }
  if (prefix.startsWith('/'))
    issues.push({ path: at, message: '"prefix" must not start with "/" (S3 keys have no leading slash)' });
  return prefix;
}

/** "detection" and "queueUrl": how drops are noticed, which depends on whether the account is remote. */
function readDetection(
  item: JsonObject,
  at: string,
  account: { name: string; remote: boolean },
  issues: InputIssue[],
): Pick<InboundIntegration, 'detection' | 'queueUrl'> {
  const detection = readOneOf(item, 'detection', DETECTIONS, 'event', at, issues);
  if (account.remote && detection === 'event')
    issues.push({
      path: at,
      message: `account "${account.name}" is remote: its drops are detected by polling ("detection": "poll") or from a queue ("sqs"); events come from the embedded gateway only`,
    });
  const queueUrl = readString(item, 'queueUrl', at, issues, {
    pattern: {
      test: /^https?:\/\/\S+$/,
      expected: 'must be the queue\'s URL, like "https://sqs.us-east-1.amazonaws.com/123456789012/drops"',
    },
  });
  if (detection === 'sqs' && (!account.remote || !queueUrl))
    issues.push({
      path: at,
      message: `"detection": "sqs" needs a remote account and "queueUrl" (the queue receiving the bucket's event notifications)`,
    });
  return { detection, ...(queueUrl !== undefined ? { queueUrl } : {}) };
}

function readInboundIntegration(
  item: JsonObject,
  at: string,
  template: { name: string; autoSubmit: boolean },
  defaults: { region: string },
  accounts: readonly Account[],
  issues: InputIssue[],
): InboundIntegration {
  unknownKeys(item, INBOUND_KEYS, at, issues);
  const account = readAccountName(item, at, accounts, issues);
  const prefix = readPrefix(item, at, issues);
  const bucket = readBucketName(item, at, issues);
  const remote = accounts.find((a) => a.name === account)?.remote !== undefined;
  const detection = readDetection(item, at, { name: account, remote }, issues);
  return {
    name: readString(item, 'name', at, issues) ?? template.name,
    template: template.name,
    account,
    region: readRegion(item, at, defaults.region, issues),
    bucketMode: readBucketMode(item, at, issues),
    bucket,
    prefix,
    ...detection,
    pollIntervalSeconds: readInteger(item, 'pollIntervalSeconds', at, issues, { min: MIN_POLL_SECONDS }) ?? 5,
    outcome: readOneOf(item, 'outcome', OUTCOMES, template.autoSubmit ? 'auto-submit' : 'all-or-nothing', at, issues),
  };
}

export function parseInbound(
  raw: Record<string, unknown>,
  path: string,
  template: { name: string; autoSubmit: boolean },
  defaults: { region: string },
  accounts: readonly Account[],
  issues: InputIssue[],
): InboundIntegration[] {
  return readObjectList(
    raw.inbound,
    `${path}.inbound`,
    { item: 'inbound integration', example: '{"account": "acme-aws", "bucket": "acme-claravine"}' },
    issues,
    (item, at) => readInboundIntegration(item, at, template, defaults, accounts, issues),
  );
}
