/**
 * "May this user do this" has one answer: the gateway deciding a real request, the web UI's simulator
 * and the preflight's check all ask core/iam's `decideForCaller`, and agree on random policies and
 * requests. The gateway's side is a real signed request through the real gateway; the simulator's is
 * its route; the preflight's is the check each of its rows makes.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bucketOfResource,
  callerOf,
  decideForCaller,
  localRequestFacts,
  type PolicyDocument,
} from '../../core/iam/index.ts';
import { checkPermission } from '../../core/preflight/index.ts';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import type { DecisionEvent } from '../../emulator/gateway/index.ts';
import { createWebApp } from '../../emulator/web.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { IN_PROCESS_GUARD, ownPageRequest } from '../helpers/web.ts';

const statement = fc.record(
  {
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:*', 's3:Get*', [
      's3:PutObject',
      's3:GetObject',
    ]),
    Resource: fc.constantFrom(
      '*',
      'arn:aws:s3:::data',
      'arn:aws:s3:::data/*',
      'arn:aws:s3:::data/us/*',
      'arn:aws:s3:::data/us/${aws:username}/*',
      'arn:aws:s3:::dat*',
      'arn:aws:s3:::data*/*',
    ),
    Condition: fc.constantFrom(
      undefined,
      { StringLike: { 's3:prefix': ['us/*', ''] } },
      { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
      { StringEquals: { 'aws:username': 'u' } },
      { Null: { 's3:x-amz-server-side-encryption': 'true' } },
    ),
  },
  { requiredKeys: ['Effect', 'Action', 'Resource'] },
);
const identityPolicy = fc.array(statement, { minLength: 1, maxLength: 3 }).map((Statement): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: Statement.map((s) => JSON.parse(JSON.stringify(s)) as never),
}));
const bucketPolicy = fc.option(
  fc.array(statement, { minLength: 1, maxLength: 2 }).map((Statement): PolicyDocument => ({
    Version: '2012-10-17',
    Statement: Statement.map((s) => JSON.parse(JSON.stringify({ ...s, Principal: '*' })) as never),
  })),
  { nil: undefined },
);
const request = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: fc.constantFrom('us/a.csv', 'us/u/a.csv', 'eu/b.csv') }),
  fc.record({
    op: fc.constant('put' as const),
    key: fc.constantFrom('us/a.csv', 'us/u/a.csv', 'eu/b.csv'),
    sse: fc.boolean(),
  }),
  fc.record({ op: fc.constant('list' as const), prefix: fc.constantFrom('', 'us/', 'eu/') }),
);

const SECRET = 'oneDecisionSecretKey00000000000000000000001';
function workspaceWith(
  identity: PolicyDocument,
  bucket: PolicyDocument | undefined,
): { json: Record<string, unknown>; workspace: Workspace } {
  const json = {
    accountId: '123456789012',
    region: 'us-east-1',
    buckets: [{ name: 'data', ...(bucket ? { policy: bucket } : {}) }],
    iam: { users: [{ name: 'u', accessKeyId: 'AKIAONEDECISION00001', secretAccessKey: SECRET, policies: [identity] }] },
  };
  const parsed = parseWorkspace(json);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { json, workspace: parsed.value };
}

let h: TestHarness;
beforeAll(async () => {
  const { json, workspace } = workspaceWith(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] },
    undefined,
  );
  h = await startTestHarness(workspace, { source: json });
});
afterAll(() => h.stop());

