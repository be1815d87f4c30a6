/**
 * Small edits to a workspace's JSON, so a scenario can reuse a workspace file and change one thing:
 * `{"templates[name=Email].outbound[0].sse": false, "accounts[+]": {...}}`. A path is keys separated
 * by dots, with `[N]` (an index; the list's length appends), `[name=X]` (the item named X) or `[+]`
 * (append, last only). A JSON object keeps one value per key: to append two items, use `[1]`, `[2]`.
 */
import { isRecord, type InputIssue, type Validated } from '../shared/issues.ts';

type Segment = { key: string } | { index: number } | { name: string } | { append: true };

const SELECTOR = String.raw`\[(?:\d+|\+|name=[^\]]+)\]`;
const WELL_FORMED = new RegExp(String.raw`^[^.[\]]+(?:${SELECTOR})*(?:\.[^.[\]]+(?:${SELECTOR})*)*$`);

function parsePath(path: string): Segment[] | undefined {
  if (!WELL_FORMED.test(path)) return undefined;
  const segments: Segment[] = [];
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

const describe = (segment: Segment) => ('key' in segment ? `"${segment.key}"` : 'index' in segment ? `[${segment.index}]` : 'name' in segment ? `[name=${segment.name}]` : '[+]');

/** Applies every edit to a copy of `json`. */
export function applyPatch(json: unknown, patch: Record<string, unknown>): Validated<unknown> {
  const copy = structuredClone(json);
  const issues: InputIssue[] = [];
  for (const [path, value] of Object.entries(patch)) {
    const at = `patch["${path}"]`;
    const segments = parsePath(path);
    if (!segments) {
      issues.push({ path: at, message: 'is not a path: keys separated by dots, with [N], [name=X] or [+], such as "templates[name=Email].outbound[0].sse"' });
      continue;
    }
    let node: unknown = copy;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      const isLast = i === segments.length - 1;
      const fail = (why: string) => issues.push({ path: at, message: `${describe(segment)}: ${why}` });
      if ('key' in segment) {
        if (!isRecord(node)) { fail('is not inside an object'); break; }
        if (isLast) node[segment.key] = value;
        else node = node[segment.key];
        continue;
      }
      if (!Array.isArray(node)) { fail('is not inside a list'); break; }
      if ('append' in segment) {
        if (!isLast) { fail('[+] appends, so it must come last'); break; }
        node.push(value);
        continue;
      }
      const index = 'index' in segment ? segment.index : node.findIndex((item) => isRecord(item) && item.name === segment.name);
      const appends = isLast && index === node.length;
      if (index < 0 || (index >= node.length && !appends)) { fail(`no such item (the list has ${node.length})`); break; }
      if (isLast) node[index] = value;
      else node = node[index];
    }
  }
  return issues.length ? { ok: false, issues } : { ok: true, value: copy };
}
