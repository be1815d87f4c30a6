import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../emulator/go-live/sha256.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectS3Error, startStack, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
  await stack.client('admin').send(
    new PutObjectCommand({
      Bucket: 'acme-exports',
      Key: 'report.csv',
      Body: 'a,b\n1,2\n',
      ServerSideEncryption: 'AES256',
    }),
  );
});
afterAll(() => stack.stop());

function readBody(res: Response) {
  return res.text();
}

describe('authentication', () => {
  it('refuses a known key signed with the wrong secret', async () => {
    const client = stack.client('reader', { secretAccessKey: 'not-the-secret' });
    await expectS3Error(
      client.send(new GetObjectCommand({ Bucket: 'acme-exports', Key: 'report.csv' })),
      'SignatureDoesNotMatch',
      403,
    );
  });

  it('refuses an unknown access key', async () => {
    const client = stack.client('reader');
    client.config.credentials = async () => ({ accessKeyId: 'AKIANOTAUSER00000000', secretAccessKey: 'x' });
    await expectS3Error(client.send(new ListObjectsV2Command({ Bucket: 'acme-exports' })), 'InvalidAccessKeyId', 403);
  });

  it('refuses anonymous requests with AccessDenied, and the request id of the body matches the header', async () => {
    const res = await fetch(`${stack.endpoint}/acme-exports/report.csv`);
    const body = await readBody(res);
    expect(res.status).toBe(403);
    expect(body).toContain('<Code>AccessDenied</Code>');
    const requestId = res.headers.get('x-amz-request-id');
    expect(requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(body).toContain(`<RequestId>${requestId}</RequestId>`);
  });

  it('refuses a request whose date is more than 15 minutes off', async () => {
    const user = stack.workspace.iam.users.find((u) => u.name === 'reader')!;
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL(`${stack.endpoint}/acme-exports/report.csv`);
    const signed = await signer.sign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      { signingDate: new Date(Date.now() - 20 * 60 * 1000) },
    );
    const res = await fetch(url, { headers: signed.headers as Record<string, string> });
    const body = await res.text();
    expect(res.status).toBe(403);
    expect(body).toContain('<Code>RequestTimeTooSkewed</Code>');
    expect(body).toContain('<MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>');
  });

  it('accepts a presigned GET, and refuses it once expired', async () => {
    const client = stack.client('reader');
    const fresh = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'acme-exports', Key: 'report.csv' }), {
      expiresIn: 60,
    });
    const ok = await fetch(fresh);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('a,b\n1,2\n');
    const old = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'acme-exports', Key: 'report.csv' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    const body = await expired.text();
    expect(body).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
  });

  it('refuses a presigned URL whose signature was tampered with', async () => {
    const url = new URL(
      await getSignedUrl(stack.client('reader'), new GetObjectCommand({ Bucket: 'acme-exports', Key: 'report.csv' }), {
        expiresIn: 60,
      }),
    );
    url.pathname = '/acme-exports/other.csv';
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('tells a client signing for the wrong region which region to use', async () => {
    const error = await expectS3Error(
      stack.client('reader', { region: 'eu-west-1' }).send(new ListObjectsV2Command({ Bucket: 'acme-exports' })),
      'AuthorizationHeaderMalformed',
      400,
    );
    expect(error.message).toContain("the region 'eu-west-1' is wrong; expecting 'us-east-1'");
  });

  it('refuses a body that does not match its signed SHA-256', async () => {
    const user = stack.workspace.iam.users.find((u) => u.name === 'admin')!;
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL(`${stack.endpoint}/acme-claravine/tampered.txt`);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host },
      body: 'original',
    });
    const res = await fetch(url, {
      method: 'PUT',
      headers: signed.headers as Record<string, string>,
      body: 'tampered',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
    await expectS3Error(
      stack.client('admin').send(new GetObjectCommand({ Bucket: 'acme-claravine', Key: 'tampered.txt' })),
      'NoSuchKey',
      404,
    );
  });
});

describe('Expect: 100-continue', () => {
  async function rawPut(path: string, userName: string, sse: boolean): Promise<string> {
    const { request } = await import('node:http');
    const user = stack.workspace.iam.users.find((u) => u.name === userName)!;
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      sha256: Sha256,
      uriEscapePath: false,
    });
    const url = new URL(`${stack.endpoint}${path}`);
    const headers: Record<string, string> = {
      host: url.host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-length': '5',
      expect: '100-continue',
      ...(sse ? { 'x-amz-server-side-encryption': 'AES256' } : {}),
    };
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers,
    });
    return new Promise((resolve, reject) => {
      const events: string[] = [];
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'PUT',
        headers: signed.headers,
      });
      req.on('continue', () => {
        events.push('100');
        req.end('hello');
      });
      req.on('response', (res) => {
        events.push(String(res.statusCode));
        res.resume();
        res.on('end', () => resolve(events.join(' ')));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
  }

  it('answers a denied upload before the body is sent, and invites an allowed one', async () => {
    expect(await rawPut('/acme-exports/nope.csv', 'reader', true)).toBe('403');
    expect(await rawPut('/acme-exports/yes.csv', 'admin', true)).toBe('100 200');
  });
});
