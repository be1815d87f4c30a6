/**
 * The linearizability checker the concurrency tests rely on (test/model/linearizability.ts): it must
 * accept histories that have a linearization and reject those that have none, or the tests it backs
 * prove nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_KEY,
  keyFingerprint,
  observedDelete,
  observedRead,
  observedVersions,
  observedWrite,
  type KeyState,
} from '../model/key-spec.ts';
import { linearize, type TimedOperation } from '../model/linearizability.ts';

const op = (label: string, call: number, ret: number, step: TimedOperation<KeyState>['step']) => ({
  label,
  call,
  ret,
  step,
});
const check = (ops: TimedOperation<KeyState>[]) => linearize(EMPTY_KEY, ops, keyFingerprint).ok;

describe('the linearizability checker', () => {
  it('accepts a read that overlaps a write and sees either value', () => {
    const history = (seen: string | undefined) => [
      op('put A', 0, 1, observedWrite('"a"', 'null', undefined)),
      op('put B', 2, 5, observedWrite('"b"', 'null', undefined)),
      op(`get ${seen}`, 3, 4, observedRead(seen)),
    ];
    expect(check(history('"a"'))).toBe(true);
    expect(check(history('"b"'))).toBe(true);
    expect(check(history(undefined))).toBe(false); // the key held A before the read began
  });

  it('rejects a stale read: a read that began after a write returned must see it (or something later)', () => {
    expect(
      check([
        op('put A', 0, 1, observedWrite('"a"', 'null', undefined)),
        op('put B', 2, 3, observedWrite('"b"', 'null', undefined)),
        op('get A', 4, 5, observedRead('"a"')),
      ]),
    ).toBe(false);
  });

  it('rejects two reads that see two writes in opposite orders', () => {
    expect(
      check([
        op('put A', 0, 10, observedWrite('"a"', 'null', undefined)),
        op('put B', 0, 10, observedWrite('"b"', 'null', undefined)),
        op('get A', 11, 12, observedRead('"a"')),
        op('get B', 13, 14, observedRead('"b"')),
      ]),
    ).toBe(false);
  });

  it('follows versions: a listing must show every version acknowledged before it began, in order', () => {
    const writes = [
      op('put v1', 0, 1, observedWrite('"a"', 'v1', 'Enabled')),
      op('put v2', 2, 3, observedWrite('"b"', 'v2', 'Enabled')),
      op('delete', 4, 5, observedDelete('Enabled', 'm1')),
    ];
    const listing = (versions: { id: string; etag?: string }[]) => [
      ...writes,
      op('versions', 6, 7, observedVersions(versions)),
    ];
    expect(check(listing([{ id: 'm1' }, { id: 'v2', etag: '"b"' }, { id: 'v1', etag: '"a"' }]))).toBe(true);
    expect(
      check(
        listing([
          { id: 'v2', etag: '"b"' },
          { id: 'v1', etag: '"a"' },
        ]),
      ),
    ).toBe(false);
    expect(check(listing([{ id: 'm1' }, { id: 'v1', etag: '"a"' }, { id: 'v2', etag: '"b"' }]))).toBe(false);
  });
});
