import type { Workspace, WorkspaceUser } from './workspace-types.ts';

/** The IAM user whose access key a connected account holds; undefined when no user has it (or no such account). */
export function accountUser(
  workspace: Pick<Workspace, 'accounts' | 'iam'>,
  accountName: string,
): WorkspaceUser | undefined {
  const account = workspace.accounts.find((a) => a.name === accountName);
  return account && workspace.iam.users.find((u) => u.accessKeyId === account.accessKeyId);
}
