/** Validates a scenario file's JSON: every problem named with its path (`steps[3].expectObject`). */
import { asPolicyDocument } from '../iam/index.ts';
import { describeType, isRecord, type InputIssue, type Validated } from '../shared/issues.ts';
import {
  readBoolean,
  readInteger,
  readObjectList,
  readString,
  unknownKeys,
  type JsonObject,
} from '../shared/read-fields.ts';
import {
  SCENARIO_OPERATIONS,
  STEP_KINDS,
  type Scenario,
  type ScenarioOperation,
  type ScenarioStep,
} from './scenario-types.ts';

const TOP_KEYS = ['name', 'description', 'workspace', 'patch', 'clock', 'rowLimit', 'steps'];

function readObject(value: JsonObject, key: string, path: string, issues: InputIssue[]): JsonObject | undefined {
  const v = value[key];
  if (v === undefined) return undefined;
  if (!isRecord(v)) {
    issues.push({ path, message: `"${key}" must be an object, got ${describeType(v)}` });
    return undefined;
  }
  return v;
}

function readObjects(
  value: JsonObject,
  key: string,
  path: string,
  issues: InputIssue[],
): Record<string, unknown>[] | undefined {
  const v = value[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every(isRecord)) {
    issues.push({ path, message: `"${key}" must be a list of objects, got ${describeType(v)}` });
    return undefined;
  }
  return v;
}

function oneOf<T extends string>(
  value: JsonObject,
  key: string,
  allowed: readonly T[],
  path: string,
  issues: InputIssue[],
  required = false,
): T | undefined {
  const v = value[key];
  if (v === undefined) {
    if (required)
      issues.push({ path, message: `"${key}" is required: one of ${allowed.map((a) => `"${a}"`).join(', ')}` });
    return undefined;
  }
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  issues.push({
    path,
    message: `"${key}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describeType(v)}`,
  });
  return undefined;
}

function validRegExp(pattern: string | undefined, path: string, issues: InputIssue[]): void {
  if (pattern === undefined) return;
  try {
    new RegExp(pattern);
  } catch (error) {
    issues.push({ path, message: `"keyPattern" is not a valid regular expression: ${(error as Error).message}` });
  }
}

const STEP_KEYS: Record<ScenarioStep['kind'], string[]> = {
  upload: ['as', 'bucket', 'key', 'file', 'text', 'sse'],
  expectAccess: ['as', 'operation', 'bucket', 'key', 'prefix', 'sse', 'allowed', 'code', 'explanation'],
  expectSubmission: [
    'bucket',
    'key',
    'status',
    'issues',
    'issuesMatch',
    'deliveries',
    'timeoutMs',
    'name',
    'template',
    'integration',
    'counts',
    'submittedBy',
    'submittedByEmail',
    'submittedAt',
    'error',
    'issuesNotKept',
    'splitFrom',
  ],
  expectNoSubmission: ['bucket', 'key'],
  expectObject: ['as', 'bucket', 'key', 'keyPattern', 'equalsFile', 'text', 'rows', 'delimiter', 'sse'],
  expectIntegration: ['id', 'direction', 'status', 'warning'],
  expectPreflight: ['ok', 'integration', 'action', 'allowed', 'statement', 'explanation'],
  putBucketPolicy: ['as', 'bucket', 'policy'],
  retryDelivery: ['bucket', 'key', 'integration'],
  expectDataset: ['template', 'rows'],
};

/** Submission fields an `expectSubmission` step may state, compared as a subset. */
const SUBMISSION_FIELDS = [
  'name',
  'template',
  'integration',
  'counts',
  'submittedBy',
  'submittedByEmail',
  'submittedAt',
  'error',
  'issuesNotKept',
  'splitFrom',
];

