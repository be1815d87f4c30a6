/**
 * Condition keys beyond the product's happy path (docs/gateway.md, "Condition keys"): the keys set from
 * each request (aws:Referer, aws:UserAgent, s3:signatureAge, aws:RequestedRegion, aws:ResourceAccount),
 * and the keys production requests carry that a local one cannot, which a workspace declares per user
 * (`requestContext`); a decision that depended on such a key the workspace does not set says so.
 * Through the real gateway with the real SDK.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkspace, type Workspace } from '../../core/workspace/index.ts';
import { EXPLANATION_HEADER } from '../../emulator/gateway/authorizer.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

const BUCKET = 'guarded';

/** The demo workspace plus a bucket whose policy uses the keys under test, and users declaring production keys. */
function guardedWorkspace(): Workspace {
  const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
  const deny = (sid: string, condition: object, action = 's3:*') => ({
    Sid: sid,
    Effect: 'Deny',
    Principal: '*',
    Action: action,
    Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
    Condition: condition,
  });
  raw.buckets.push({
    name: BUCKET,
    policy: {
      Version: '2012-10-17',
      Statement: [
        deny('OnlyThroughOurEndpoint', { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }),
        deny('HttpsOnly', { Bool: { 'aws:SecureTransport': 'false' } }),
        deny('NoCurl', { StringLike: { 'aws:UserAgent': '*curl/*' } }),
        deny('FreshSignatures', { NumericGreaterThan: { 's3:signatureAge': '600000' } }),
        deny('ThisRegionOnly', { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } }),
        deny('OwnAccountOnly', { StringNotEquals: { 'aws:ResourceAccount': '123456789012' } }),
        deny(
          'ReadsFromThePortal',
          // A Referer, when sent, must be the portal's (an absent key makes a negated operator true: Null guards it).
          { StringNotLike: { 'aws:Referer': 'https://portal.example/*' }, Null: { 'aws:Referer': 'false' } },
          's3:GetObject',
        ),
      ],
    },
  });
  const admin = raw.iam.users.find((u: { name: string }) => u.name === 'admin');
  raw.iam.users.push({
    ...admin,
    name: 'platform-prod',
    accessKeyId: 'AKIAPLATFORMPROD0001',
    secretAccessKey: 'platformProdSecret000000000000000000001',
    requestContext: { 'aws:SourceVpce': 'vpce-1a2b3c4d', 'aws:SecureTransport': true },
  });
  raw.iam.users.push({
    ...admin,
    name: 'wrong-endpoint',
    accessKeyId: 'AKIAWRONGENDPOINT001',
    secretAccessKey: 'wrongEndpointSecret0000000000000000001',
    requestContext: { 'aws:SourceVpce': 'vpce-99999999', 'aws:SecureTransport': true },
  });
  const parsed = parseWorkspace(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack(guardedWorkspace());
});
afterAll(() => stack.stop());

const explanationOf = (error: { $response?: unknown }) =>
  decodeURIComponent(
    (error.$response as { headers?: Record<string, string> } | undefined)?.headers?.[EXPLANATION_HEADER] ?? '',
  );

