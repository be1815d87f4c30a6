/** Scenarios: stories as data, validated at load, and the workspace edits they make. */
export type * from './scenario-types.ts';
export { SCENARIO_OPERATIONS, STEP_KINDS } from './scenario-types.ts';
export { parseScenario } from './parse-scenario.ts';
export { STEP_DEFINITIONS, type StepDefinition, type StepKind, type StepOf } from './steps/index.ts';
export { listed } from './steps/definition.ts';
export { applyPatch } from '../workspace/patch.ts';
