/** The workspace file: types and validation. */
export type * from './workspace-types.ts';
export { PUBLIC_ACCESS_BLOCK_SETTINGS } from './workspace-types.ts';
export { parseWorkspace, bucketNameProblem, type WorkspaceParseResult } from './parse-workspace.ts';
export { HIDDEN_SECRET, withoutSecrets } from './secrets.ts';
export { accountUser } from './account-user.ts';
export {
  applyEdits,
  applyPatch,
  formatPath,
  parsePath,
  type EditOptions,
  type PathSegment,
  type WorkspaceEdit,
} from './patch.ts';
