/**
 * `s3-harness policy` writes exactly enough (core/preflight/least-privilege.ts). For random workspaces
 * (inbound and outbound integrations with random prefixes, filenames and dynamic values, SSE on or off,
 * List Buckets or Manual Bucket Entry, event or poll detection, bucket policies that allow or deny), a
 * user holding exactly the generated policy passes the preflight, and through the real gateway every
 * request of a drop, its import and its delivery succeeds; removing any one statement fails the
 * preflight (no statement is superfluous); a need a Deny refuses is reported, never granted around.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { leastPrivilegePolicies, runPreflight, type GeneratedPolicy } from '../../core/preflight/index.ts';
import type { PolicyDocument, PolicyStatement } from '../../core/iam/index.ts';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { startHarness } from '../../emulator/embed.ts';

const ACCOUNT_ID = '123456789012';
const PLATFORM_ARN = `arn:aws:iam::${ACCOUNT_ID}:user/platform`;
const SUBMITTED_AT = '2026-12-01_10-00-00';
/** One clock for the generator and the preflight: a sample key names the second it was made. */
const now = new Date('2026-12-01T10:00:00Z');

const inboundPrefix = (root: string) =>
  fc
    .array(fc.constantFrom('in/', 'Data/', 'a-b_', '{{template_name}}', '{{submitted_by}}/', '{{submitted_at}}/'), {
      maxLength: 3,
    })
    .map((parts) => root + parts.join(''));

const inbound = (root: string) =>
  fc.record({
    name: fc.constant(`Drop ${root.replace('/', '')}`),
    account: fc.constant('acct'),
    bucketMode: fc.constantFrom('manual', 'list'),
    bucket: fc.constant('drops'),
    prefix: inboundPrefix(root),
    detection: fc.constantFrom('event', 'poll'),
    pollIntervalSeconds: fc.constant(1),
  });

const outbound = fc.record({
  name: fc.constant('Export'),
  account: fc.constant('acct'),
  bucketMode: fc.constantFrom('manual', 'list'),
  bucket: fc.constant('exports'),
  sse: fc.boolean(),
  filename: fc
    .array(
      fc.constantFrom('out/', 'x_', '{{template_name}}', '{{submitted_at}}', '{{submitted_by}}', '{{submission_name}}'),
      { minLength: 1, maxLength: 4 },
    )
    .map((parts) => parts.join('')),
  pathMode: fc.constantFrom('flatten', 'folders'),
  fileType: fc.constant('csv'),
});

