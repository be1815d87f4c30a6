/**
 * Changes made in the web UI: validated, applied at once (the gateway and the engine take them), kept
 * in the data folder across restarts, and never echoing a secret.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteBucketPolicyCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { formTokenOf } from '../helpers/web.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await startTestHarness();
});
afterAll(() => h.stop());

const post = (path: string, fields: Record<string, string>, htmx = false) =>
  fetch(`${h.apiUrl}${path}`, {
    method: 'POST',
    body: new URLSearchParams({ ...fields, _token: h.web.token }),
    redirect: 'manual',
    headers: htmx ? { 'HX-Request': 'true' } : {},
  });
const user = (name: string) => h.workspace.iam.users.find((u) => u.name === name)!;

describe('accounts in the web UI', () => {
  it('connects an account, masks its secret, and tests the connection with its keys', async () => {
    const reader = user('reader');
    const connected = await post('/accounts', {
      name: 'acme-reader',
      description: 'read-only',
      accessKeyId: reader.accessKeyId,
      secretAccessKey: reader.secretAccessKey,
    });
    expect([connected.status, connected.headers.get('location')]).toEqual([303, '/accounts?connected=acme-reader']);
    const page = await (await fetch(`${h.apiUrl}/accounts?connected=acme-reader`)).text();
    expect(page).toContain('Account "acme-reader" connected.');
    expect(page).toContain(`<code>${reader.accessKeyId}</code></td><td>••••••••</td>`);
    expect(page).not.toContain(reader.secretAccessKey);
    const tested = await (await post('/accounts/acme-reader/test', {}, true)).text();
    expect(tested).toContain('Connected: the keys work and list 2 bucket(s): acme-claravine, acme-exports.');

    const intern = user('intern');
    await post('/accounts', {
      name: 'acme-intern',
      accessKeyId: intern.accessKeyId,
      secretAccessKey: intern.secretAccessKey,
    });
    expect(await (await post('/accounts/acme-intern/test', {}, true)).text()).toContain(
      'The keys work, but listing buckets is denied (s3:ListAllMyBuckets)',
    );

    await post('/accounts', { name: 'acme-typo', accessKeyId: intern.accessKeyId, secretAccessKey: 'not-the-secret' });
    expect(await (await post('/accounts/acme-typo/test', {}, true)).text()).toContain(
      '<strong>SignatureDoesNotMatch</strong>',
    );
    const saved = h.editor.json() as { accounts: { name: string; secretAccessKey?: string }[] };
    // A secret that is the user's is not copied; a wrong one is kept, so its calls fail as AWS's would.
    expect(saved.accounts.find((a) => a.name === 'acme-reader')!.secretAccessKey).toBeUndefined();
    expect(saved.accounts.find((a) => a.name === 'acme-typo')!.secretAccessKey).toBe('not-the-secret');
  });

  it('refuses an account that would not validate, and says why', async () => {
    const refused = await post('/accounts', {
      name: 'acme-reader',
      accessKeyId: user('reader').accessKeyId,
      secretAccessKey: 'x',
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('account name &quot;acme-reader&quot; is used twice');
  });
});

describe('policies in the web UI', () => {
  it('names a JSON syntax error by line and column, and a policy error by its path', async () => {
    const broken = await post('/iam/users/uploader/policies/0', {
      policy: '{\n  "Version": "2012-10-17",\n  "Statement": [,]\n}',
    });
    expect(broken.status).toBe(422);
    const text = await broken.text();
    expect(text).toContain('Not valid JSON at line 3, column 17:');
    expect(text).toContain('<pre>  &quot;Statement&quot;: [,]\n                ^</pre>');
    const invalid = await post('/iam/users/uploader/policies/0', {
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Maybe', Action: 's3:GetObject', Resource: '*' }],
      }),
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toMatch(/iam\.users\[1\]\.policies\[0\]\.Statement\[0\][^<]*Effect/);
  });

  it('applies a saved policy to the next request through the gateway', async () => {
    const uploader = h.client('uploader');
    await expect(uploader.send(new ListObjectsV2Command({ Bucket: 'acme-claravine' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    const policy = {
      Version: '2012-10-17',
      Statement: [
        ...(user('uploader').policies[0]!.Statement as object[]),
        { Sid: 'ListAll', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::acme-claravine' },
      ],
    };
    const saved = await post('/iam/users/uploader/policies/0', { policy: JSON.stringify(policy) });
    expect(saved.status).toBe(303);
    expect((await uploader.send(new ListObjectsV2Command({ Bucket: 'acme-claravine' }))).$metadata.httpStatusCode).toBe(
      200,
    );
    const decision = await (
      await post(
        '/iam/simulate',
        { user: 'uploader', action: 's3:ListBucket', resource: 'arn:aws:s3:::acme-claravine', context: '' },
        true,
      )
    ).text();
    expect(decision).toContain(
      'Deciding statement: statement 2 (Sid &quot;ListAll&quot;) of identity policy 0 of user uploader',
    );
    expect(decision).toContain('<pre><mark>{\n  &quot;Sid&quot;: &quot;ListAll&quot;');
  });
});

describe('a drop while the workspace changes', () => {
  it('is imported by the engine that takes over', async () => {
    const reader = user('reader');
    const uploads = Array.from({ length: 5 }, (_, i) =>
      h.client('uploader').send(
        new PutObjectCommand({
          Bucket: 'acme-claravine',
          Key: `us/submissions/Email-during-${i}.csv`,
          Body: 'Campaign Name,Channel,Channel Code,Region,Country,Launch Date,Tags\r\nDuring Edit,Email,,EMEA,France,2026-03-01,\r\n',
        }),
      ),
    );
    const [edit] = await Promise.all([
      post('/accounts', {
        name: 'during-edit',
        accessKeyId: reader.accessKeyId,
        secretAccessKey: reader.secretAccessKey,
      }),
      ...uploads,
    ]);
    expect(edit.status).toBe(303);
    for (let i = 0; i < 5; i++)
      expect((await h.submissionsOf(`us/submissions/Email-during-${i}.csv`))[0]!.status).toBe('complete');
  });
});

describe('bucket policies in the web UI', () => {
  it('edits a bucket policy over one set through the S3 API, and removes it, each in force at once', async () => {
    const admin = h.client('admin');
    const putPlain = () => admin.send(new PutObjectCommand({ Bucket: 'acme-exports', Key: 'plain.csv', Body: 'x' }));
    await expect(putPlain()).rejects.toMatchObject({ name: 'AccessDenied' });
    await admin.send(new DeleteBucketPolicyCommand({ Bucket: 'acme-exports' }));
    await putPlain();
    expect(await (await fetch(`${h.apiUrl}/iam`)).text()).toContain('Set through the S3 API on');
    expect(await (await fetch(`${h.apiUrl}/iam/buckets/acme-exports/policy`)).text()).toContain(
      'This policy was set through the S3 API.',
    );

    const requireSse = h.workspace.buckets.find((b) => b.name === 'acme-exports')!.policy!;
    expect((await post('/iam/buckets/acme-exports/policy', { policy: JSON.stringify(requireSse) })).status).toBe(303);
    await expect(putPlain()).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await (await fetch(`${h.apiUrl}/iam`)).text()).not.toContain('Set through the S3 API on');

    const malformed = await post('/iam/buckets/acme-exports/policy', {
      policy: JSON.stringify({
        Statement: [{ Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::acme-exports/*' }],
      }),
    });
    expect(malformed.status).toBe(422);
    expect(await malformed.text()).toContain('Principal');

    expect((await post('/iam/buckets/acme-exports/policy', { policy: '' })).status).toBe(303);
    await putPlain();
    expect(
      (h.editor.json() as { buckets: { name: string; policy?: unknown }[] }).buckets.find(
        (b) => b.name === 'acme-exports',
      )!.policy,
    ).toBeUndefined();
  });
});

describe('UI changes across a restart', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-harness-ui-restart-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('are kept in the data folder and used at the next start, which says so', async () => {
    const args = ['--data', dir, '--port', '0', '--api-port', '0'];
    const first = await startCli(args);
    const api = /API: (\S+)/.exec(first.output())![1]!;
    const reader = user('reader');
    const connected = await fetch(`${api}/accounts`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        _token: await formTokenOf(api),
        name: 'kept-account',
        accessKeyId: reader.accessKeyId,
        secretAccessKey: reader.secretAccessKey,
      }),
    });
    expect(connected.status).toBe(303);
    expect(await first.stop()).toBe(0);
    const second = await startCli(args);
    try {
      expect(second.output()).toContain(
        `workspace ${join(dir, 'workspace.json')}, as edited in the web UI (delete it to start from`,
      );
      const secondApi = /API: (\S+)/.exec(second.output())![1]!;
      expect(await (await fetch(`${secondApi}/accounts`)).text()).toContain('<td>kept-account</td>');
      const file = (await (await fetch(`${secondApi}/workspace.json?secrets=1`)).json()) as {
        accounts: { name: string }[];
      };
      expect(file.accounts.map((a) => a.name)).toContain('kept-account');
    } finally {
      await second.stop();
    }
  });
});
