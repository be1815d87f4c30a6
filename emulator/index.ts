/**
 * `import { startHarness } from 's3-harness'`: the whole harness in a program or a test (docs/api-node.md).
 * `startFullHarness` is what `s3-harness start` runs, every option exposed.
 */
export { startHarness, runScenarios, type EmbedOptions, type EmbeddedHarness, type SubmissionMatch } from './embed.ts';
export { startHarness as startFullHarness, type Harness, type HarnessOptions } from './harness.ts';
export type { Submission, Delivery } from '../core/submissions/index.ts';
export type { LoggedDecision, DecisionFilter } from './gateway/index.ts';
export { loadWorkspaceFile, WorkspaceFileError, type LoadedWorkspace } from './workspace-file.ts';
export type { RunAllOptions } from './scenarios/run-all.ts';
export { findScenarioFiles } from './scenarios/scenario-files.ts';
export { formatResult, type ScenarioResult } from './scenarios/scenario-result.ts';
export { DEFAULTS } from './defaults.ts';
export { DataFolderInUseError } from './data-folder-lock.ts';
export { parseWorkspace, type Workspace } from '../core/workspace/index.ts';
