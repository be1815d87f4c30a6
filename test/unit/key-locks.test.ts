import { describe, expect, it } from 'vitest';
import { KeyLocks } from '../../emulator/gateway/key-locks.ts';

describe('KeyLocks', () => {
  it('lets readers share, makes a writer wait for them, and readers after a waiting writer wait too', async () => {
    const locks = new KeyLocks();
    const order: string[] = [];
    const r1 = await locks.read('k');
    const r2 = await locks.read('k');
    const writer = locks.write('k').then((release) => {
      order.push('write');
      return release;
    });
    const lateReader = locks.read('k').then((release) => {
      order.push('late read');
      return release;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    r1();
    r2();
    const releaseWriter = await writer;
    expect(order).toEqual(['write']);
    releaseWriter();
    (await lateReader)();
    expect(order).toEqual(['write', 'late read']);
  });

  it('keeps keys independent', async () => {
    const locks = new KeyLocks();
    const a = await locks.write('a');
    const b = await locks.write('b');
    a();
    b();
  });
});
