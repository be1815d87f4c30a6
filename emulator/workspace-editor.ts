/**
 * The workspace as the web UI edits it: its JSON (kept as written, for the download), validated
 * whole on every change like a file at start, saved to the data folder so that edits outlive a
 * restart, and handed to the running harness. A change that does not validate changes nothing.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { InputIssue } from '../core/shared/issues.ts';
import { applyEdits, parseWorkspace, type Workspace, type WorkspaceEdit } from '../core/workspace/index.ts';

export type WorkspaceJson = Record<string, unknown>;

export interface WorkspaceEditor {
  /** A copy of the workspace's JSON, as it would be downloaded. */
  json(): WorkspaceJson;
  workspace(): Workspace;
  /**
   * Applies edits to a copy of the JSON; when the result validates, saves and applies it. A refusal says
   * whether an edit named nothing that exists (`edit`: the client's request is wrong, a 400) or the
   * result is not a valid workspace (`workspace`: a 422 with every problem).
   */
  edit(edits: readonly WorkspaceEdit[]): Promise<EditResult>;
}

export type EditResult =
  { ok: true; value: Workspace } | { ok: false; stage: 'edit' | 'workspace'; issues: InputIssue[] };

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
    edit(edits) {
      // One edit at a time: each starts from the previous one's result.
      const result = editing.then(async (): Promise<EditResult> => {
        if (!options.json)
          return {
            ok: false,
            stage: 'workspace',
            issues: [
              {
                path: '(workspace)',
                message: "this harness was started without its workspace file's JSON, so it cannot be edited",
              },
            ],
          };
        const applied = applyEdits(json, edits, { indexAppends: false });
        if (!applied.ok) return { ok: false, stage: 'edit', issues: applied.issues };
        // What is validated is exactly what is saved, so a saved workspace is always one the harness starts from.
        const text = `${JSON.stringify(applied.value, null, 2)}\n`;
        const next = JSON.parse(text) as WorkspaceJson;
        const parsed = parseWorkspace(next);
        if (!parsed.ok) return { ok: false, stage: 'workspace', issues: parsed.issues };
        if (options.file) {
          await writeFile(`${options.file}.tmp`, text);
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
