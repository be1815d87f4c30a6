/**
 * An upload acknowledged with 200 is imported exactly once, whatever happens after the 200
 * (docs/durability.md): the real CLI is killed (SIGKILL) right after the answers, in the middle of
 * imports, in the middle of deliveries, or stopped with Ctrl-C; after a restart every drop has exactly
 * one submission and every delivery is delivered. Repeated on one data folder, as a person would.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Submission } from '../../core/submissions/index.ts';
import { startCli, type StartedCli } from '../helpers/cli.ts';
import { loadWorkspace } from '../helpers/stack.ts';

const DROPS_PER_ROUND = 16;
const EMAIL = readFileSync('fixtures/files/Email.csv');
const uploader = loadWorkspace().iam.users.find((u) => u.name === 'uploader')!;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-durability-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const start = (data: string) => startCli(['--data', data, '--port', '0', '--api-port', '0']);

/** Drops `count` files at once and resolves when every one was answered with 200. */
async function drop(cli: StartedCli, round: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: cli.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: uploader.accessKeyId, secretAccessKey: uploader.secretAccessKey },
  });
  const keys = Array.from({ length: DROPS_PER_ROUND }, (_, i) => `us/submissions/Email_${round}_${i}.csv`);
  try {
    await Promise.all(
      keys.map((key) => client.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: EMAIL }))),
    );
  } finally {
    client.destroy();
  }
  return keys;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

async function kill(cli: StartedCli, signal: 'SIGKILL' | 'SIGINT'): Promise<void> {
  const exited = new Promise((r) => cli.child.once('exit', r));
  cli.child.kill(signal);
  await exited;
}

describe('a drop answered with 200', () => {
  it(
    'is imported exactly once after kills right after the answers, mid-import, mid-delivery and a Ctrl-C',
    { timeout: 180_000 },
    async () => {
      const data = join(dir, 'data');
      const dropped: string[] = [];
      const rounds: { name: string; signal: 'SIGKILL' | 'SIGINT'; when: (output: string) => boolean }[] = [
        { name: 'after-200-a', signal: 'SIGKILL', when: () => true },
        {
          name: 'mid-import',
          signal: 'SIGKILL',
          when: (output) =>
            /\[import\] Email\/Email drop: s3:\/\/acme-claravine\/us\/submissions\/Email_mid-import_/.test(output),
        },
        { name: 'after-200-b', signal: 'SIGKILL', when: () => true },
        {
          name: 'mid-delivery',
          signal: 'SIGKILL',
          when: (output) =>
            /\[delivery\] Email export: submission/.test(output.slice(output.indexOf('Email_mid-delivery_'))),
        },
        { name: 'ctrl-c', signal: 'SIGINT', when: () => true },
      ];
      for (const round of rounds) {
        const cli = await start(data);
        try {
          dropped.push(...(await drop(cli, round.name)));
          expect(
            await waitFor(() => round.when(cli.output()), 20_000),
            `${round.name}: the moment to stop never came:\n${cli.output()}`,
          ).toBe(true);
        } finally {
          await kill(cli, round.signal);
        }
      }

      const last = await start(data);
      try {
        const apiUrl = /API: (\S+)/.exec(last.output())![1]!;
        let submissions: Submission[] = [];
        const settled = await (async () => {
          const deadline = Date.now() + 60_000;
          while (Date.now() < deadline) {
            submissions = (await (await fetch(`${apiUrl}/api/submissions`)).json()) as Submission[];
            const done = submissions.filter(
              (s) => dropped.includes(s.source.key) && (s.deliveries ?? []).every((d) => d.status === 'delivered'),
            );
            if (done.length >= dropped.length) return true;
            await new Promise((r) => setTimeout(r, 100));
          }
          return false;
        })();
        const perKey = new Map<string, number>();
        for (const s of submissions) perKey.set(s.source.key, (perKey.get(s.source.key) ?? 0) + 1);
        const lost = dropped.filter((key) => !perKey.has(key));
        const doubled = [...perKey].filter(([, n]) => n > 1).map(([key]) => key);
        expect({ lost, doubled, settled }).toEqual({ lost: [], doubled: [], settled: true });
        expect(submissions.filter((s) => dropped.includes(s.source.key)).map((s) => s.status)).toEqual(
          dropped.map(() => 'complete'),
        );
        expect(submissions.flatMap((s) => s.deliveries ?? []).filter((d) => d.status !== 'delivered')).toEqual([]);
      } finally {
        await last.stop();
      }
    },
  );
});
