/** What the web UI's pages read and act on. */
import type { Workspace } from '../../core/workspace/index.ts';
import type { ActivityLog } from '../activity.ts';
import type { Engine } from '../engine/engine.ts';
import type { Gateway } from '../gateway/index.ts';
import type { WorkspaceEditor } from '../workspace-editor.ts';

export interface UiContext {
  workspace: Workspace;
  engine: Engine;
  gateway: Gateway;
  /** The gateway's S3 endpoint: uploads from the UI go through it, signed as the chosen user. */
  endpoint: string;
  /** Edits the workspace: validated, saved, applied (the harness restarts its engine). */
  editor: WorkspaceEditor;
  /** The harness's own origins (`http://127.0.0.1:4569`, ...): where a request for secrets may come from. */
  origins: ReadonlySet<string>;
  /** Every request answered and what became of every drop (the Activity page). */
  activity: ActivityLog;
}
