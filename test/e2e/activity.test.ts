/**
 * The activity timeline (docs/web-ui.md, "Activity"; docs/api.md): what a Customer Success engineer
 * needs when a customer's drop "did nothing": keys that do not work (an unknown key id, a wrong secret,
 * a skewed clock, the wrong region, an expired presigned URL), a policy's denial, and a file no
 * integration takes (the nearest one and what differs), each in words, filtered by user, bucket, outcome.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../emulator/activity.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { expectS3Error } from '../helpers/stack.ts';

let h: TestHarness;
beforeAll(async () => {
  h = await startTestHarness();
});
afterAll(() => h.stop());

const activity = async (query: string) =>
  (await h.api<{ activity: ActivityEntry[] }>(`/api/activity?${query}`)).activity;

/** Waits for the entries a query finds (the engine reports a drop once it has decided on it). */
async function eventually(query: string, count = 1): Promise<ActivityEntry[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = await activity(query);
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`no activity for ${query}: ${JSON.stringify(await activity(''))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const UPLOADER = { accessKeyId: 'AKIADEMOUPLOADER0001', secretAccessKey: 'demoUploaderSecretKey000000000000000001' };
const clientWith = (options: {
  credentials?: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  systemClockOffset?: number;
}) =>
  new S3Client({
    endpoint: h.endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: options.credentials ?? UPLOADER,
    ...(options.systemClockOffset ? { systemClockOffset: options.systemClockOffset } : {}),
  });
const put = (client: S3Client, key: string) =>
  client.send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: key, Body: 'Campaign Name\nx\n' }));

describe('GET /api/activity: keys that do not work', () => {
  it('names an access key id no user has', async () => {
    const unknown = clientWith({ credentials: { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' } });
    const error = await expectS3Error(put(unknown, 'us/a.csv'), 'InvalidAccessKeyId', 403);
    const [entry] = await eventually('outcome=refused&kind=request');
    expect(entry).toMatchObject({
      user: null,
      bucket: 'acme-claravine',
      outcome: 'refused',
      summary: expect.stringContaining('403 InvalidAccessKeyId'),
      request: { requestId: error.$metadata!.requestId, accessKeyId: 'AKIANOBODY0000000001', authentication: true },
    });
    expect(entry!.why).toMatch(/no user of the workspace has the access key id AKIANOBODY0000000001/);
  });

  it('shows a wrong secret with the string to sign and canonical request AWS computed, for the key owner', async () => {
    const wrong = clientWith({ credentials: { accessKeyId: UPLOADER.accessKeyId, secretAccessKey: 'wrong' } });
    await expectS3Error(put(wrong, 'us/submissions/Email.csv'), 'SignatureDoesNotMatch', 403);
    const [entry] = await eventually('user=uploader&outcome=refused');
    expect(entry!.why).toMatch(/the signature is not the one uploader's secret key makes \(AKIADEMOUPLOADER0001\)/);
    expect(entry!.request!.keyOwner).toBe('uploader');
    expect(entry!.request!.user).toBeUndefined(); // not authenticated as uploader
    expect(entry!.request!.stringToSign).toMatch(
      /^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/,
    );
    expect(entry!.request!.canonicalRequest).toMatch(/^PUT\n\/acme-claravine\/us\/submissions\/Email.csv\n/);
  });

  it('says the clock is off, the region is wrong, or a presigned URL expired, and what to do', async () => {
    await expectS3Error(put(clientWith({ systemClockOffset: -60 * 60_000 }), 'us/b.csv'), 'RequestTimeTooSkewed', 403);
    await expectS3Error(put(clientWith({ region: 'eu-west-1' }), 'us/c.csv'), 'AuthorizationHeaderMalformed', 400);
    const url = await getSignedUrl(
      clientWith({}),
      new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'us/d.csv' }),
      { expiresIn: 60, signingDate: new Date(Date.now() - 3_600_000) },
    );
    expect((await fetch(url)).status).toBe(403);
    const entries = await eventually('user=uploader&outcome=refused', 4);
    const why = (code: string) => entries.find((e) => e.request?.code === code)?.why;
    expect(why('RequestTimeTooSkewed')).toMatch(/clock is more than 15 minutes off.*set the client machine's clock/);
    expect(why('AuthorizationHeaderMalformed')).toMatch(/set the client's region to us-east-1/);
    expect(why('AccessDenied')).toMatch(/the presigned URL expired at .*sign a new one/);
  });
});

describe('GET /api/activity: denials and drops', () => {
  it('explains a denial by the statement that decided, as a denied request', async () => {
    await expectS3Error(
      h.client('intern').send(new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/x.csv', Body: 'a' })),
      'AccessDenied',
      403,
    );
    const [entry] = await eventually('user=intern&outcome=denied');
    expect(entry).toMatchObject({
      kind: 'request',
      summary: 'PutObject s3://acme-claravine/us/x.csv: 403 AccessDenied',
    });
    expect(entry!.why).toMatch(/s3:PutObject/);
  });

  it('says which integration nearly took a file in the wrong folder or case, and why not (and the log says it)', async () => {
    const uploader = h.client('uploader');
    await put(uploader, 'us/Email.csv');
    await put(uploader, 'us/submissions/email.csv');
    const drops = await eventually('outcome=unmatched&bucket=acme-claravine', 2);
    const about = (key: string) => drops.find((d) => d.key === key)!;
    expect(about('us/Email.csv')).toMatchObject({
      kind: 'drop',
      user: 'uploader',
      summary: 'no integration takes it: stored, and not imported',
      drop: { integration: 'Email/Email drop' },
    });
    expect(about('us/Email.csv').why).toMatch(
      /another folder: .* takes keys in "us\/submissions\/", this key is in "us\/"/,
    );
    expect(about('us/submissions/email.csv').why).toMatch(/the case differs: .*S3 prefixes are case-sensitive/);
    expect(h.logs.join('\n')).toMatch(
      /\[drop\] s3:\/\/acme-claravine\/us\/submissions\/email.csv by uploader: no integration takes it; nearest: Email\/Email drop/,
    );
  });

  it('links an imported or failed drop to its submission, and the request that wrote it', async () => {
    await put(h.client('uploader'), 'us/submissions/Email-activity.csv');
    const [submission] = await h.submissionsOf('us/submissions/Email-activity.csv');
    const [drop] = await eventually('kind=drop&outcome=failed');
    expect(drop).toMatchObject({
      key: 'us/submissions/Email-activity.csv',
      summary: expect.stringMatching(
        /^imported by Email\/Email drop as submission .*: FAILED \(0 row\(s\), 0 accepted/,
      ),
      drop: { integration: 'Email/Email drop', submissions: [submission!.id] },
    });
    expect(drop!.why).toMatch(/column "Channel" is missing/);
    const [request] = await activity('kind=request&outcome=ok&user=uploader&limit=1');
    expect(request).toMatchObject({ summary: 'PutObject s3://acme-claravine/us/submissions/Email-activity.csv: 200' });
  });

  it('pages with since and limit, newest first, and names a bad filter', async () => {
    const all = await activity('');
    expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => b - a));
    expect(await activity('limit=2')).toEqual(all.slice(0, 2));
    expect((await activity(`since=${all[1]!.seq}`)).map((e) => e.seq)).toEqual([all[0]!.seq]);
    const bad = await fetch(`${h.apiUrl}/api/activity?outcome=nope`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/outcome must be one of ok, denied, refused, error, imported/);
  });
});
