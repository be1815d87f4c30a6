/** Reads a scenario file and the workspace it names (a file beside it, or inline, with its patch). */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  STEP_DEFINITIONS,
  applyPatch,
  listed,
  parseScenario,
  type Scenario,
  type StepDefinition,
  type StepKind,
} from '../../core/scenarios/index.ts';
import { formatIssue, type InputIssue } from '../../core/shared/issues.ts';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { DEFAULTS } from '../defaults.ts';
import { WorkspaceFileError, parseJsonFile } from '../workspace-file.ts';

export interface LoadedScenario {
  file: string;
  /** The folder the scenario's paths are relative to. */
  directory: string;
  scenario: Scenario;
  workspace: Workspace;
}

export class ScenarioFileError extends WorkspaceFileError {}

export async function loadScenarioFile(file: string): Promise<LoadedScenario> {
  const json = await parseJsonFile(file, 'scenario', ScenarioFileError);
  const directory = dirname(resolve(file));
  const parsed = parseScenario(json);
  if (!parsed.ok) {
    // Every problem at once: what the steps name is checked too, as far as the file can be read.
    const issues = [...parsed.issues, ...(await looseReferenceIssues(json, directory, parsed.issues))];
    throw new ScenarioFileError(file, `${issues.length} problem(s) in the scenario`, issues);
  }
  const scenario = parsed.value;
  let workspaceJson: unknown;
  let workspaceName = `${file} (inline workspace)`;
  if ('inline' in scenario.workspace) workspaceJson = scenario.workspace.inline;
  else {
    workspaceName = 'file' in scenario.workspace ? resolve(directory, scenario.workspace.file) : DEFAULTS.demoWorkspace;
    workspaceJson = await parseJsonFile(workspaceName, 'workspace', ScenarioFileError);
  }
  const patched = applyPatch(workspaceJson, scenario.patch);
  if (!patched.ok)
    throw new ScenarioFileError(file, `${patched.issues.length} problem(s) in the scenario's patch`, patched.issues);
  const workspace = parseWorkspace(patched.value);
  if (!workspace.ok) {
    throw new ScenarioFileError(
      file,
      `the workspace (${workspaceName}${Object.keys(scenario.patch).length ? ', patched' : ''}) has ${workspace.issues.length} problem(s):\n${workspace.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`,
    );
  }
  const references = [...checkReferences(scenario, workspace.value), ...checkFiles(scenario, directory)];
  if (references.length)
    throw new ScenarioFileError(file, `${references.length} problem(s) in the scenario`, references);
  return { file, directory, scenario, workspace: workspace.value };
}

/** What the steps name must exist in the workspace: the user of every step with `as`, and each kind's own references. */
function checkReferences(scenario: Scenario, workspace: Workspace): InputIssue[] {
  const users = workspace.iam.users.map((u) => u.name);
  return scenario.steps.flatMap((step, i) => {
    const path = `steps[${i}].${step.kind}`;
    const definition = STEP_DEFINITIONS[step.kind] as StepDefinition<StepKind>;
    const messages = [
      ...('as' in step && !users.includes(step.as)
        ? [`"as" names "${step.as}", which is not a user of the workspace (${listed(users)})`]
        : []),
      ...(definition.references?.(step, workspace) ?? []),
    ];
    return messages.map((message) => ({ path, message }));
  });
}

/** The files the steps name (an upload's body, an expected object) must exist, named by their step. */
function checkFiles(scenario: Scenario, directory: string): InputIssue[] {
  return scenario.steps.flatMap((step, i) => {
    const named =
      step.kind === 'upload' && 'file' in step.body
        ? ['file', step.body.file]
        : step.kind === 'expectObject' && step.equalsFile !== undefined
          ? ['equalsFile', step.equalsFile]
          : undefined;
    if (!named || existsSync(resolve(directory, named[1]!))) return [];
    return [missingFile(`steps[${i}].${step.kind}`, named[0]!, named[1]!, directory)];
  });
}

function missingFile(path: string, key: string, name: string, directory: string): InputIssue {
  return {
    path,
    message: `"${key}" names "${name}", which does not exist (${resolve(directory, name)}; paths are relative to the scenario file)`,
  };
}

/**
 * When the scenario does not parse, the users and files its steps name are still checked, from the raw
 * JSON, so that one run of the loader reports every problem (a step already reported is skipped).
 */
async function looseReferenceIssues(
  json: unknown,
  directory: string,
  reported: readonly InputIssue[],
): Promise<InputIssue[]> {
  const raw = json as { workspace?: unknown; steps?: unknown };
  if (!Array.isArray(raw?.steps)) return [];
  let users: string[] | undefined;
  const workspaceFile =
    typeof raw.workspace === 'string'
      ? resolve(directory, raw.workspace)
      : raw.workspace === undefined
        ? DEFAULTS.demoWorkspace
        : undefined;
  const workspaceJson =
    workspaceFile !== undefined
      ? await parseJsonFile(workspaceFile, 'workspace', ScenarioFileError).catch(() => undefined)
      : raw.workspace;
  const workspace = workspaceJson === undefined ? undefined : parseWorkspace(workspaceJson);
  if (workspace?.ok) users = workspace.value.iam.users.map((u) => u.name);
  const issues: InputIssue[] = [];
  raw.steps.forEach((step: unknown, i: number) => {
    if (typeof step !== 'object' || step === null) return;
    const [kind, body] = Object.entries(step)[0] ?? [];
    if (typeof body !== 'object' || body === null) return;
    const path = `steps[${i}].${kind}`;
    if (reported.some((issue) => issue.path === `steps[${i}]` || issue.path.startsWith(path))) return;
    const fields = body as Record<string, unknown>;
    if (users && typeof fields.as === 'string' && !users.includes(fields.as))
      issues.push({
        path,
        message: `"as" names "${fields.as}", which is not a user of the workspace (${listed(users)})`,
      });
    for (const key of ['file', 'equalsFile'])
      if (typeof fields[key] === 'string' && !existsSync(resolve(directory, fields[key] as string)))
        issues.push(missingFile(path, key, fields[key] as string, directory));
  });
  return issues;
}

export async function readScenarioText(directory: string, relative: string): Promise<Buffer> {
  return readFile(resolve(directory, relative));
}
