/** Validates a scenario file's JSON: every problem named with its path (`steps[3].expectObject`). */
import { describeType, isRecord, type InputIssue, type Validated } from '../shared/issues.ts';
import { readInteger, readObjectList, readString, unknownKeys, type JsonObject } from '../shared/read-fields.ts';
import { STEP_KINDS, type Scenario, type ScenarioStep } from './scenario-types.ts';
import { stepInput } from './steps/definition.ts';
import { STEP_DEFINITIONS, type StepDefinition, type StepKind } from './steps/index.ts';

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
  // Without one, the bundled demo workspace: a scenario copied out of a checkout names no path it lacks.
  let workspace: Scenario['workspace'] = { demo: true };
  if (typeof json.workspace === 'string') workspace = { file: json.workspace };
  else if (isRecord(json.workspace)) workspace = { inline: json.workspace };
  else if (json.workspace !== undefined)
    issues.push({
      path: 'workspace',
      message: `"workspace" must be a workspace file relative to the scenario, or the workspace itself (or left out: the demo), got ${describeType(json.workspace)}`,
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
      const definition = STEP_DEFINITIONS[kind] as StepDefinition<StepKind>;
      const input = stepInput(body, `${path}.${kind}`, issues);
      unknownKeys(body, definition.keys, input.path, issues);
      return definition.parse(input);
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
