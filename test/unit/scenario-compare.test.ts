import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../core/scenarios/index.ts';
import { cellDiff, differenceOf, jsonDiff, matchesSubset, matchIssues } from '../../emulator/scenarios/compare.ts';

describe('scenario comparisons', () => {
  it('matches issue lists by content, in any order, naming what is missing and what is extra', () => {
    const actual = [
      { row: 3, column: 'Country', rule: 'drilldown' },
      { row: 2, column: 'Channel', rule: 'list' },
      { row: 4, column: 'Launch Date', rule: 'date' },
    ];
    expect(matchIssues([{ row: 2 }, { row: 3, rule: 'drilldown' }, { row: 4 }], actual)).toEqual({
      missing: [],
      extra: [],
    });
    // One issue missing from the file's list no longer marks every later line: it is named, alone.
    expect(matchIssues([{ row: 2 }, { row: 9 }, { row: 3 }, { row: 4 }], actual)).toEqual({
      missing: [{ row: 9 }],
      extra: [],
    });
    expect(matchIssues([{ row: 2 }, { row: 2 }], actual)).toEqual({
      missing: [{ row: 2 }],
      extra: [actual[0], actual[2]],
    });
  });

  it('names a differing cell by file row, column letter and the header above it; patterns match cells', () => {
    const actual = [
      ['Date', '2026-11-28'],
      ['', ''],
      ['CAMPAIGN', 'TRACKING CODE', 'BY'],
      ['Spring Sale', 'EM-1', 'uma@example.com'],
    ];
    const expected = [
      ['Date', { $match: '^2026-' }],
      ['', ''],
      ['CAMPAIGN', 'TRACKING CODE', 'BY'],
      ['Spring Sale', 'EM-2', 'uma@example.com'],
    ];
    expect(cellDiff(expected, actual)).toBe('row 4, column B ("TRACKING CODE"): expected "EM-2", got "EM-1"');
    expect(cellDiff([['Date', { $match: '^1999' }]], [['Date', '2026']])).toBe(
      'row 1, column B: expected /^1999/, got "2026"',
    );
  });

  it('shows every difference: a row of another width, and values whose JSON is the same', () => {
    // An expected empty row against a row of one empty cell (what an empty CSV line parses to).
    expect(matchesSubset([[]], [['']])).toBe(false);
    expect(cellDiff([[]], [['']])).toBe('row 1: expected 0 cells [], got 1 cell [""]');
    expect(cellDiff([['a', 'b']], [['a']])).toContain('row 1: expected 2 cells ["a","b"], got 1 cell ["a"]');
    // A difference JSON cannot show (-0 and 0) still gets words.
    expect(jsonDiff(-0, 0)).toBe('');
    expect(differenceOf(-0, 0, () => '')).toBe('expected 0, got 0');
    expect(differenceOf([], [''], () => '')).toContain('+  ""');
  });

  it('a scenario without a workspace runs on the bundled demo; a workspace of the wrong type is named', () => {
    const parsed = parseScenario({ name: 'x', steps: [{ expectNoSubmission: { key: 'k' } }] });
    expect(parsed.ok ? parsed.value.workspace : parsed.issues).toEqual({ demo: true });
    const wrong = parseScenario({ name: 'x', workspace: 42, steps: [] });
    expect(wrong.ok ? [] : wrong.issues).toContainEqual({
      path: 'workspace',
      message:
        '"workspace" must be a workspace file relative to the scenario, or the workspace itself (or left out: the demo), got number 42',
    });
  });
});