function parseStep(
  kind: ScenarioStep['kind'],
  body: JsonObject,
  path: string,
  issues: InputIssue[],
): ScenarioStep | undefined {
  unknownKeys(body, STEP_KEYS[kind], path, issues);
  const str = (key: string, required = false) => readString(body, key, path, issues, { required });
  switch (kind) {
    case 'upload': {
      const file = str('file');
      const text = body.text === undefined ? undefined : readString(body, 'text', path, issues, { allowEmpty: true });
      if ((file === undefined) === (text === undefined))
        issues.push({ path, message: 'an upload takes either "file" (relative to the scenario) or "text"' });
      return {
        kind,
        as: str('as', true) ?? '',
        bucket: str('bucket', true) ?? '',
        key: str('key', true) ?? '',
        body: file !== undefined ? { file } : { text: text ?? '' },
        sse: readBoolean(body, 'sse', path, issues, false),
      };
    }
    case 'expectAccess': {
      const operation = oneOf<ScenarioOperation>(body, 'operation', SCENARIO_OPERATIONS, path, issues, true);
      const bucket = str('bucket');
      const key = str('key');
      if (operation && operation !== 'ListBuckets' && !bucket)
        issues.push({ path, message: `${operation} needs a "bucket"` });
      if (operation && ['GetObject', 'HeadObject', 'PutObject', 'DeleteObject'].includes(operation) && !key)
        issues.push({ path, message: `${operation} needs a "key"` });
      if (typeof body.allowed !== 'boolean')
        issues.push({ path, message: `"allowed" is required: true or false, got ${describeType(body.allowed)}` });
      const code = str('code');
      const explanation = str('explanation');
      const prefix =
        body.prefix === undefined ? undefined : readString(body, 'prefix', path, issues, { allowEmpty: true });
      return {
        kind,
        as: str('as', true) ?? '',
        operation: operation ?? 'ListBuckets',
        sse: readBoolean(body, 'sse', path, issues, false),
        allowed: body.allowed === true,
        ...(bucket !== undefined ? { bucket } : {}),
        ...(key !== undefined ? { key } : {}),
        ...(prefix !== undefined ? { prefix } : {}),
        ...(code !== undefined ? { code } : {}),
        ...(explanation !== undefined ? { explanation } : {}),
      };
    }
    case 'expectSubmission': {
      const status = oneOf(body, 'status', ['complete', 'failed', 'pending'] as const, path, issues);
      const bucket = str('bucket');
      const issueList = readObjects(body, 'issues', path, issues);
      const deliveries = readObjects(body, 'deliveries', path, issues);
      const fields = Object.fromEntries(
        SUBMISSION_FIELDS.filter((f) => body[f] !== undefined).map((f) => [f, body[f]]),
      );
      return {
        kind,
        key: str('key', true) ?? '',
        fields,
        issuesMatch: oneOf(body, 'issuesMatch', ['subset', 'exact'] as const, path, issues) ?? 'subset',
        timeoutMs: readInteger(body, 'timeoutMs', path, issues, { min: 1, max: 600_000 }) ?? 20_000,
        ...(bucket !== undefined ? { bucket } : {}),
        ...(status ? { status } : {}),
        ...(issueList ? { issues: issueList } : {}),
        ...(deliveries ? { deliveries } : {}),
      };
    }
    case 'expectNoSubmission': {
      const bucket = str('bucket');
      return { kind, key: str('key', true) ?? '', ...(bucket !== undefined ? { bucket } : {}) };
    }
    case 'expectObject': {
      const key = str('key');
      const keyPattern = str('keyPattern');
      if ((key === undefined) === (keyPattern === undefined))
        issues.push({ path, message: 'an expectObject step names either a "key" or a "keyPattern"' });
      validRegExp(keyPattern, path, issues);
      const optional = Object.fromEntries(
        (['equalsFile', 'delimiter'] as const).map((k) => [k, str(k)]).filter(([, v]) => v !== undefined),
      );
      const text = body.text === undefined ? undefined : readString(body, 'text', path, issues, { allowEmpty: true });
      const sse = oneOf(body, 'sse', ['AES256', 'none'] as const, path, issues);
      return {
        kind,
        as: str('as', true) ?? '',
        bucket: str('bucket', true) ?? '',
        ...optional,
        ...(key !== undefined ? { key } : {}),
        ...(keyPattern !== undefined ? { keyPattern } : {}),
        ...(text !== undefined ? { text } : {}),
        ...(body.rows !== undefined ? { rows: body.rows } : {}),
        ...(sse ? { sse } : {}),
      };
    }
    case 'expectIntegration': {
      const direction = oneOf(body, 'direction', ['inbound', 'outbound'] as const, path, issues);
      const warning = str('warning');
      return {
        kind,
        id: str('id', true) ?? '',
        status: oneOf(body, 'status', ['active', 'warning'] as const, path, issues, true) ?? 'active',
        ...(direction ? { direction } : {}),
        ...(warning !== undefined ? { warning } : {}),
      };
    }
    case 'expectPreflight': {
      const integration = str('integration');
      const action = str('action');
      if ((integration === undefined) !== (action === undefined))
        issues.push({ path, message: 'a preflight check names both "integration" and "action"' });
      const optional: Record<string, unknown> = {};
      for (const key of ['ok', 'allowed'] as const) {
        if (body[key] === undefined) continue;
        if (typeof body[key] !== 'boolean')
          issues.push({ path, message: `"${key}" must be true or false, got ${describeType(body[key])}` });
        else optional[key] = body[key];
      }
      for (const key of ['statement', 'explanation'] as const) {
        const v = str(key);
        if (v !== undefined) optional[key] = v;
      }
      return {
        kind,
        ...(integration !== undefined ? { integration } : {}),
        ...(action !== undefined ? { action } : {}),
        ...optional,
      };
    }
    case 'putBucketPolicy': {
      let policy = null;
      if (body.policy === undefined)
        issues.push({
          path,
          message: '"policy" is required: a policy document, or null to delete the bucket\'s policy',
        });
      else if (body.policy !== null) {
        // The gateway validates it as S3 does when the step sends it (MalformedPolicy names the problem).
        if (!isRecord(body.policy) || body.policy.Statement === undefined)
          issues.push({
            path,
            message: `"policy" must be a policy document with a "Statement", got ${describeType(body.policy)}`,
          });
        else policy = asPolicyDocument(body.policy);
      }
      return { kind, as: str('as', true) ?? '', bucket: str('bucket', true) ?? '', policy };
    }
    case 'expectDataset': {
      const rows = readObjects(body, 'rows', path, issues);
      if (!rows)
        issues.push({
          path,
          message: '"rows" is required: the dataset\'s rows in order, such as [{"values": {"Campaign": "Spring"}}]',
        });
      return { kind, template: str('template', true) ?? '', rows: rows ?? [] };
    }
    case 'retryDelivery': {
      const bucket = str('bucket');
      return {
        kind,
        key: str('key', true) ?? '',
        integration: str('integration', true) ?? '',
        ...(bucket !== undefined ? { bucket } : {}),
      };
    }
  }
}

