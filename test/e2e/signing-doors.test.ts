/**
 * Only what was signed is honoured (docs/gateway.md, "Authentication"): unsigned `x-amz-*` headers on
 * header-signed and presigned requests, session tokens with long-term keys, credential scopes of another
 * service or region, and malformed request parts answered with AWS's 4xx codes, never a 500.
 */
import { CopyObjectCommand, HeadObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sha256 } from '../../emulator/go-live/sha256.ts';
import { captureConsoleErrors } from '../helpers/console.ts';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
let errors: string[] = [];
let restoreConsole = () => {};
beforeAll(async () => {
  stack = await startStack();
  await stack.client('admin').send(
    new PutObjectCommand({
      Bucket: 'acme-exports',
      Key: 'secret-report.csv',
      Body: 'a,b\n1,2\n',
      ServerSideEncryption: 'AES256',
    }),
  );
  ({ lines: errors, restore: restoreConsole } = captureConsoleErrors());
});
afterAll(async () => {
  restoreConsole();
  await stack.stop();
});

const userNamed = (name: string) => stack.workspace.iam.users.find((u) => u.name === name)!;

/** A request signed by @smithy/signature-v4 as `user`, then sent with `extra` headers the signer never saw. */
async function signedThenTampered(
  user: string,
  method: string,
  path: string,
  extra: Record<string, string>,
  options: { service?: string; region?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const { accessKeyId, secretAccessKey } = userNamed(user);
  const signer = new SignatureV4({
    service: options.service ?? 's3',
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
    sha256: Sha256,
    uriEscapePath: false,
  });
  const url = new URL(`${stack.endpoint}${path}`);
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...options.headers },
  });
  const res = await fetch(url, {
    method,
    headers: { ...(signed.headers as Record<string, string>), ...extra },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  return { status: res.status, body: await res.text() };
}

const exists = (bucket: string, key: string) =>
  stack
    .client('admin')
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .then(
      () => true,
      () => false,
    );

describe('unsigned x-amz-* headers', () => {
  it('are refused on a header-signed PUT: an added x-amz-copy-source cannot turn it into a copy of what the caller may not read', async () => {
    const answer = await signedThenTampered(
      'uploader',
      'PUT',
      '/acme-claravine/us/stolen.csv',
      { 'x-amz-copy-source': '/acme-exports/secret-report.csv' },
      { body: '' },
    );
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(
      '<Code>AccessDenied</Code><Message>There were headers present in the request which were not signed</Message><HeadersNotSigned>x-amz-copy-source</HeadersNotSigned>',
    );
    expect(await exists('acme-claravine', 'us/stolen.csv')).toBe(false);
  });

  it('are refused on a presigned PUT, and the same headers signed are accepted', async () => {
    const url = await getSignedUrl(
      stack.client('uploader'),
      new PutObjectCommand({ Bucket: 'acme-claravine', Key: 'us/presigned.csv' }),
      { expiresIn: 60 },
    );
    const tampered = await fetch(url, {
      method: 'PUT',
      body: 'x',
      headers: { 'x-amz-copy-source': '/acme-exports/secret-report.csv', 'x-amz-meta-owner': 'me' },
    });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<HeadersNotSigned>x-amz-copy-source, x-amz-meta-owner</HeadersNotSigned>');
    expect(await exists('acme-claravine', 'us/presigned.csv')).toBe(false);
    const plain = await fetch(url, { method: 'PUT', body: 'x' });
    expect(plain.status).toBe(200);
    const signed = await signedThenTampered(
      'uploader',
      'PUT',
      '/acme-claravine/us/meta.csv',
      {},
      { body: '', headers: { 'x-amz-meta-owner': 'me' } },
    );
    expect(signed.status).toBe(200);
  });
});

describe('credentials', () => {
  it('answers a session token with long-term keys with InvalidToken, in the header or the query', async () => {
    const { accessKeyId, secretAccessKey } = userNamed('reader');
    const client = stack.client('reader');
    client.config.credentials = async () => ({ accessKeyId, secretAccessKey, sessionToken: 'bogus-session-token' });
    await expectS3Error(client.send(new ListBucketsCommand({})), 'InvalidToken', 400);
    const url = await getSignedUrl(
      client,
      new HeadObjectCommand({ Bucket: 'acme-exports', Key: 'secret-report.csv' }),
      { expiresIn: 60 },
    );
    expect(url).toContain('X-Amz-Security-Token=');
    const res = await fetch(url, { method: 'HEAD' });
    expect(res.status).toBe(400);
  });

  it('refuses a scope of another service or another region, naming the expected one', async () => {
    const ec2 = await signedThenTampered('reader', 'GET', '/', {}, { service: 'ec2' });
    expect([ec2.status, ec2.body]).toEqual([
      400,
      expect.stringContaining(
        '<Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; incorrect service &quot;ec2&quot;. This endpoint belongs to &quot;s3&quot;.</Message>',
      ),
    ]);
    const iam = await signedThenTampered('reader', 'GET', '/acme-exports/secret-report.csv', {}, { service: 'iam' });
    expect(iam.body).toContain('incorrect service &quot;iam&quot;');
    // ListBuckets names no bucket: the region is checked all the same.
    const error = await expectS3Error(
      stack.client('reader', { region: 'eu-west-1' }).send(new ListBucketsCommand({})),
      'AuthorizationHeaderMalformed',
      400,
    );
    expect(error.message).toBe(
      "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'",
    );
    const presigned = await getSignedUrl(stack.client('reader', { region: 'eu-west-1' }), new ListBucketsCommand({}), {
      expiresIn: 60,
    });
    const res = await fetch(presigned);
    expect([res.status, await res.text()]).toEqual([
      400,
      expect.stringContaining(
        '<Code>AuthorizationQueryParametersError</Code><Message>Error parsing the X-Amz-Credential parameter; the region &apos;eu-west-1&apos; is wrong; expecting &apos;us-east-1&apos;</Message>',
      ),
    ]);
  });
});

describe('client mistakes are 4xx, never 500', () => {
  it('answers a copy source that is not valid percent-encoding with InvalidArgument', async () => {
    await expectS3Error(
      stack
        .client('admin')
        .send(new CopyObjectCommand({ Bucket: 'acme-claravine', Key: 'copy.csv', CopySource: 'acme-exports/%zz.csv' })),
      'InvalidArgument',
      400,
    );
    expect(errors.filter((e) => e.includes('internal error'))).toEqual([]);
  });
});