describe('keys production requests carry, declared per user', () => {
  it('a Deny on a key the workspace does not set says that production may decide otherwise', async () => {
    const denied = await expectS3Error(
      stack.client('admin').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a.txt', Body: 'a' })),
      'AccessDenied',
      403,
    );
    const explanation = explanationOf(denied);
    expect(explanation).toContain('Sid "OnlyThroughOurEndpoint"');
    expect(explanation).toContain(
      'depends on aws:SourceVpce, which this workspace does not set; AWS sets it when the request comes through a VPC endpoint',
    );
    expect(explanation).toContain("Declare it in the user's requestContext");
  });

  it("a user declaring production's values is decided as production would be", async () => {
    const platform = stack.client('platform-prod');
    await platform.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'b.txt', Body: 'b' }));
    const denied = await expectS3Error(
      stack.client('wrong-endpoint').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'c.txt', Body: 'c' })),
      'AccessDenied',
      403,
    );
    const explanation = explanationOf(denied);
    expect(explanation).toContain('request value: "vpce-99999999"');
    expect(explanation).not.toContain('does not set');
  });

  it('aws:SecureTransport is false on this plain-HTTP endpoint, and the explanation says production differs', async () => {
    const raw = JSON.parse(readFileSync('fixtures/workspaces/demo.json', 'utf8'));
    raw.buckets[0].policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'HttpsOnly',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: 'arn:aws:s3:::acme-claravine/*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    const httpsUser = raw.iam.users.find((u: { name: string }) => u.name === 'uploader');
    httpsUser.requestContext = { 'aws:SecureTransport': 'true' };
    const parsed = parseWorkspace(raw);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const local = await startStack(parsed.value);
    try {
      const denied = await expectS3Error(
        local.client('admin').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'x.txt', Body: 'x' })),
        'AccessDenied',
      );
      expect(explanationOf(denied)).toContain(
        'depends on aws:SecureTransport, which is false here (plain HTTP); in production S3 clients use HTTPS, so it is true',
      );
      await local
        .client('uploader')
        .send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/x.csv', Body: 'x' }));
    } finally {
      await local.stop();
    }
  });
});

describe('keys set from the request', () => {
  it('aws:UserAgent: a client whose User-Agent matches the Deny is refused', async () => {
    const platform = stack.client('platform-prod');
    await platform.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ua.txt', Body: 'ua' }));
    const url = await getSignedUrl(platform, new GetObjectCommand({ Bucket: BUCKET, Key: 'ua.txt' }));
    const headers = { referer: 'https://portal.example/page' };
    expect((await fetch(url, { headers: { ...headers, 'user-agent': 'browser/1' } })).status).toBe(200);
    const curl = await fetch(url, { headers: { ...headers, 'user-agent': 'curl/8.5.0' } });
    expect(curl.status).toBe(403);
    expect(decodeURIComponent(curl.headers.get(EXPLANATION_HEADER) ?? '')).toContain('Sid "NoCurl"');
  });

  it('aws:Referer: absent passes a Null-guarded Deny, a foreign referer is refused', async () => {
    const platform = stack.client('platform-prod');
    await platform.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ref.txt', Body: 'ref' }));
    const url = await getSignedUrl(platform, new GetObjectCommand({ Bucket: BUCKET, Key: 'ref.txt' }));
    const plain = await fetch(url);
    expect(plain.status, decodeURIComponent(plain.headers.get(EXPLANATION_HEADER) ?? '')).toBe(200);
    const foreign = await fetch(url, { headers: { referer: 'https://evil.example/' } });
    expect(foreign.status).toBe(403);
    expect(decodeURIComponent(foreign.headers.get(EXPLANATION_HEADER) ?? '')).toContain('Sid "ReadsFromThePortal"');
  });

  it('s3:signatureAge: a presigned URL signed 11 minutes ago is refused by a 10-minute policy', async () => {
    const platform = stack.client('platform-prod');
    await platform.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'age.txt', Body: 'age' }));
    const command = new GetObjectCommand({ Bucket: BUCKET, Key: 'age.txt' });
    const fresh = await getSignedUrl(platform, command, { expiresIn: 3600 });
    expect((await fetch(fresh)).status).toBe(200);
    const old = await getSignedUrl(platform, command, {
      expiresIn: 3600,
      signingDate: new Date(Date.now() - 11 * 60_000),
    });
    const refused = await fetch(old);
    expect(refused.status).toBe(403);
    const explanation = decodeURIComponent(refused.headers.get(EXPLANATION_HEADER) ?? '');
    expect(explanation).toContain('Sid "FreshSignatures"');
    expect(Number(/s3:signatureAge "600000" holds \(request value: "(\d+)"\)/.exec(explanation)?.[1])).toBeGreaterThan(
      600_000,
    );
  });
});
