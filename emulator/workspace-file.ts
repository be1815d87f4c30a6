/** Reads a workspace file from disk: unreadable files, bad JSON and invalid content become one error. */
import { readFile } from 'node:fs/promises';
import { formatIssue, type InputIssue } from '../core/shared/issues.ts';
import { firstJsonErrorOffset, locationOf } from '../core/shared/json-error-location.ts';
import { parseWorkspace, type Workspace } from '../core/workspace/index.ts';

export class WorkspaceFileError extends Error {
  readonly issues: InputIssue[];
  constructor(file: string, summary: string, issues: InputIssue[] = []) {
    super(
      issues.length
        ? `${file}: ${summary}\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`
        : `${file}: ${summary}`,
    );
    this.issues = issues;
  }
}

/** Where the JSON breaks, as line and column, and what was there. */
function jsonErrorLocation(text: string): string {
  const offset = firstJsonErrorOffset(text);
  const { line, column } = locationOf(text, offset < 0 ? text.length : offset);
  const found = offset >= text.length || offset < 0 ? 'the end of the file' : JSON.stringify(text[offset]);
  return `unexpected ${found} at line ${line}, column ${column}`;
}

export interface LoadedWorkspace {
  workspace: Workspace;
  /** The file's JSON as written. */
  json: Record<string, unknown>;
  /** Problems that do not stop the file from loading (overlapping prefixes, say). */
  warnings: string[];
}

/** A JSON file's content; an unreadable file or bad JSON (with its line and column) becomes one error. */
export async function parseJsonFile(
  file: string,
  what: string,
  Failure: new (file: string, summary: string) => Error = WorkspaceFileError,
): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Failure(
      file,
      `cannot read the ${what} file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new Failure(file, `not valid JSON: ${jsonErrorLocation(text)}`);
  }
}

export async function loadWorkspaceFile(file: string): Promise<LoadedWorkspace> {
  const json = await parseJsonFile(file, 'workspace');
  const result = parseWorkspace(json);
  if (!result.ok)
    throw new WorkspaceFileError(file, `${result.issues.length} problem(s) in the workspace`, result.issues);
  return { workspace: result.value, json: json as Record<string, unknown>, warnings: result.warnings.map(formatIssue) };
}
