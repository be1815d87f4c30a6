import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { wholeDataset } from '../helpers/dataset.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../core/submissions/index.ts';
import { openSubmissionStore } from '../../emulator/engine/submission-store.ts';
import { startCli } from '../helpers/cli.ts';
import { startTestHarness } from '../helpers/harness.ts';
import { loadWorkspace } from '../helpers/stack.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-crash-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The ledger state of a key as the engine last recorded it: its snapshot, then its log of changes. */
function ledgerState(data: string, key: string): string | undefined {
  const read = (file: string) => {
    try {
      return readFileSync(join(data, 'engine', file), 'utf8');
    } catch {
      return '';
    }
  };
  const snapshot = read('state.json');
  const ledger = new Map<string, { key: string; state: string }>(
    snapshot
      ? Object.entries((JSON.parse(snapshot) as { ledger: Record<string, { key: string; state: string }> }).ledger)
      : [],
  );
  for (const line of read('state.log.ndjson').split('\n')) {
    let change: { op: string; entry?: { id: string; key: string; state: string }; entryId?: string; state?: string };
    try {
      change = JSON.parse(line) as typeof change;
    } catch {
      continue; // empty, or a line being written
    }
    if (change.op === 'detected' && change.entry) ledger.set(change.entry.id, { ...change.entry });
    const entry = change.entryId ? ledger.get(change.entryId) : undefined;
    if (entry && change.op === 'state' && change.state) entry.state = change.state;
    if (entry && change.op === 'commit') entry.state = 'done';
  }
  return [...ledger.values()].find((e) => e.key === key)?.state;
}

describe('a crash in the middle of an import', () => {
  it('neither loses the file nor imports it twice: the import is finished on restart', async () => {
    const data = join(dir, 'data');
    const key = 'us/submissions/Email_crash.csv';
    const rows = Array.from(
      { length: 50_000 },
      (_, i) => `Crash Campaign ${i},Email,,EMEA,Spain,01/02/2026,brand`,
    ).join('\r\n');
    const body = `Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\r\n${rows}\r\n`;
    const uploader = loadWorkspace().iam.users.find((u) => u.name === 'uploader')!;

    const first = await startCli(['--data', data, '--port', '0', '--api-port', '0']);
    const client = new S3Client({
      endpoint: first.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: uploader.accessKeyId, secretAccessKey: uploader.secretAccessKey },
    });
    await client.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: body }));
    client.destroy();
    let seen: string | undefined;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      seen = ledgerState(data, key);
      if (seen === 'validating' || seen === 'committing' || seen === 'done') break;
      await new Promise((r) => setTimeout(r, 2));
    }
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(seen, 'the crash must come before the import finished').toMatch(/^(validating|committing)$/);

    const second = await startCli(['--data', data, '--port', '0', '--api-port', '0']);
    try {
      const apiUrl = /API: (\S+)/.exec(second.output())![1]!;
      let submissions: Submission[] = [];
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        submissions = ((await (await fetch(`${apiUrl}/api/submissions`)).json()) as Submission[]).filter(
          (s) => s.source.key === key,
        );
        if (submissions.length) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(submissions.map((s) => [s.status, s.counts.accepted])).toEqual([['complete', 50_000]]);
      expect(second.output()).toContain(
        `[import] finishing an import interrupted by the last stop: Email/Email drop: s3://acme-claravine/${key}`,
      );
      const dataset = await wholeDataset(apiUrl, 'Email');
      const crashRows = dataset.filter((r) => r.values['Campaign Name']!.startsWith('Crash Campaign '));
      expect(crashRows).toHaveLength(50_000);
      expect(new Set(crashRows.map((r) => r.values['Tracking Code'])).size).toBe(50_000);
    } finally {
      await second.stop();
    }
  });
});

describe('recovery when the workspace changed', () => {
  it('closes an interrupted import whose integration is gone, and says so', async () => {
    const data = join(dir, 'gone');
    const seeded = await openSubmissionStore(join(data, 'engine'), () => 'x');
    await seeded.recordDetected({
      id: 'Gone/Gone|acme-claravine|k.csv|e',
      integration: 'Gone/Gone',
      template: 'Gone',
      bucket: 'acme-claravine',
      key: 'k.csv',
      etag: 'e',
      size: 1,
      state: 'validating',
      submissionIds: ['a', 'b'],
      detectedAt: 'now',
      attempts: 1,
    });
    const harness = await startTestHarness(undefined, { dataDirectory: data });
    try {
      expect(harness.logs).toContain(
        '[import] dropping an import interrupted by the last stop: integration "Gone/Gone" is no longer in the workspace (s3://acme-claravine/k.csv)',
      );
      expect(await harness.engine.store.unfinished()).toEqual([]);
    } finally {
      await harness.stop({ keepData: true });
    }
  });
});