const DROP_POLICIES = {
  none: undefined,
  allowsReads: {
    Effect: 'Allow',
    Principal: { AWS: PLATFORM_ARN },
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::drops/*',
  },
  deniesElsewhere: { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::drops/private/*' },
};
const EXPORT_POLICIES = {
  none: undefined,
  requiresSse: {
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::exports/*',
    Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
  },
  deniesPlatform: {
    Effect: 'Deny',
    Principal: { AWS: PLATFORM_ARN },
    Action: 's3:PutObject',
    Resource: 'arn:aws:s3:::exports/*',
  },
};

const setup = fc.record({
  inbound: fc.tuple(inbound('one/'), fc.option(inbound('two/'), { nil: undefined })),
  outbound: fc.option(outbound, { nil: undefined }),
  drops: fc.constantFrom(...(Object.keys(DROP_POLICIES) as (keyof typeof DROP_POLICIES)[])),
  exports: fc.constantFrom(...(Object.keys(EXPORT_POLICIES) as (keyof typeof EXPORT_POLICIES)[])),
});
type Setup = typeof setup extends fc.Arbitrary<infer T> ? T : never;

const bucketPolicy = (statement: object | undefined) =>
  statement ? { policy: { Version: '2012-10-17', Statement: [statement] } } : {};

function workspaceJson(s: Setup, platformPolicies: PolicyDocument[]): Record<string, unknown> {
  const user = (name: string, policies: unknown[]) => ({
    name,
    accessKeyId: `AKIA${name.toUpperCase().padEnd(16, '0')}`,
    secretAccessKey: `${name}SecretKey000000000000000000000000`,
    policies,
  });
  return {
    accountId: ACCOUNT_ID,
    region: 'us-east-1',
    buckets: [
      { name: 'drops', ...bucketPolicy(DROP_POLICIES[s.drops]) },
      { name: 'exports', ...bucketPolicy(EXPORT_POLICIES[s.exports]) },
    ],
    iam: {
      users: [
        user('uploader', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }]),
        user('platform', platformPolicies),
      ],
    },
    accounts: [{ name: 'acct', accessKeyId: 'AKIAPLATFORM00000000' }],
    templates: [
      {
        name: 'T',
        fields: [{ name: 'Name', type: 'text', required: true }],
        inbound: s.inbound.filter((i) => i !== undefined).map((i) => ({ ...i, outcome: 'all-or-nothing' })),
        outbound: s.outbound ? [s.outbound] : [],
      },
    ],
  };
}

function parsed(json: Record<string, unknown>): Workspace {
  const result = parseWorkspace(json);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

/** A Deny stands in the way of the delivery: SSE required and not sent, or the platform refused outright. */
const deliveryBlocked = (s: Setup) =>
  s.outbound !== undefined && (s.exports === 'deniesPlatform' || (s.exports === 'requiresSse' && !s.outbound.sse));

function generated(s: Setup): GeneratedPolicy {
  const result = leastPrivilegePolicies(parsed(workspaceJson(s, [])), { now });
  if (!result.ok) throw new Error(result.error);
  expect(result.policies).toHaveLength(1);
  return result.policies[0]!;
}

const statementsOf = (document: PolicyDocument) => document.Statement as PolicyStatement[];

describe('the least-privilege policy', () => {
  test.prop([setup], { numRuns: 150 })('is enough, and every statement of it is needed', (s) => {
    const policy = generated(s);
    expect(policy.blocked.length > 0).toBe(deliveryBlocked(s));
    expect(policy.enough).toBe(!deliveryBlocked(s));
    for (const statement of statementsOf(policy.document)) {
      expect(['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:ListAllMyBuckets']).toContain(statement.Action);
      if (statement.Action !== 's3:ListAllMyBuckets') expect(statement.Resource).not.toBe('*');
    }
    // A read the bucket policy grants the user needs no statement.
    if (s.drops === 'allowsReads') expect(JSON.stringify(policy.document)).not.toContain('s3:GetObject');

    const blocked = new Set(policy.blocked.map((b) => `${b.action} ${b.resource}`));
    const report = runPreflight(parsed(workspaceJson(s, [policy.document])), { now });
    const denied = report.integrations.flatMap((i) => i.checks).filter((c) => !c.allowed);
    expect(denied.map((c) => `${c.action} ${c.resource}`).sort()).toEqual([...blocked].sort());

    const statements = statementsOf(policy.document);
    statements.forEach((_, index) => {
      const without = { ...policy.document, Statement: statements.filter((__, i) => i !== index) };
      const weaker = runPreflight(parsed(workspaceJson(s, [without])), { now });
      const deniedNow = weaker.integrations.flatMap((i) => i.checks).filter((c) => !c.allowed);
      expect(deniedNow.length, `statement ${statements[index]!.Sid} is superfluous`).toBeGreaterThan(denied.length);
    });
  });

  test.prop([setup.filter((s) => !deliveryBlocked(s))], { numRuns: 8 })(
    'lets every real request of a drop, its import and its delivery through the gateway',
    async (s) => {
      const policy = generated(s);
      const harness = await startHarness({ workspace: workspaceJson(s, [policy.document]) });
      try {
        for (const integration of s.inbound.filter((i) => i !== undefined)) {
          const prefix = integration.prefix
            .replaceAll('{{template_name}}', 'T')
            .replaceAll('{{submitted_by}}', 'uma')
            .replaceAll('{{submitted_at}}', SUBMITTED_AT);
          const key = prefix === '' || prefix.endsWith('/') ? `${prefix}file.csv` : `${prefix}.csv`;
          const { etag } = await harness.upload('uploader', 'drops', key, 'Name\r\nx\r\n');
          const submission = await harness.waitForSubmission({ key, etag, timeoutMs: 15_000 });
          expect(submission.status, JSON.stringify(submission)).toBe('complete');
        }
        if (s.outbound) {
          for (let i = 0; i < 200 && harness.deliveries().some((d) => d.delivery.status !== 'delivered'); i++)
            await new Promise((resolve) => setTimeout(resolve, 25));
          expect(harness.deliveries().map((d) => d.delivery.status)).toEqual(
            harness.submissions().map(() => 'delivered'),
          );
        }
        expect(harness.denials({ user: 'platform' })).toEqual([]);
      } finally {
        await harness.stop();
      }
    },
  );
});