export function parseScenario(json: unknown): Validated<Scenario> {
  const issues: InputIssue[] = [];
  if (!isRecord(json))
    return {
      ok: false,
      issues: [{ path: '(file)', message: `a scenario must be a JSON object, got ${describeType(json)}` }],
    };
  unknownKeys(json, TOP_KEYS, '(file)', issues);
  const name = readString(json, 'name', '(file)', issues, { required: true }) ?? '';
  const description = readString(json, 'description', '(file)', issues);
  let workspace: Scenario['workspace'] = { inline: {} };
  if (typeof json.workspace === 'string') workspace = { file: json.workspace };
  else if (isRecord(json.workspace)) workspace = { inline: json.workspace };
  else
    issues.push({
      path: 'workspace',
      message: `"workspace" is required: a workspace file relative to the scenario, or the workspace itself, got ${describeType(json.workspace)}`,
    });
  const patch = readObject(json, 'patch', '(file)', issues) ?? {};
  const clock = readString(json, 'clock', '(file)', issues);
  if (clock !== undefined && Number.isNaN(Date.parse(clock)))
    issues.push({
      path: 'clock',
      message: `"clock" must be an ISO 8601 time such as "2026-11-28T09:30:00Z", got ${JSON.stringify(clock)}`,
    });
  const rowLimit = readInteger(json, 'rowLimit', '(file)', issues, { min: 1 });
  if (!Array.isArray(json.steps) || json.steps.length === 0)
    issues.push({
      path: 'steps',
      message: `"steps" must be a list of at least one step, got ${describeType(json.steps)}`,
    });
  const steps = readObjectList(
    json.steps,
    'steps',
    { item: 'step', example: '{"upload": {"as": "uploader", "bucket": "b", "key": "k", "text": "..."}}' },
    issues,
    (item, path) => {
      const kinds = Object.keys(item);
      const kind = kinds[0] as ScenarioStep['kind'];
      if (kinds.length !== 1 || !(STEP_KINDS as readonly string[]).includes(kind)) {
        issues.push({
          path,
          message: `a step is an object with one key, the step's kind (${STEP_KINDS.map((k) => `"${k}"`).join(', ')}), got ${kinds.map((k) => `"${k}"`).join(', ') || 'none'}`,
        });
        return undefined;
      }
      const body = item[kind];
      if (!isRecord(body)) {
        issues.push({ path: `${path}.${kind}`, message: `must be an object, got ${describeType(body)}` });
        return undefined;
      }
      return parseStep(kind, body, `${path}.${kind}`, issues);
    },
  );
  if (issues.length) return { ok: false, issues };
  return {
    ok: true,
    value: {
      name,
      workspace,
      patch,
      steps,
      ...(description !== undefined ? { description } : {}),
      ...(clock !== undefined ? { clock } : {}),
      ...(rowLimit !== undefined ? { rowLimit } : {}),
    },
  };
}
