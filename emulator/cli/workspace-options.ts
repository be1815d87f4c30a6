/** What several commands share: the workspace option and finding a template in it. */
import type { WorkspaceTemplate } from '../../core/workspace/index.ts';
import { loadWorkspaceFile, type LoadedWorkspace } from '../workspace-file.ts';
import { DEFAULTS } from '../defaults.ts';
import { UsageError } from './usage-error.ts';

export async function loadTemplate(
  workspaceFile: string | undefined,
  templateName: string | undefined,
): Promise<LoadedWorkspace & { template: WorkspaceTemplate }> {
  if (!templateName) throw new UsageError('--template NAME is required');
  const loaded = await loadWorkspaceFile(workspaceFile ?? DEFAULTS.demoWorkspace);
  const template = loaded.workspace.templates.find((t) => t.name === templateName);
  if (!template) {
    const names = loaded.workspace.templates.map((t) => `"${t.name}"`).join(', ') || 'none';
    throw new UsageError(
      `template "${templateName}" is not in ${workspaceFile ?? DEFAULTS.demoWorkspace} (its templates: ${names})`,
    );
  }
  return { ...loaded, template };
}
