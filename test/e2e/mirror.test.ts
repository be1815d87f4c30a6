/**
 * `s3-harness mirror` against a customer's account that msw plays (test/helpers/fake-aws.ts): the
 * workspace it writes reproduces the bucket and the user's policies, loads, and decides as the account
 * would; refused calls are reported with what the workspace lacks; the customer's keys are never
 * written; nothing leaves the machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decide, callerOf, localRequestFacts } from '../../core/iam/index.ts';
import { parseWorkspace } from '../../core/workspace/index.ts';
import { runMirrorCommand } from '../../emulator/cli/mirror.ts';
import { mirrorAccount, sampleObjects } from '../../emulator/go-live/mirror.ts';
import { runScenarios } from '../../emulator/index.ts';
import { fakeAws, type FakeAccount } from '../helpers/fake-aws.ts';
import type { SetupServerApi } from 'msw/node';
import { CLI } from '../helpers/cli.ts';

const CUSTOMER_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCUSTOMERKEY';
const credentials = { accessKeyId: 'AKIACUSTOMERREALKEY1', secretAccessKey: CUSTOMER_SECRET };
const ARTICLE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'VisualEditor0',
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:ListBucket'],
      Resource: ['arn:aws:s3:::acme-drop', 'arn:aws:s3:::acme-drop/us', 'arn:aws:s3:::acme-drop/us/*'],
    },
  ],
};
const READ_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-drop/us/*' }],
};
const BOUNDARY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
};
const BUCKET_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::acme-drop', 'arn:aws:s3:::acme-drop/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

function account(overrides: Partial<FakeAccount> = {}): FakeAccount {
  return {
    accountId: '210987654321',
    caller: 'claravine-platform',
    users: [
      {
        name: 'claravine-platform',
        inline: { DropFolder: ARTICLE_POLICY },
        groups: ['readers'],
        boundary: 'arn:aws:iam::210987654321:policy/ReadOnlyBoundary',
      },
    ],
    groups: { readers: { attached: ['arn:aws:iam::210987654321:policy/ReadDrops'] } },
    managed: {
      'arn:aws:iam::210987654321:policy/ReadDrops': { name: 'ReadDrops', document: READ_POLICY },
      'arn:aws:iam::210987654321:policy/ReadOnlyBoundary': { name: 'ReadOnlyBoundary', document: BOUNDARY },
    },
    buckets: {
      'acme-drop': {
        region: 'eu-west-1',
        policy: BUCKET_POLICY,
        encryption: 'AES256',
        versioning: 'Enabled',
        publicAccessBlock: true,
      },
    },
    ...overrides,
  };
}

let server: SetupServerApi | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

describe('s3-harness mirror', () => {
  it('writes a workspace that reproduces the bucket and the user, loads, and decides as the account does', async () => {
    const fake = fakeAws(account());
    server = fake.server;
    const result = await mirrorAccount({ buckets: ['acme-drop'], credentials });
    expect(result.notes).toEqual([]);
    const parsed = parseWorkspace(result.workspace);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const workspace = parsed.value;
    expect([workspace.accountId, workspace.region]).toEqual(['210987654321', 'eu-west-1']);
    expect(workspace.buckets).toEqual([
      {
        name: 'acme-drop',
        policy: BUCKET_POLICY,
        defaultEncryption: 'AES256',
        versioning: 'Enabled',
        // The real bucket's Block Public Access, all four on (AWS's default since April 2023).
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      },
    ]);
    const [user] = workspace.iam.users;
    expect([user!.name, user!.policies, user!.permissionsBoundary]).toEqual([
      'claravine-platform',
      [ARTICLE_POLICY, READ_POLICY],
      BOUNDARY,
    ]);
    // Local keys only: the customer's key and secret are nowhere in the file.
    const text = JSON.stringify(result.workspace);
    expect(text).not.toContain(CUSTOMER_SECRET);
    expect(text).not.toContain(credentials.accessKeyId);
    expect(user!.accessKeyId).toMatch(/^AKIAMIRROR[0-9A-F]{10}$/);
    // Decided as the account would: the boundary caps PutObject; reads are allowed once the workspace
    // models HTTPS (the bucket denies plain HTTP, which the explanation names).
    const ask = (action: string, resource: string) => {
      const { caller, baseContext } = callerOf(workspace, user!, localRequestFacts(Date.now()));
      const bucketPolicy = workspace.buckets[0]!.policy!;
      return decide(
        caller,
        { action, resource, context: {} },
        [
          ...user!.policies.map((document, index) => ({
            source: { kind: 'identity' as const, userName: user!.name, index },
            document,
          })),
          { source: { kind: 'bucket' as const, bucket: 'acme-drop' }, document: bucketPolicy },
        ],
        baseContext,
      );
    };
    const overHttp = ask('s3:GetObject', 'arn:aws:s3:::acme-drop/us/a.csv');
    expect(overHttp.explanation).toContain('depends on aws:SecureTransport');
    user!.requestContext = { 'aws:SecureTransport': 'true' };
    expect(ask('s3:GetObject', 'arn:aws:s3:::acme-drop/us/a.csv').allowed).toBe(true);
    expect(ask('s3:PutObject', 'arn:aws:s3:::acme-drop/us/a.csv').deniedByBoundary).toBe(true);
    expect(fake.seen).toContain('iam:GetPolicyVersion');
    expect(result.read).toContain('managed policy ReadDrops (v3) of group readers');
  });

  it("a scenario suite runs unchanged against the mirrored workspace, with the customer's templates added", async () => {
    server = fakeAws(account()).server;
    const { workspace } = await mirrorAccount({ buckets: ['acme-drop'], credentials });
    server.close();
    server = undefined;
    // What a CS engineer adds: the integration's template, and production's HTTPS for the mirrored user.
    const demo = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
    const email = demo.templates.find((t: { name: string }) => t.name === 'Email');
    email.inbound = [{ name: 'Drop', account: 'customer', bucketMode: 'manual', bucket: 'acme-drop', prefix: 'us/' }];
    email.outbound = [];
    const users = (workspace.iam as { users: Record<string, unknown>[] }).users;
    users[0]!.requestContext = { 'aws:SecureTransport': true };
    const dir = mkdtempSync(join(tmpdir(), 'mirrored-scenario-'));
    writeFileSync(join(dir, 'acme.json'), JSON.stringify({ ...workspace, templates: [email] }));
    // A suite written for the customer: the boundary caps the user's PutObject; reads are allowed.
    writeFileSync(
      join(dir, 'boundary.json'),
      JSON.stringify({
        name: 'the mirrored user may read drops but its boundary refuses writes',
        workspace: 'acme.json',
        steps: [
          {
            expectAccess: {
              as: 'claravine-platform',
              operation: 'PutObject',
              bucket: 'acme-drop',
              key: 'us/Email.csv',
              allowed: false,
              code: 'AccessDenied',
              explanation: 'permissions boundary does not allow it',
            },
          },
          {
            expectAccess: {
              as: 'claravine-platform',
              operation: 'ListObjectsV2',
              bucket: 'acme-drop',
              prefix: 'us/',
              allowed: true,
            },
          },
          { expectPreflight: { integration: 'Email/Drop', action: 's3:GetObject', allowed: true } },
        ],
      }),
    );
    const [result] = await runScenarios([join(dir, 'boundary.json')]);
    expect(result!.failure, JSON.stringify(result!.failure)).toBeUndefined();
    expect([result!.passed, result!.stepsRun]).toEqual([true, 3]);
  });

  it("--objects copies a few of the customer's files, never a key that would leave the folder", async () => {
    const objects = ['us/a.csv', 'us/b.csv', 'us/../../escape.csv', 'us/c.csv'];
    server = fakeAws(
      account({
        buckets: {
          'acme-drop': { region: 'eu-west-1', objects, bodies: { 'us/a.csv': 'Campaign Name\r\nSpring\r\n' } },
        },
      }),
    ).server;
    const directory = mkdtempSync(join(tmpdir(), 'mirror-objects-'));
    const sampled = await sampleObjects({
      bucket: 'acme-drop',
      prefix: 'us/',
      max: 3,
      directory,
      region: 'eu-west-1',
      credentials,
    });
    expect(sampled.written).toEqual(['acme-drop/us/a.csv', 'acme-drop/us/b.csv']);
    expect(sampled.notes).toEqual([
      {
        call: 's3:GetObject acme-drop/us/../../escape.csv',
        outcome: 'skipped',
        consequence: 'not sampled: its key cannot be a file path here',
      },
    ]);
    expect(readFileSync(join(directory, 'acme-drop', 'us', 'a.csv'), 'utf8')).toBe('Campaign Name\r\nSpring\r\n');
  });

  it('a bucket without a policy (NoSuchBucketPolicy) or default encryption config is mirrored without them, silently', async () => {
    const fake = fakeAws(account({ buckets: { 'acme-plain': { region: 'us-east-1' } } }));
    server = fake.server;
    const result = await mirrorAccount({ buckets: ['acme-plain'], credentials });
    expect(result.notes).toEqual([]);
    expect(result.workspace.buckets).toEqual([{ name: 'acme-plain', defaultEncryption: 'AES256' }]);
    expect(fake.seen).toContain('s3:acme-plain?policy');
  });

  it('reports each refused call with what the workspace lacks, and still writes what it could', async () => {
    const fake = fakeAws(account({ denied: ['s3:GetBucketPolicy', 'iam:ListGroupsForUser', 'iam:GetPolicy'] }));
    server = fake.server;
    const result = await mirrorAccount({ buckets: ['acme-drop'], credentials });
    expect(
      result.notes.map((n) => [n.call, n.kind, n.outcome.split(':').slice(0, 2).join(':'), n.consequence]),
    ).toEqual([
      [
        'iam:ListGroupsForUser',
        'refused',
        'refused: AccessDenied',
        'the policies of the groups of user claravine-platform are missing',
      ],
      [
        'iam:GetPolicy arn:aws:iam::210987654321:policy/ReadOnlyBoundary',
        'refused',
        'refused: AccessDenied',
        'the managed policy ReadOnlyBoundary of the boundary of user claravine-platform is missing',
      ],
      [
        's3:GetBucketPolicy acme-drop',
        'refused',
        'refused: AccessDenied',
        'acme-drop has no bucket policy in the workspace',
      ],
    ]);
    const parsed = parseWorkspace(result.workspace);
    expect(parsed.ok && parsed.value.iam.users[0]!.policies).toEqual([ARTICLE_POLICY]);
    expect(parsed.ok && parsed.value.buckets[0]!.policy).toBeUndefined();
  });

  it('tells AWS unreachable, no credentials, throttling, a refusal and a missing bucket apart, one line each', async () => {
    // AWS unreachable, or credentials it does not take: nothing can be read, said once.
    server = fakeAws(account({ unreachable: ['iam'] })).server;
    await expect(mirrorAccount({ buckets: ['acme-drop'], credentials })).rejects.toThrow(
      /^nothing could be read: AWS could not be reached: /,
    );
    server.close();
    server = fakeAws(account({ unreachable: ['s3'], throttled: { ListGroupsForUser: 9 } })).server;
    const partly = await mirrorAccount({ buckets: ['acme-drop', 'acme-gone'], credentials });
    const kinds = partly.notes.map((n) => `${n.kind} ${n.call}`);
    expect(kinds).toContain('throttled iam:ListGroupsForUser');
    expect(kinds).toContain('network s3:GetBucketPolicy acme-drop');
    expect(partly.notes.find((n) => n.kind === 'throttled')!.outcome).toBe(
      'throttled by AWS (after the SDK retried): Throttling: Rate exceeded',
    );
    server.close();
    server = fakeAws(account()).server;
    const missing = await mirrorAccount({ buckets: ['acme-gone'], credentials });
    expect(missing.notes.map((n) => [n.kind, n.call, n.outcome])).toContainEqual([
      'missing',
      's3:GetBucketPolicy acme-gone',
      'not found: NoSuchBucket: The specified bucket does not exist',
    ]);
  });

  it('the command exits 1 when something could not be read (each named), 0 when all was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirror-command-'));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => printed.push(line);
    try {
      server = fakeAws(account({ denied: ['s3:GetBucketPolicy'] })).server;
      expect(await runMirrorCommand(['--bucket', 'acme-drop', '--out', join(dir, 'a.json')])).toBe(1);
      expect(printed.join('\n')).toMatch(
        /Could not read \(the workspace lacks what follows\):\n {2}s3:GetBucketPolicy acme-drop: refused: AccessDenied: Access Denied\n {4}-> acme-drop has no bucket policy in the workspace/,
      );
      server.close();
      server = fakeAws(account()).server;
      expect(await runMirrorCommand(['--bucket', 'acme-drop', '--out', join(dir, 'b.json')])).toBe(0);
      expect(parseWorkspace(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'))).ok).toBe(true);
    } finally {
      console.log = log;
      process.env = saved;
    }
  });

  it('retries what IAM throttles, as the SDK does, and mirrors all of it', async () => {
    const fake = fakeAws(account({ throttled: { GetUser: 1, ListUserPolicies: 2 } }));
    server = fake.server;
    const result = await mirrorAccount({ buckets: ['acme-drop'], credentials });
    expect(result.notes).toEqual([]);
    expect(fake.seen.filter((s) => s === 'iam:ListUserPolicies')).toHaveLength(3);
    const parsed = parseWorkspace(result.workspace);
    expect(parsed.ok && parsed.value.iam.users[0]!.policies).toEqual([ARTICLE_POLICY, READ_POLICY]);
  });

  it('needs the user named when iam:GetUser is refused, and mirrors it then', async () => {
    server = fakeAws(account({ denied: ['iam:GetUser'] })).server;
    await expect(mirrorAccount({ buckets: ['acme-drop'], credentials })).rejects.toThrow(/--user/);
    const result = await mirrorAccount({ buckets: ['acme-drop'], credentials, userName: 'claravine-platform' });
    expect(result.notes[0]).toMatchObject({
      call: 'iam:GetUser',
      consequence: 'the account id and the permissions boundary are unknown',
    });
    expect(parseWorkspace(result.workspace).ok).toBe(true);
  });

  it('nothing reaches the network: a request the fake account does not answer is refused and recorded', async () => {
    const fake = fakeAws(account());
    server = fake.server;
    await mirrorAccount({ buckets: ['acme-drop'], credentials, region: 'eu-west-1' });
    expect(fake.unhandled).toEqual([]);
    const unknown = await fetch('https://sts.amazonaws.com/?Action=GetCallerIdentity').then(
      () => 'answered',
      () => 'refused',
    );
    expect([unknown, fake.unhandled]).toEqual(['refused', ['GET https://sts.amazonaws.com/?Action=GetCallerIdentity']]);
  });

  it('the command: a usage error without --bucket, one line without credentials, never a stack or a secret', () => {
    const home = mkdtempSync(join(tmpdir(), 'mirror-home-'));
    // No credentials anywhere, and no instance metadata to ask (which would reach the network).
    const env = { PATH: process.env.PATH ?? '', HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [...CLI, 'mirror', ...args], { encoding: 'utf8', env, timeout: 30_000 });
    const noBucket = run();
    expect([noBucket.status, noBucket.stderr.trim()]).toEqual([
      2,
      's3-harness: --bucket B is required (see s3-harness mirror --help)',
    ]);
    const noCredentials = run('--bucket', 'acme-drop', '--out', join(home, 'w.json'));
    expect([noCredentials.status, noCredentials.stderr.trim()]).toEqual([
      2,
      's3-harness: nothing could be read: no usable credentials: CredentialsProviderError: Could not load credentials from any providers',
    ]);
    // AWS unreachable (its endpoint is a closed port here: nothing leaves the machine): no file, one line.
    const unreachable = spawnSync(
      process.execPath,
      [...CLI, 'mirror', '--bucket', 'acme-drop', '--out', join(home, 'w.json')],
      {
        encoding: 'utf8',
        env: {
          ...env,
          AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        },
        timeout: 30_000,
      },
    );
    expect(unreachable.status).toBe(2);
    expect(unreachable.stderr.trim()).toMatch(
      /^s3-harness: nothing could be read: AWS could not be reached: ECONNREFUSED: .*$/,
    );
    expect(existsSync(join(home, 'w.json'))).toBe(false);
  });
});