describe('one way to ask "may this user do this"', () => {
  it(
    'gives the gateway, the simulator and the preflight the same decision on random policies and requests',
    { timeout: 120_000 },
    async () => {
      let decided = 0;
      await fc.assert(
        fc.asyncProperty(identityPolicy, bucketPolicy, request, async (identity, bucket, req) => {
          const { workspace } = workspaceWith(identity, bucket);
          await h.gateway.reconfigure(workspace);
          const events: DecisionEvent[] = [];
          const listen = (event: DecisionEvent) => events.push(event);
          h.gateway.events.on('decision', listen);
          try {
            const client = h.client('u');
            const call =
              req.op === 'get'
                ? client.send(new GetObjectCommand({ Bucket: 'data', Key: req.key }))
                : req.op === 'put'
                  ? client.send(
                      new PutObjectCommand({
                        Bucket: 'data',
                        Key: req.key,
                        Body: 'x',
                        ...(req.sse ? { ServerSideEncryption: 'AES256' as const } : {}),
                      }),
                    )
                  : client.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: req.prefix }));
            await call.catch(() => undefined);
          } finally {
            h.gateway.events.off('decision', listen);
          }
          expect(events.length).toBeGreaterThan(0);
          const user = workspace.iam.users[0]!;
          const app = createWebApp({
            workspace,
            engine: h.engine,
            gateway: h.gateway,
            endpoint: h.endpoint,
            editor: h.editor,
            guard: IN_PROCESS_GUARD,
          });
          for (const event of events) {
            const permission = { action: event.action, resource: event.resource, context: { ...event.context } };
            const bucketPolicyOf = (name: string) => h.gateway.bucketPolicy(name);
            const { caller, baseContext } = callerOf(workspace, user, localRequestFacts(Date.now()));
            const core = decideForCaller(caller, permission, { bucketPolicyOf, baseContext }).decision.effect;
            const preflight = checkPermission(workspace, user, permission, { now: new Date(), bucketPolicyOf }).effect;
            const page = await (
              await ownPageRequest(app)('/iam/simulate', {
                method: 'POST',
                headers: { 'hx-request': 'true' },
                body: new URLSearchParams({
                  user: 'u',
                  action: event.action,
                  resource: event.resource,
                  context: JSON.stringify(event.context),
                }),
              })
            ).text();
            const simulator = /<strong>(\w+)<\/strong>/.exec(page)?.[1];
            expect(
              [core, preflight, simulator],
              `${event.action} ${event.resource} ${JSON.stringify(event.context)}`,
            ).toEqual([event.decision.effect, event.decision.effect, event.decision.effect]);
            decided++;
          }
        }),
        { numRuns: 60 },
      );
      expect(decided).toBeGreaterThanOrEqual(60);
    },
  );

  it(
    'gives the simulator and the preflight the same decision for resources typed by hand, wildcards included',
    { timeout: 60_000 },
    async () => {
      const typed = fc.record({
        action: fc.constantFrom('s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject'),
        resource: fc.constantFrom(
          'arn:aws:s3:::data',
          'arn:aws:s3:::data/us/a',
          'arn:aws:s3:::dat*/us/a',
          'arn:aws:s3:::*',
          '*',
          'arn:aws:s3:::data/us/u/x',
        ),
        context: fc.constantFrom<Record<string, string>>(
          {},
          { 's3:prefix': 'us/' },
          { 's3:x-amz-server-side-encryption': 'AES256' },
        ),
      });
      await fc.assert(
        fc.asyncProperty(identityPolicy, bucketPolicy, typed, async (identity, bucket, permission) => {
          const { workspace } = workspaceWith(identity, bucket);
          await h.gateway.reconfigure(workspace);
          const user = workspace.iam.users[0]!;
          const bucketPolicyOf = (name: string) => h.gateway.bucketPolicy(name);
          const { caller, baseContext } = callerOf(workspace, user, localRequestFacts(Date.now()));
          const core = decideForCaller(caller, permission, { bucketPolicyOf, baseContext }).decision.effect;
          const preflight = checkPermission(workspace, user, permission, { now: new Date(), bucketPolicyOf }).effect;
          const app = createWebApp({
            workspace,
            engine: h.engine,
            gateway: h.gateway,
            endpoint: h.endpoint,
            editor: h.editor,
            guard: IN_PROCESS_GUARD,
          });
          const page = await (
            await ownPageRequest(app)('/iam/simulate', {
              method: 'POST',
              headers: { 'hx-request': 'true' },
              body: new URLSearchParams({
                user: 'u',
                action: permission.action,
                resource: permission.resource,
                context: JSON.stringify(permission.context),
              }),
            })
          ).text();
          expect([preflight, /<strong>(\w+)<\/strong>/.exec(page)?.[1]]).toEqual([core, core]);
        }),
        { numRuns: 80 },
      );
    },
  );

  it('reads the bucket of an ARN one way: no bucket for a wildcard bucket segment', () => {
    expect(
      [
        'arn:aws:s3:::data',
        'arn:aws:s3:::data/a/b',
        'arn:aws:s3:::dat*',
        'arn:aws:s3:::dat*/x',
        'arn:aws:s3:::*',
        '*',
        'arn:aws:s3:::',
        'arn:aws:iam::1:user/x',
      ].map(bucketOfResource),
    ).toEqual(['data', 'data', undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
