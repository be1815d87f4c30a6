/** Reads a scenario file and the workspace it names (a file beside it, or inline, with its patch). */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseScenario, applyPatch, type Scenario } from '../../core/scenarios/index.ts';
import { formatIssue } from '../../core/shared/issues.ts';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
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
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new ScenarioFileError(file, `${parsed.issues.length} problem(s) in the scenario`, parsed.issues);
  const scenario = parsed.value;
  const directory = dirname(resolve(file));
  let workspaceJson: unknown;
  let workspaceName = `${file} (inline workspace)`;
  if ('file' in scenario.workspace) {
    workspaceName = resolve(directory, scenario.workspace.file);
    workspaceJson = await parseJsonFile(workspaceName, 'workspace', ScenarioFileError);
  } else {
    workspaceJson = scenario.workspace.inline;
  }
  const patched = applyPatch(workspaceJson, scenario.patch);
  if (!patched.ok) throw new ScenarioFileError(file, `${patched.issues.length} problem(s) in the scenario's patch`, patched.issues);
  const workspace = parseWorkspace(patched.value);
  if (!workspace.ok) {
    throw new ScenarioFileError(file, `the workspace (${workspaceName}${Object.keys(scenario.patch).length ? ', patched' : ''}) has ${workspace.issues.length} problem(s):\n${workspace.issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
  return { file, directory, scenario, workspace: workspace.value };
}

export async function readScenarioText(directory: string, relative: string): Promise<Buffer> {
  return readFile(resolve(directory, relative));
}
