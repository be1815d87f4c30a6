import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { dictionary } from '../../core/shared/dictionary.ts';
import { openJournaledState } from '../../emulator/journaled-state.ts';
import { StateFileError } from '../../emulator/state-file.ts';

type State = Record<string, number>;
type Change = { key: string; value: number };
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(dir: string, minLogBytes = 64) {
  return openJournaledState<State, Change>({
    file: join(dir, 'state.json'),
    empty: () => dictionary<number>(),
    revive: (raw) => dictionary(raw as State),
    apply: (state, change) => void (state[change.key] = change.value),
    remedy: 'Test.',
    minLogBytes,
  });
}
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 's3-harness-journal-'));
  dirs.push(dir);
  return dir;
};

describe('journaled state', () => {
  test.prop([
    fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', '__proto__'), value: fc.integer() }), { maxLength: 60 }),
    fc.nat(),
  ])(
    'reopens to every change recorded, across snapshots; a log cut short mid-line loses only that line',
    (changes, cut) => {
      const dir = newDir();
      const journal = open(dir);
      const expected: State = Object.create(null) as State;
      for (const change of changes) {
        journal.record(change);
        Object.defineProperty(expected, change.key, {
          value: change.value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      journal.close();
      const reopened = open(dir);
      expect({ ...reopened.state }).toEqual({ ...expected });
      reopened.close();
      // A crash in the middle of the next append: the torn line is dropped, the rest kept.
      const logFile = join(dir, 'state.log.ndjson');
      const line = `${JSON.stringify({ key: 'torn', value: 1 })}\n`;
      appendFileSync(logFile, line.slice(0, 1 + (cut % (line.length - 1))));
      const afterCrash = open(dir);
      expect({ ...afterCrash.state }).toEqual({ ...expected });
      afterCrash.close();
    },
  );

  it('keeps the log no larger than the snapshot (O(1) per change on average), and names a damaged log', () => {
    const dir = newDir();
    const journal = open(dir, 256);
    for (let i = 0; i < 2000; i++) journal.record({ key: `k${i % 50}`, value: i });
    journal.close();
    const logBytes = statSync(join(dir, 'state.log.ndjson')).size;
    expect(logBytes).toBeLessThanOrEqual(Math.max(256, statSync(join(dir, 'state.json')).size) + 64);
    writeFileSync(join(dir, 'state.log.ndjson'), '{"key":"a","value":1}\n{"ke\n{"key":"b","value":2}\n');
    expect(() => open(dir)).toThrow(StateFileError);
    expect(() => open(dir)).toThrow(/state\.log\.ndjson has a damaged line 2/);
    truncateSync(join(dir, 'state.log.ndjson'), 0);
    writeFileSync(join(dir, 'state.json'), '{"a": 1');
    expect(() => open(dir)).toThrow(/state\.json is not valid JSON/);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{"a": 1');
  });
});
