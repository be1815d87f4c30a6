import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadyInfo } from '../../emulator/cli/start-output.ts';
import { CLI, runCli, runCliAsync, startCli } from '../helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 's3-harness-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function clientFrom(output: string, endpoint: string, user: string): S3Client {
  const block = output.slice(output.indexOf(`  ${user} (`));
  const key = /AWS_ACCESS_KEY_ID=(\S+)/.exec(block)![1]!;
  const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(block)![1]!;
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: key, secretAccessKey: secret },
  });
}

describe('s3-harness start', () => {
  it('prints the endpoint and pasteable credentials for the demo, serves them, and stops cleanly on Ctrl-C', async () => {
    const data = join(dir, 'data');
    const started = await startCli(['--data', data, '--port', '0', '--api-port', '0']);
    try {
      const admin = clientFrom(started.output(), started.endpoint, 'admin');
      await admin.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv', Body: 'x' }));
      const uploader = clientFrom(started.output(), started.endpoint, 'uploader');
      await expect(
        uploader.send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv' })),
      ).rejects.toThrow(/not authorized to perform: s3:GetObject/);
      // The customer's keys that do not work, and a file in the wrong folder, are said in the log too.
      const wrongSecret = new S3Client({
        endpoint: started.endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AKIADEMOUPLOADER0001', secretAccessKey: 'not-the-secret' },
      });
      await expect(
        wrongSecret.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/x.csv', Body: 'x' })),
      ).rejects.toThrow(/signature/);
      await uploader.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/Email.csv', Body: 'x' }));
      await new Promise((r) => setTimeout(r, 300));
      expect(started.output()).toMatch(
        /\[denied\] uploader GetObject: s3:GetObject on arn:aws:s3:::acme-claravine\/us\/submissions\/Email.csv: Implicitly denied/,
      );
      expect(started.output()).toMatch(
        /\[refused\] uploader PUT \/acme-claravine\/us\/x.csv: SignatureDoesNotMatch: the signature is not the one uploader's secret key makes .*the Activity page shows AWS's string to sign\)/,
      );
      expect(started.output()).toMatch(
        /\[drop\] s3:\/\/acme-claravine\/us\/Email.csv by uploader: no integration takes it; nearest: Email\/Email drop \(prefix "us\/submissions\/\{\{template_name\}\}"\): another folder/,
      );
    } finally {
      expect(await started.stop()).toBe(0);
    }
    // Restart on the same data folder: the object is still there.
    const again = await startCli(['--data', data, '--port', '0', '--api-port', '0']);
    try {
      const got = await clientFrom(again.output(), again.endpoint, 'admin').send(
        new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'us/submissions/Email.csv' }),
      );
      expect(await got.Body!.transformToString()).toBe('x');
    } finally {
      await again.stop();
    }
  });

  it('never prints the secrets of a workspace other than the demo (the ready file, mode 0600, has them), and removes an ephemeral folder on exit', async () => {
    const file = join(dir, 'customer.json');
    await writeFile(
      file,
      JSON.stringify({
        accountId: '210987654321',
        region: 'eu-west-1',
        buckets: [{ name: 'cust-bucket' }],
        iam: {
          users: [
            { name: 'u', accessKeyId: 'AKIACUSTOMER00000001', secretAccessKey: 'TopSecretValue123', policies: [] },
          ],
        },
      }),
    );
    const readyFile = join(dir, 'customer-ready.json');
    const started = await startCli([
      '--workspace',
      file,
      '--ephemeral',
      '--port',
      '0',
      '--api-port',
      '0',
      '--ready-file',
      readyFile,
    ]);
    const output = started.output();
    // The vitest recipe's clients need the keys of any workspace: the file has them, for its owner only.
    for (let i = 0; i < 100 && !existsSync(readyFile); i++) await new Promise((r) => setTimeout(r, 50));
    const ready = JSON.parse(await readFile(readyFile, 'utf8')) as ReadyInfo;
    expect(ready.users).toEqual([
      { name: 'u', accessKeyId: 'AKIACUSTOMER00000001', secretAccessKey: 'TopSecretValue123' },
    ]);
    expect(statSync(readyFile).mode & 0o777).toBe(0o600);
    const data = /Data: (\S+)/.exec(output)![1]!;
    expect(existsSync(data)).toBe(true);
    expect(output).not.toContain('TopSecretValue123');
    expect(output).toContain(`AWS_SECRET_ACCESS_KEY=...   # the secret is in ${file} at iam.users[0].secretAccessKey`);
    expect(await started.stop()).toBe(0);
    expect(existsSync(data)).toBe(false);
  });

  it('keeps the UI on 127.0.0.1 when S3 is shared with the network, and warns when the UI is shared too', async () => {
    const shared = await startCli(['--ephemeral', '--host', '0.0.0.0', '--port', '0', '--api-port', '0']);
    try {
      const output = shared.output();
      expect(output).toContain('Note: the S3 endpoint listens on 0.0.0.0: other machines can reach it');
      expect(output).toMatch(/^UI: http:\/\/127\.0\.0\.1:\d+\/$/m);
      expect(output).not.toContain('anyone on your network can use them');
    } finally {
      expect(await shared.stop()).toBe(0);
    }
    const both = await startCli(['--ephemeral', '--api-host', '0.0.0.0', '--port', '0', '--api-port', '0']);
    try {
      expect(both.output()).toMatch(
        /Warning: the web UI and API listen on 0\.0\.0\.0: anyone on your network can use them \(no login\), as 127\.0\.0\.1:\d+, localhost:\d+/,
      );
    } finally {
      expect(await both.stop()).toBe(0);
    }
  });

  it('answers unknown options, unreadable and invalid workspace files with one line and exit code 2', async () => {
    const unknown = runCli(['start', '--prot', '1']);
    expect([unknown.status, unknown.stderr.trim()]).toEqual([
      2,
      "s3-harness: Unknown option '--prot' (see s3-harness start --help)",
    ]);
    const missing = runCli(['start', '--workspace', join(dir, 'nope.json')]);
    expect([missing.status, missing.stderr.trim()]).toEqual([
      2,
      `s3-harness: ${join(dir, 'nope.json')}: cannot read the workspace file (ENOENT)`,
    ]);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{\n  "accountId": "123456789012",\n  "region": \n}');
    const badJson = runCli(['start', '--workspace', broken]);
    expect(badJson.status).toBe(2);
    expect(badJson.stderr.trim()).toBe(`s3-harness: ${broken}: not valid JSON: unexpected "}" at line 4, column 1`);
    const invalid = join(dir, 'invalid.json');
    await writeFile(
      invalid,
      JSON.stringify({
        accountId: '123456789012',
        region: 'us-east-1',
        iam: {
          users: [
            {
              name: 'x',
              accessKeyId: 'AKIAXXXXXXXXXXXXXXXX',
              secretAccessKey: 's',
              policies: [{ Statement: [{ Effect: 'Permit', Action: 's3:*', Resource: '*' }] }],
            },
          ],
        },
      }),
    );
    const bad = runCli(['start', '--workspace', invalid]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(
      'iam.users[0].policies[0].Statement[0]: "Effect" must be "Allow" or "Deny", got string "Permit"',
    );
  });

  it('--json prints one ready line on stdout (the log on stderr), --ready-file holds it, --port 0 frees both ports', async () => {
    const readyFile = join(dir, 'ready.json');
    const child = spawn(process.execPath, [
      ...CLI,
      'start',
      '--ephemeral',
      '--port',
      '0',
      '--json',
      '--ready-file',
      readyFile,
    ]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line after 20 s:\n${stderr}`)), 20_000);
        child.stdout.on('data', () => stdout.includes('\n') && (clearTimeout(timer), resolve()));
        child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${stderr}`)));
      });
      const ready = JSON.parse(stdout.trim()) as ReadyInfo;
      expect(stdout.trim().split('\n')).toHaveLength(1);
      expect(stderr).toContain('Press Ctrl-C to stop.');
      expect(JSON.parse(await readFile(readyFile, 'utf8'))).toEqual(ready);
      expect(ready).toMatchObject({ s3: { region: 'us-east-1', accountId: '123456789012' }, ephemeral: true });
      expect(new URL(ready.api).port).not.toBe('4569');
      expect(ready.ui).toBe(`${ready.api}/`);
      const admin = ready.users.find((u) => u.name === 'admin')!;
      const s3 = new S3Client({
        endpoint: ready.s3.endpoint,
        region: ready.s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey! },
      });
      await s3.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'json/ok.txt', Body: 'ok' }));
      s3.destroy();
      expect((await fetch(`${ready.api}/api/decisions?user=admin`)).status).toBe(200);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    }
    expect(existsSync(readyFile)).toBe(false);
  });

  it('--quiet prints the endpoints and no user keys, even for the demo', async () => {
    const started = await startCli(['--ephemeral', '--port', '0', '--quiet']);
    try {
      expect(started.output()).toContain(`S3 endpoint: ${started.endpoint}`);
      expect(started.output()).not.toMatch(/AWS_SECRET_ACCESS_KEY|demoAdminSecretKey|AKIADEMO/);
    } finally {
      expect(await started.stop()).toBe(0);
    }
  });

  it('names the port that is busy', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const s3Port = await runCliAsync(['start', '--ephemeral', '--port', String(port), '--api-port', '0']);
      expect([s3Port.status, s3Port.stderr.trim()]).toEqual([
        2,
        `s3-harness: the S3 port ${port} (--port) on 127.0.0.1 is already in use (pass --port 0 to pick free ones)`,
      ]);
      const apiPort = await runCliAsync(['start', '--ephemeral', '--port', '0', '--api-port', String(port)]);
      expect([apiPort.status, apiPort.stderr.trim()]).toEqual([
        2,
        `s3-harness: the API port ${port} (--api-port) on 127.0.0.1 is already in use (pass --port 0 to pick free ones)`,
      ]);
    } finally {
      busy.close();
    }
  });

  it('runs from a checkout through bin/s3-harness.js (the TypeScript sources, no build needed)', () => {
    const help = spawnSync(process.execPath, ['bin/s3-harness.js', '--help'], { encoding: 'utf8' });
    expect([help.status, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: s3-harness <command> [options]']);
  });

  it("says its version (--version), the package's, from the sources and compiled", () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const cli of [['bin/s3-harness.js'], CLI]) {
      const answer = spawnSync(process.execPath, [...cli, '--version'], { encoding: 'utf8' });
      expect([answer.status, answer.stdout.trim()]).toEqual([0, version]);
    }
  });
});
