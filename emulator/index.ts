/**
 * `import { startHarness } from 's3-harness'`: the whole harness in a program or a test (the CLI's
 * `start` without the terminal). A first API; docs/api-node.md will describe it as it grows.
 */
export { startHarness, type Harness, type HarnessOptions } from './harness.ts';
export { loadWorkspaceFile, WorkspaceFileError, type LoadedWorkspace } from './workspace-file.ts';
export { runScenarios, type RunAllOptions } from './scenarios/run-all.ts';
export { findScenarioFiles } from './scenarios/scenario-files.ts';
export { formatResult, type ScenarioResult } from './scenarios/scenario-result.ts';
export { DEFAULTS } from './defaults.ts';
export { parseWorkspace, type Workspace } from '../core/workspace/index.ts';
