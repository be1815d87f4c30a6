/**
 * Golden files in fixtures/expected/: compared as text so a failure shows a diff. After a deliberate
 * change of output, `UPDATE_GOLDEN=1 npm test` rewrites them; review the diff before committing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export function expectGolden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`no golden file ${path}: write it with UPDATE_GOLDEN=1 and review it`);
  }
  // JSON.stringify shows \r and \n, so a line-ending difference is visible in the diff.
  expect(JSON.stringify(actual).split('\\n'), path).toEqual(JSON.stringify(expected).split('\\n'));
}
