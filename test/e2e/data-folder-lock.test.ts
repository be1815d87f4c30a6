/**
 * One harness per data folder (docs/durability.md, "One harness per data folder"): a second one, in this
 * process or another, is refused naming the holder; a lock whose process is gone is taken over.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataFolderInUseError, LOCK_FILE } from '../../emulator/data-folder-lock.ts';
import { startHarness } from '../../emulator/harness.ts';
import { runCliAsync, startCli } from '../helpers/cli.ts';
import { loadWorkspace } from '../helpers/stack.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-lock-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const start = (dataDirectory: string, log?: (line: string) => void) =>
  startHarness({ workspace: loadWorkspace(), dataDirectory, ...(log ? { log } : {}) });

describe('the data folder lock', () => {
  it('refuses a second harness on the folder, naming the first, and lets one start once the first stops', async () => {
    const data = join(dir, 'in-process');
    const first = await start(data);
    try {
      const holder = JSON.parse(await readFile(join(data, LOCK_FILE), 'utf8')) as { pid: number; host: string };
      expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
      const second = start(data);
      await expect(second).rejects.toBeInstanceOf(DataFolderInUseError);
      await expect(second).rejects.toThrow(`is in use by another s3-harness (pid ${process.pid} on ${hostname()}`);
      // The refused start left the holder's lock in place.
      expect(existsSync(join(data, LOCK_FILE))).toBe(true);
    } finally {
      await first.close();
    }
    expect(existsSync(join(data, LOCK_FILE))).toBe(false);
    const again = await start(data);
    await again.close();
  });

  it('takes over a lock whose process is gone, and says so', async () => {
    const data = join(dir, 'stale');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const pid = Number(gone.stdout);
    await start(data).then((h) => h.close());
    await writeFile(
      join(data, LOCK_FILE),
      JSON.stringify({ pid, host: hostname(), startedAt: '2026-12-01T09:00:00.000Z' }),
    );
    const logs: string[] = [];
    const harness = await start(data, (line) => logs.push(line));
    try {
      expect(logs).toContain(
        `[data] ${data} was locked by pid ${pid} (started 2026-12-01T09:00:00.000Z), which is gone: lock taken over`,
      );
    } finally {
      await harness.close();
    }
  });

  it('takes over a lock of its own pid taken before this process began (a restarted container reuses pids)', async () => {
    const data = join(dir, 'same-pid');
    await start(data).then((h) => h.close());
    const before = new Date(performance.timeOrigin - 60_000).toISOString();
    await writeFile(join(data, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: before }));
    const harness = await start(data);
    await harness.close();
  });

  it('refuses a lock it cannot check (another host, or no holder named) rather than guess', async () => {
    const data = join(dir, 'other-host');
    await start(data).then((h) => h.close());
    await writeFile(
      join(data, LOCK_FILE),
      JSON.stringify({ pid: 1, host: 'build-agent-7', startedAt: '2026-12-01T09:00:00.000Z' }),
    );
    await expect(start(data)).rejects.toThrow('in use by another s3-harness (pid 1 on build-agent-7');
    await writeFile(join(data, LOCK_FILE), '');
    await expect(start(data)).rejects.toThrow('which does not say who holds it: delete it if no s3-harness runs there');
  });

  it('s3-harness start on a folder another start holds: exit 2 with one line, the first one unharmed', async () => {
    const data = join(dir, 'cli');
    const first = await startCli(['--data', data, '--port', '0', '--api-port', '0']);
    try {
      const second = await runCliAsync(['start', '--data', data, '--port', '0', '--api-port', '0']);
      expect(second.status).toBe(2);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(
        new RegExp(`^s3-harness: the data folder .*cli is in use by another s3-harness \\(pid ${first.child.pid} on `),
      );
      expect(existsSync(join(data, LOCK_FILE))).toBe(true);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(join(data, LOCK_FILE))).toBe(false);
  });
});
