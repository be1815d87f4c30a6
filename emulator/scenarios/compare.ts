/**
 * How a scenario's expectation is compared with what happened, and how a difference is shown:
 * a unified diff for text and JSON, cell by cell for spreadsheets, issue lists side by side.
 */
import { createTwoFilesPatch } from 'diff';

/** `{"$match": "regex"}` in an expectation matches a string by a regular expression (ids, times). */
function patternOf(expected: unknown): RegExp | undefined {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return undefined;
  const keys = Object.keys(expected);
  const source = (expected as Record<string, unknown>).$match;
  return keys.length === 1 && typeof source === 'string' ? new RegExp(source) : undefined;
}

/** Expected values are a subset: objects need the keys they name, lists the same length, values equal. */
export function matchesSubset(expected: unknown, actual: unknown): boolean {
  const pattern = patternOf(expected);
  if (pattern) return typeof actual === 'string' && pattern.test(actual);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => matchesSubset(e, actual[i]))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([k, v]) => matchesSubset(v, (actual as Record<string, unknown>)[k]));
  }
  return Object.is(expected, actual);
}

/** `actual` cut down to the keys `expected` names, so a diff shows only what was asked about. */
export function projectOnto(expected: unknown, actual: unknown): unknown {
  if (patternOf(expected)) return actual;
  if (Array.isArray(expected) && Array.isArray(actual))
    return actual.map((a, i) => (i < expected.length ? projectOnto(expected[i], a) : a));
  if (
    expected !== null &&
    typeof expected === 'object' &&
    !Array.isArray(expected) &&
    actual !== null &&
    typeof actual === 'object' &&
    !Array.isArray(actual)
  ) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(expected))
      out[key] = projectOnto((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key]);
    return out;
  }
  return actual;
}

/** A unified diff, expected first; line endings shown, so a CRLF difference is visible. Empty when the texts are equal. */
export function unifiedDiff(expected: string, actual: string, label = 'expected', actualLabel = 'actual'): string {
  if (expected === actual) return '';
  const visible = (text: string) => text.replace(/\r/g, '\\r');
  const patch = createTwoFilesPatch(label, actualLabel, visible(expected), visible(actual), undefined, undefined, {
    context: 3,
  });
  return patch
    .split('\n')
    .filter(
      (line) => !line.startsWith('Index:') && !line.startsWith('=====') && line !== '\\ No newline at end of file',
    )
    .join('\n')
    .trimEnd();
}

/**
 * A difference in words, never empty when `expected` and `actual` differ: the finer way first (cells,
 * a projection onto what was asked), the whole values as JSON when that finds nothing to show.
 */
export function differenceOf(expected: unknown, actual: unknown, finer: () => string): string {
  return finer() || jsonDiff(expected, actual) || `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

export function jsonDiff(expected: unknown, actual: unknown): string {
  return unifiedDiff(`${JSON.stringify(expected, null, 2)}\n`, `${JSON.stringify(actual, null, 2) ?? 'undefined'}\n`);
}

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/**
 * Cells that differ, by row and column: `row 8, column B ("TRACKING CODE"): expected "x", got "y"`.
 * Rows count from 1 as in the file; a column is named by the first row as wide as this one (the
 * header, below a summary header's narrower rows). An expected cell may be `{"$match": "regex"}`.
 */
export function cellDiff(expected: readonly (readonly unknown[])[], actual: readonly (readonly string[])[]): string {
  const lines: string[] = [];
  const shown = (cell: unknown) => (patternOf(cell) ? String(patternOf(cell)) : JSON.stringify(cell ?? ''));
  const cells = (row: readonly unknown[]) => `${row.length} cell${row.length === 1 ? '' : 's'} ${JSON.stringify(row)}`;
  for (let r = 0; r < Math.max(expected.length, actual.length); r++) {
    const e = expected[r] ?? [];
    const a = actual[r] ?? [];
    const header = actual.find((row) => row.length === a.length && row.length > 1);
    for (let c = 0; c < Math.max(e.length, a.length); c++) {
      if (matchesSubset(e[c] ?? '', a[c] ?? '')) continue;
      const label = header && header !== a && header[c] ? ` (${JSON.stringify(header[c])})` : '';
      lines.push(
        `row ${r + 1}, column ${columnName(c)}${label}: expected ${shown(e[c])}, got ${JSON.stringify(a[c] ?? '')}`,
      );
    }
    // A row of another width (an empty row `[]` against `[""]`, a missing trailing cell) differs too.
    if (r < expected.length && r < actual.length && e.length !== a.length)
      lines.push(`row ${r + 1}: expected ${cells(e)}, got ${cells(a)}`);
  }
  if (expected.length !== actual.length) lines.push(`rows: expected ${expected.length}, got ${actual.length}`);
  return lines.join('\n');
}

/**
 * Issue lists compared by content, in any order: each expected issue takes the first unused actual one
 * it matches; what is left on either side is missing or extra.
 */
export function matchIssues<T>(expected: readonly unknown[], actual: readonly T[]): { missing: unknown[]; extra: T[] } {
  const unused = [...actual];
  const missing: unknown[] = [];
  for (const e of expected) {
    const at = unused.findIndex((a) => matchesSubset(e, a));
    if (at < 0) missing.push(e);
    else unused.splice(at, 1);
  }
  return { missing, extra: unused };
}

/** Two lists side by side, a line each, with `!` on the lines that differ. */
export function sideBySide(
  rows: readonly { expected?: string; actual?: string; differs: boolean }[],
  titles: [string, string] = ['expected', 'actual'],
): string {
  const width = Math.min(70, Math.max(titles[0].length, ...rows.map((r) => (r.expected ?? '').length)));
  const cut = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
  return [
    `  ${titles[0].padEnd(width)} | ${titles[1]}`,
    ...rows.map((r) => `${r.differs ? '!' : ' '} ${cut(r.expected ?? '').padEnd(width)} | ${r.actual ?? ''}`),
  ].join('\n');
}
