/**
 * Edits to a workspace's JSON: the one mechanism behind a scenario's `patch` and every change made in
 * the web UI (docs/scenarios.md, `patch`; docs/web-ui.md, "Changes made in the UI"). A path is a list of segments: a key, an index, the item
 * named X, or `append`. Scenarios write paths as text, keys separated by dots with `[N]`, `[name=X]`
 * or `[+]` (`templates[name=Email].outbound[0].sse`); the UI builds segments directly, so a name may
 * hold any character. Keys are data: `__proto__` is a key like any other, never the object's prototype.
 */
import { isRecord, type InputIssue, type Validated } from '../shared/issues.ts';

export type PathSegment = { key: string } | { index: number } | { name: string } | { append: true };

export interface WorkspaceEdit {
  path: readonly PathSegment[];
  /** The new value; with `remove`, the key or list item is removed instead. */
  value?: unknown;
  remove?: boolean;
}

export interface EditOptions {
  /**
   * Whether `[N]` with N the list's length appends (scenario files may write `[1]`, `[2]`, since a JSON
   * object cannot hold `[+]` twice). The UI sets false: an index must name an item that exists.
   * @default true
   */
  indexAppends?: boolean;
}

const SELECTOR = String.raw`\[(?:\d+|\+|name=[^\]]+)\]`;
const WELL_FORMED = new RegExp(String.raw`^[^.[\]]+(?:${SELECTOR})*(?:\.[^.[\]]+(?:${SELECTOR})*)*$`);

/** A path written as text, or undefined when it is not one. */
export function parsePath(path: string): PathSegment[] | undefined {
  if (!WELL_FORMED.test(path)) return undefined;
  const segments: PathSegment[] = [];
  const pattern = /([^.[\]]+)|\[(\d+|\+|name=[^\]]+)\]|(\.)/gy;
  let match: RegExpExecArray | null;
  let last = 0;
  while ((match = pattern.exec(path))) {
    last = pattern.lastIndex;
    if (match[1] !== undefined) segments.push({ key: match[1] });
    else if (match[2] === '+') segments.push({ append: true });
    else if (match[2]?.startsWith('name=')) segments.push({ name: match[2].slice(5) });
    else if (match[2] !== undefined) segments.push({ index: Number(match[2]) });
  }
  return last === path.length && segments.length > 0 ? segments : undefined;
}

export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((s, i) =>
      'key' in s ? `${i ? '.' : ''}${s.key}` : 'index' in s ? `[${s.index}]` : 'name' in s ? `[name=${s.name}]` : '[+]',
    )
    .join('');
}

const describe = (segment: PathSegment) =>
  'key' in segment
    ? `"${segment.key}"`
    : 'index' in segment
      ? `[${segment.index}]`
      : 'name' in segment
        ? `[name=${segment.name}]`
        : '[+]';

/** Sets an own property, so that `__proto__` is stored as a key and never changes a prototype. */
function setOwn(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies one edit in place; the problem, or undefined. */
function applyEdit(root: unknown, edit: WorkspaceEdit, options: Required<EditOptions>): string | undefined {
  const { path } = edit;
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const isLast = i === path.length - 1;
    const fail = (why: string) => `${describe(segment)}: ${why}`;
    if ('key' in segment) {
      if (!isRecord(node)) return fail('is not inside an object');
      if (isLast) {
        if (edit.remove) delete node[segment.key];
        else setOwn(node, segment.key, edit.value);
        return undefined;
      }
      let next = Object.hasOwn(node, segment.key) ? node[segment.key] : undefined;
      // Appending to a list the workspace does not have yet (its first account, say) starts it.
      if (next === undefined && 'append' in path[i + 1]!) setOwn(node, segment.key, (next = []));
      node = next;
      continue;
    }
    if (!Array.isArray(node)) return fail('is not inside a list');
    if ('append' in segment) {
      if (!isLast) return fail('[+] appends, so it must come last');
      if (edit.remove) return fail('[+] cannot be removed');
      node.push(edit.value);
      return undefined;
    }
    const index =
      'index' in segment ? segment.index : node.findIndex((item) => isRecord(item) && item.name === segment.name);
    const appends = isLast && options.indexAppends && !edit.remove && index === node.length;
    if (!Number.isInteger(index) || index < 0 || (index >= node.length && !appends))
      return fail(`no such item (the list has ${node.length})`);
    if (isLast) {
      if (edit.remove) node.splice(index, 1);
      else node[index] = edit.value;
      return undefined;
    }
    node = node[index];
  }
  return undefined;
}

/** Applies every edit, in order, to a copy of `json`; every problem is named by its path. */
export function applyEdits(
  json: unknown,
  edits: readonly WorkspaceEdit[],
  options: EditOptions = {},
): Validated<unknown> {
  const copy = structuredClone(json);
  const resolved = { indexAppends: true, ...options } satisfies Required<EditOptions>;
  const issues: InputIssue[] = [];
  for (const edit of edits) {
    const problem = applyEdit(copy, edit, resolved);
    if (problem) issues.push({ path: formatPath(edit.path), message: problem });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: copy };
}

/** A scenario's `patch`: paths written as text, each with its value, applied in the order written. */
export function applyPatch(json: unknown, patch: Record<string, unknown>): Validated<unknown> {
  const copy = structuredClone(json);
  const issues: InputIssue[] = [];
  for (const [path, value] of Object.entries(patch)) {
    const segments = parsePath(path);
    const problem = segments
      ? applyEdit(copy, { path: segments, value }, { indexAppends: true })
      : 'is not a path: keys separated by dots, with [N], [name=X] or [+], such as "templates[name=Email].outbound[0].sse"';
    if (problem) issues.push({ path: `patch["${path}"]`, message: problem });
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: copy };
}
