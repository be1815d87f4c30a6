/**
 * The shape the code keeps (docs/decisions.md, "Dependencies point one way"): no import cycles in core/ and
 * emulator/, core/ never reaches into emulator/, core/inbound and core/outbound never import each other, and no
 * function anywhere in core/ or emulator/ runs over 80 lines. Import edges are read from the source, type-only
 * imports included.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parsers } from 'prettier/plugins/typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (path.endsWith('.ts')) found.push(path);
  };
  visit(join(root, folder));
  return found;
}

/** Each file's relative imports and re-exports (static ones: a dynamic import() is not an edge at load). */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const targets = [...source.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gms)].map((m) =>
      resolve(dirname(file), m[1]!),
    );
    graph.set(
      file,
      targets.filter((t) => known.has(t)),
    );
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan): each is an import cycle. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (file: string) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(relative(root, member));
    } while (member !== file);
    if (component.length > 1) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return found;
}

interface Node {
  type: string;
  loc?: { start: { line: number }; end: { line: number } };
  [key: string]: unknown;
}

/** Functions longer than `limit` lines, as `file:line (n lines)`. */
function longFunctions(file: string, limit: number): string[] {
  const ast = parsers.typescript.parse(readFileSync(file, 'utf8'), {} as never) as Node;
  const long: string[] = [];
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as Node;
    if (/Function/.test(n.type) && n.loc) {
      const lines = n.loc.end.line - n.loc.start.line + 1;
      if (lines > limit) long.push(`${relative(root, file)}:${n.loc.start.line} (${lines} lines)`);
    }
    for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'range') visit(value);
  };
  visit(ast);
  return long;
}

describe('the shape of the code', () => {
  const files = [...sourceFiles('core'), ...sourceFiles('emulator')];

  it('has no import cycle in core/ and emulator/', () => {
    const graph = importGraph(files);
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const [a, b, c] = files;
    expect(
      cycles(
        new Map([
          [a!, [b!]],
          [b!, [c!]],
          [c!, [a!]],
        ]),
      ).flat(),
    ).toHaveLength(3);
  });

  /** Imports (types included) from files under `from` to files under `to`, as `a -> b`. */
  const crossings = (from: string, to: string) =>
    [...importGraph(files)]
      .filter(([file]) => relative(root, file).startsWith(from))
      .flatMap(([file, targets]) =>
        targets
          .filter((t) => relative(root, t).startsWith(to))
          .map((t) => `${relative(root, file)} -> ${relative(root, t)}`),
      );

  it('keeps core/ free of emulator/ (the engine is pure)', () => {
    expect(crossings('core/', 'emulator/')).toEqual([]);
  });

  it('keeps core/inbound and core/outbound apart, types included (docs/decisions.md)', () => {
    expect(crossings('core/inbound/', 'core/outbound/')).toEqual([]);
    expect(crossings('core/outbound/', 'core/inbound/')).toEqual([]);
    // The check sees such an edge: the workspace reads both directions.
    expect(crossings('core/workspace/', 'core/inbound/').length).toBeGreaterThan(0);
  });

  it('has no function over 80 lines anywhere in core/ and emulator/', () => {
    expect(files.flatMap((file) => longFunctions(file, 80))).toEqual([]);
    // The check measures what it claims: the whole file as one function is over the limit.
    expect(longFunctions(join(root, 'emulator/engine/submission-store.ts'), 20).length).toBeGreaterThan(0);
  });
});
