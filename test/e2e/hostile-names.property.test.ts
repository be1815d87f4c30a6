/**
 * Names users choose are data, never keys of the program's objects (docs/security.md): a workspace
 * whose bucket, template, fields, user, account and integration are named `__proto__`, `constructor`,
 * `toString`, ... works like any other, through the real gateway, engine, API and UI.
 */
import { PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DatasetRow, Submission } from '../../core/submissions/index.ts';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { createWebApp } from '../../emulator/web.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { IN_PROCESS_GUARD, ownPageRequest } from '../helpers/web.ts';

const PROTOTYPE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
  'prototype',
];
const HOSTILE_STRINGS = [
  '<script>alert(1)</script>',
  '../../etc',
  '%2e%2e%2f',
  'a"b',
  "'; DROP TABLE x; --",
  'null',
  'undefined',
  'NaN',
  '0',
  'é 名前',
];
const hostileName = fc.oneof(
  fc.constantFrom(...PROTOTYPE_NAMES, ...HOSTILE_STRINGS),
  fc.string({ minLength: 1, maxLength: 12 }),
);

const SECRET = 'hostileNamesSecretKey000000000000000000001';
const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };

/** One workspace where every user-chosen name is `name` (the field beside it is `name` + "2", so two fields differ). */
function workspaceNamed(name: string): Record<string, unknown> {
  return {
    accountId: '123456789012',
    region: 'us-east-1',
    buckets: [{ name: 'drops' }],
    iam: { users: [{ name, accessKeyId: 'AKIAHOSTILENAMES0001', secretAccessKey: SECRET, policies: [allowAll] }] },
    accounts: [{ name, accessKeyId: 'AKIAHOSTILENAMES0001' }],
    templates: [
      {
        name,
        fields: [
          { name, type: 'text', required: true },
          { name: `${name}2`, type: 'picklist', values: ['constructor', 'toString', 'x'] },
        ],
        inbound: [
          {
            name,
            account: name,
            region: 'us-east-1',
            bucketMode: 'manual',
            bucket: 'drops',
            prefix: 'in/',
            detection: 'event',
            outcome: 'all-or-nothing',
          },
        ],
      },
    ],
  };
}

const csvCell = (text: string) => `"${text.replace(/"/g, '""')}"`;

describe('names from Object.prototype and other hostile strings', () => {
  it("work as bucket names too: the workspace's policy of a bucket named constructor is in force", async () => {
    const denyPuts = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'NoOne',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::constructor/*',
        },
      ],
    };
    const json = {
      ...workspaceNamed('admin'),
      buckets: [{ name: 'drops' }, { name: 'constructor', policy: denyPuts }, { name: 'valueof' }],
    };
    const parsed = parseWorkspace(json);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const h = await startTestHarness(parsed.value, { source: json });
    try {
      const error = await h
        .client('admin')
        .send(new PutObjectCommand({ Bucket: 'constructor', Key: 'a', Body: 'x' }))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(error?.name).toBe('AccessDenied');
      expect(h.gateway.bucketPolicy('constructor')).toEqual(denyPuts);
      await h.client('admin').send(new PutObjectCommand({ Bucket: 'valueof', Key: 'a', Body: 'x' }));
      // Set through the S3 API, then read back across the same lookups.
      await h.client('admin').send(
        new PutBucketPolicyCommand({
          Bucket: 'valueof',
          Policy: JSON.stringify({
            ...denyPuts,
            Statement: [{ ...denyPuts.Statement[0], Resource: 'arn:aws:s3:::valueof/*' }],
          }),
        }),
      );
      expect(
        (
          await h
            .client('admin')
            .send(new PutObjectCommand({ Bucket: 'valueof', Key: 'b', Body: 'x' }))
            .then(
              () => undefined,
              (e: Error) => e,
            )
        )?.name,
      ).toBe('AccessDenied');
    } finally {
      await h.stop();
    }
  });

  it('import, list, serve and show like any name', { timeout: 120_000 }, async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(hostileName, async (name) => {
        const json = workspaceNamed(name);
        const parsed = parseWorkspace(json);
        // The workspace's own rules (say, no two fields of one name) may refuse a name: that is data too.
        fc.pre(parsed.ok);
        seen.add(name);
        await checkWorkspace(name, (parsed as { value: Workspace }).value, json);
      }),
      { numRuns: 14, examples: PROTOTYPE_NAMES.map((n) => [n]) },
    );
    expect([...seen]).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'toString', 'hasOwnProperty']));
  });
});

async function checkWorkspace(name: string, workspace: Workspace, json: Record<string, unknown>): Promise<void> {
  const h: TestHarness = await startTestHarness(workspace, { source: json });
  try {
    await h.client(name).send(
      new PutObjectCommand({
        Bucket: 'drops',
        Key: 'in/file.csv',
        Body: `${csvCell(name)},${csvCell(`${name}2`)}\r\n${csvCell(name)},constructor\r\n`,
      }),
    );
    const [submission] = await h.submissionsOf('in/file.csv');
    expect(submission!.status, JSON.stringify(submission)).toBe('complete');
    const dataset = await h.api<DatasetRow[]>(`/api/templates/${encodeURIComponent(name)}/dataset`);
    expect(Object.getOwnPropertyNames(dataset[0]!.values)).toEqual([name, `${name}2`]);
    expect(Object.hasOwn(dataset[0]!.values, name)).toBe(true);
    expect([dataset[0]!.values[name], dataset[0]!.values[`${name}2`]]).toEqual([name, 'constructor']);
    const byId = await fetch(`${h.apiUrl}/api/submissions/${encodeURIComponent(name)}`);
    expect(byId.status).toBe(404);
    expect((await h.api<Submission>(`/api/submissions/${submission!.id}`)).id).toBe(submission!.id);
    const app = createWebApp({
      workspace,
      engine: h.engine,
      gateway: h.gateway,
      endpoint: h.endpoint,
      editor: h.editor,
      guard: IN_PROCESS_GUARD,
    });
    const request = ownPageRequest(app);
    expect((await request(`/submissions/${encodeURIComponent(name)}`)).status).toBe(404);
    expect((await request(`/submissions/${submission!.id}`)).status).toBe(200);
    const simulated = await (
      await request('/iam/simulate', {
        method: 'POST',
        body: new URLSearchParams({
          user: name,
          action: 's3:GetObject',
          resource: 'arn:aws:s3:::drops/in/a',
          context: '',
        }),
      })
    ).text();
    expect(simulated).toContain('allowed');
    const preflight = await h.api<{ integrations: { template: string; ok: boolean }[] }>('/api/preflight');
    expect(preflight.integrations.map((i) => [i.template, i.ok])).toEqual([[name, true]]);
    expect((await request('/templates')).status).toBe(200);
    expect((await request('/accounts')).status).toBe(200);
  } finally {
    await h.stop();
  }
}
