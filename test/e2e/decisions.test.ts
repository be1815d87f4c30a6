/**
 * The gateway's decision log through the JSON API: an aws-cli user who sees only `403 Forbidden` finds
 * which operation asked for which action and why it was denied (docs/api.md, "Decisions").
 */
import {
  CreateMultipartUploadCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedDecision } from '../../emulator/gateway/index.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { expectS3Error } from '../helpers/stack.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await startTestHarness();
});
afterAll(() => h.stop());

const decisions = async (query: string) =>
  (await h.api<{ decisions: LoggedDecision[] }>(`/api/decisions?${query}`)).decisions;

describe('GET /api/decisions', () => {
  it('names the user, operation, action, resource and the reason of a denial, with its request id', async () => {
    const denied = await expectS3Error(
      h.client('intern').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/x.csv', Body: 'a' })),
      'AccessDenied',
      403,
    );
    const [latest] = await decisions('user=intern&decision=deny');
    expect(latest).toMatchObject({
      requestId: denied.$metadata!.requestId,
      user: 'intern',
      operation: 'PutObject',
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::acme-claravine/us/x.csv',
      decision: 'deny',
    });
    expect(latest!.explanation).toMatch(/s3:PutObject/);
    const allowed = await decisions('decision=allow');
    expect(allowed.every((d) => d.decision === 'allow')).toBe(true);
    expect(await decisions(`since=${latest!.seq}&user=intern`)).toEqual([]);
  });

  it('carries the condition keys the policies saw (what a Condition matched), in the API and on the page', async () => {
    await h
      .client('admin')
      .send(
        new PutObjectCommand({ Bucket: 'acme-exports', Key: 'keys.csv', Body: 'a', ServerSideEncryption: 'AES256' }),
      );
    await h.client('admin').send(new ListObjectsV2Command({ Bucket: 'acme-claravine', Prefix: 'us/' }));
    const [put] = (await decisions('user=admin')).filter((d) => d.resource === 'arn:aws:s3:::acme-exports/keys.csv');
    expect(put!.conditionKeys).toMatchObject({ 's3:x-amz-server-side-encryption': 'AES256' });
    const [list] = (await decisions('user=admin')).filter((d) => d.operation === 'ListObjectsV2');
    expect(list!.conditionKeys).toMatchObject({ 's3:prefix': 'us/' });
    expect(Object.keys(list!.conditionKeys).filter((key) => key.startsWith('aws:'))).toEqual([]);
    const page = await (await fetch(`${h.apiUrl}/decisions?user=admin`)).text();
    expect(page).toContain('Condition keys: <code>s3:prefix</code> = &quot;us/&quot;');
  });

  it('says a multipart upload with SSE is denied at UploadPart, by the statement that requires the header', async () => {
    const admin = h.client('admin');
    const upload = await admin.send(
      new CreateMultipartUploadCommand({ Bucket: 'acme-exports', Key: 'big.bin', ServerSideEncryption: 'AES256' }),
    );
    await expectS3Error(
      admin.send(
        new UploadPartCommand({
          Bucket: 'acme-exports',
          Key: 'big.bin',
          UploadId: upload.UploadId,
          PartNumber: 1,
          Body: 'x',
        }),
      ),
      'AccessDenied',
      403,
    );
    const [latest] = await decisions('user=admin&decision=deny');
    expect(latest).toMatchObject({
      operation: 'UploadPart',
      action: 's3:PutObject',
      decidingStatement: { sid: 'RequireSSE' },
    });
  });

  it('lets the multipart upload through with the documented policy shape (deny only a different header sent)', async () => {
    const admin = h.client('admin');
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyOtherEncryption',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::acme-exports/*',
          Condition: {
            StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' },
            Null: { 's3:x-amz-server-side-encryption': 'false' },
          },
        },
      ],
    };
    await admin.send(new PutBucketPolicyCommand({ Bucket: 'acme-exports', Policy: JSON.stringify(policy) }));
    try {
      const upload = await admin.send(
        new CreateMultipartUploadCommand({ Bucket: 'acme-exports', Key: 'big2.bin', ServerSideEncryption: 'AES256' }),
      );
      const part = await admin.send(
        new UploadPartCommand({
          Bucket: 'acme-exports',
          Key: 'big2.bin',
          UploadId: upload.UploadId,
          PartNumber: 1,
          Body: 'x',
        }),
      );
      expect(part.ETag).toBeTruthy();
      await expectS3Error(
        admin.send(
          new PutObjectCommand({ Bucket: 'acme-exports', Key: 'kms.bin', Body: 'x', ServerSideEncryption: 'aws:kms' }),
        ),
        'AccessDenied', // a different value sent is still denied
        403,
      );
    } finally {
      await h.gateway.clearPolicyOverride('acme-exports');
    }
  });

  it('refuses a filter it does not know, naming it', async () => {
    const answer = await fetch(`${h.apiUrl}/api/decisions?decision=maybe`);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({
      error: { code: 'BadRequest', message: 'decision must be allow or deny, got "maybe"' },
    });
    expect((await fetch(`${h.apiUrl}/api/decisions?limit=-1`)).status).toBe(400);
  });

  it('are shown in the web UI, filtered, with the statement that decided', async () => {
    const page = await (await fetch(`${h.apiUrl}/decisions?user=admin&decision=deny`)).text();
    expect(page).toContain('<td>UploadPart</td>');
    expect(page).toContain('<code>s3:PutObject</code> on <code>arn:aws:s3:::acme-exports/big.bin</code>');
    expect(page).toContain('Decided by statement 0 (Sid &quot;RequireSSE&quot;) of the bucket policy of acme-exports');
    expect(page).not.toContain('<td>intern</td>');
    expect(page).toContain('aria-current="page">Decisions</a>');
  });
});
