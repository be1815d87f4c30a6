/**
 * `s3-harness run ... -- COMMAND` (docs/ci.md): the command runs against a harness that is up, with the
 * endpoint, region and one user's keys in its environment (the SDK needs nothing else), its exit code is
 * run's, and Ctrl-C stops both, leaving no server and no data folder behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI, runCliAsync } from '../helpers/cli.ts';

/** A child that lists the demo bucket with the SDK, configured from its environment only, then exits 7. */
const SDK_CHILD = `
import { S3Client, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({ forcePathStyle: true });
await s3.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'run/hello.txt', Body: 'hi' }));
const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'acme-claravine', Prefix: 'run/' }));
console.log(JSON.stringify({ keys: listed.Contents.map((c) => c.Key), ready: process.env.S3_HARNESS_READY_FILE }));
process.exit(7);
`;

describe('s3-harness run', () => {
  it("runs the command with the endpoint and the user's keys, and exits with its code", async () => {
    const result = await runCliAsync([
      'run',
      '--as',
      'admin',
      '--',
      process.execPath,
      '--input-type=module',
      '-e',
      SDK_CHILD,
    ]);
    expect(result.status, result.stderr).toBe(7);
    const line = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { keys: string[]; ready: string };
    expect(line.keys).toEqual(['run/hello.txt']);
    // The ready file and the temporary data folder are gone once run has ended.
    expect(existsSync(line.ready)).toBe(false);
  });

  it('stops the command and the harness on Ctrl-C, and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [
        ...CLI,
        'run',
        '--',
        process.execPath,
        '-e',
        'console.log(process.env.AWS_ENDPOINT_URL); setInterval(() => {}, 1000)',
      ],
      { stdio: 'pipe' },
    );
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no endpoint after 20 s:\n${output}`)), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        clearTimeout(timer);
        resolve(d.toString().trim());
      });
    });
    expect((await fetch(endpoint)).status).toBe(403); // the harness answers (an anonymous ListBuckets)
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (status) => resolve(status));
      child.kill('SIGINT');
    });
    expect(code).toBe(130);
    await expect(fetch(endpoint)).rejects.toThrow();
  });

  it('says what is wrong with its arguments (exit 2)', async () => {
    const noCommand = await runCliAsync(['run']);
    expect([noCommand.status, noCommand.stderr]).toEqual([2, expect.stringContaining('needs a command after "--"')]);
    const noUser = await runCliAsync(['run', '--as', 'nobody', '--', process.execPath, '-e', '0']);
    expect(noUser.status).toBe(2);
    expect(noUser.stderr).toContain('--as nobody: the workspace has no such user (its users: admin, uploader');
    const missing = await runCliAsync(['run', '--', 'no-such-command-here']);
    expect([missing.status, missing.stderr]).toEqual([127, expect.stringContaining('command not found')]);
  });
});
