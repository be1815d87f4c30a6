/** The workspace file: types and validation. */
export type * from './workspace-types.ts';
export { parseWorkspace, bucketNameProblem } from './parse-workspace.ts';
