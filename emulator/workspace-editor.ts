/**
 * The workspace as the web UI edits it: its JSON (kept as written, for the download), validated
 * whole on every change like a file at start, saved to the data folder so that edits outlive a
 * restart, and handed to the running harness. A change that does not validate changes nothing.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { InputIssue, Validated } from '../core/shared/issues.ts';
import { parseWorkspace, type Workspace } from '../core/workspace/index.ts';

export type WorkspaceJson = Record<string, unknown>;

export interface WorkspaceEditor {
  /** A copy of the workspace's JSON, as it would be downloaded. */
  json(): WorkspaceJson;
  workspace(): Workspace;
  /** Edits a copy of the JSON; when it validates, saves and applies it. */
  edit(change: (json: WorkspaceJson) => void): Promise<Validated<Workspace>>;
}

export interface WorkspaceEditorOptions {
  /** The workspace's JSON as written; without it, edits are refused (the parsed form cannot be written back). */
  json?: WorkspaceJson;
  workspace: Workspace;
  /** Where edits are saved (DATA/workspace.json); none: edits last until the harness stops. */
  file?: string;
  apply(workspace: Workspace): Promise<void>;
}

export function createWorkspaceEditor(options: WorkspaceEditorOptions): WorkspaceEditor {
  let json = structuredClone(options.json ?? {});
  let workspace = options.workspace;
  let editing: Promise<unknown> = Promise.resolve();
  return {
    json: () => structuredClone(json),
    workspace: () => workspace,
    edit(change) {
      // One edit at a time: each starts from the previous one's result.
      const result = editing.then(async (): Promise<Validated<Workspace>> => {
        if (!options.json) return { ok: false, issues: [{ path: '(workspace)', message: 'this harness was started without its workspace file\'s JSON, so it cannot be edited' }] };
        const next = structuredClone(json);
        try {
          change(next);
        } catch (error) {
          return { ok: false, issues: [{ path: '(edit)', message: (error as Error).message } satisfies InputIssue] };
        }
        const parsed = parseWorkspace(next);
        if (!parsed.ok) return { ok: false, issues: parsed.issues };
        if (options.file) {
          await writeFile(`${options.file}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
          await rename(`${options.file}.tmp`, options.file);
        }
        json = next;
        workspace = parsed.value;
        await options.apply(workspace);
        return { ok: true, value: workspace };
      });
      editing = result.catch(() => undefined);
      return result;
    },
  };
}
