/**
 * The UI/API port refuses what does not come from its own pages (docs/security.md): cross-site
 * state changes, foreign Host headers (DNS rebinding), secrets in the workspace download by default.
 * Over real HTTP against a real harness; the same in Chromium from a second origin is in test/browser/.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIDDEN_SECRET } from '../../core/workspace/index.ts';
import { allowedHostsFor } from '../../emulator/web-guard.ts';
import { startTestHarness, type TestHarness } from '../helpers/harness.ts';
import { formTokenOf } from '../helpers/web.ts';

let h: TestHarness;
let token: string;
beforeAll(async () => {
  h = await startTestHarness();
  token = await formTokenOf(h.apiUrl);
});
afterAll(() => h.stop());

const ADMIN_FOR_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }],
});
const uploaderPolicies = () => JSON.stringify(h.workspace.iam.users.find((u) => u.name === 'uploader')!.policies);
const editorPolicies = () =>
  JSON.stringify(
    (h.editor.json().iam as { users: { name: string; policies: unknown }[] }).users.find((u) => u.name === 'uploader')!
      .policies,
  );

/** Raw HTTP, so that Host, Origin and Sec-Fetch-Site are exactly what a browser (or an attacker's page) would send. */
function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; text: string }> {
  const url = new URL(h.apiUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: url.host, ...options.headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const formPost = (path: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  send(path, {
    method: 'POST',
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

describe('state-changing requests from other sites', () => {
  it('refuses a cross-site form that would give the uploader s3:*, by Sec-Fetch-Site, by Origin, and without either', async () => {
    const before = uploaderPolicies();
    const own = new URL(h.apiUrl).origin;
    const attempts: { headers: Record<string, string>; reason: string }[] = [
      {
        headers: { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
        reason: 'cross-site request refused (Sec-Fetch-Site: cross-site)',
      },
      {
        headers: { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:9' },
        reason: 'cross-site request refused (Sec-Fetch-Site: same-site)',
      },
      {
        headers: { origin: 'http://evil.example' },
        reason: 'cross-origin request refused (Origin: http://evil.example)',
      },
      { headers: { origin: 'null' }, reason: 'cross-origin request refused (Origin: null)' },
      // An old browser sends neither header: the token is what is missing.
      { headers: {}, reason: "request without the harness's form token refused" },
      {
        headers: { 'sec-fetch-site': 'same-origin', origin: own },
        reason: "request without the harness's form token refused",
      },
    ];
    for (const attempt of attempts) {
      const answer = await formPost('/iam/users/uploader/policies/0', { policy: ADMIN_FOR_ALL }, attempt.headers);
      expect([answer.status, answer.text]).toEqual([403, expect.stringContaining(attempt.reason)]);
      expect(answer.text.trim().split('\n')).toHaveLength(1);
    }
    const wrongToken = await formPost('/iam/users/uploader/policies/0', { policy: ADMIN_FOR_ALL, _token: 'guessed' });
    expect([wrongToken.status, wrongToken.text]).toEqual([
      403,
      expect.stringContaining("the form token is not this harness's"),
    ]);
    expect(uploaderPolicies()).toBe(before);
    expect(editorPolicies()).toBe(before);
  });

  it('refuses every kind of change the review found: account, integration, upload as admin, retry, bucket policy', async () => {
    const cross = { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' };
    const attempts: [string, Record<string, string>][] = [
      ['/accounts', { name: 'evil', accessKeyId: 'AKIADEMOADMIN0000001', secretAccessKey: 'x' }],
      [
        '/templates/Email/outbound/0',
        { account: 'acme-platform', bucketMode: 'manual', bucket: 'acme-claravine', filename: 'x' },
      ],
      ['/iam/buckets/acme-exports/policy', { policy: '' }],
      ['/submissions/x/deliveries/0/retry', {}],
      ['/api/submissions/x/deliveries/0/retry', {}],
      ['/scenarios/run', {}],
    ];
    const before = JSON.stringify(h.editor.json());
    for (const [path, fields] of attempts) {
      expect((await formPost(path, fields, cross)).status, path).toBe(403);
      expect((await formPost(path, fields)).status, `${path} without headers or token`).toBe(403);
    }
    const upload = await send('/s3/upload', {
      method: 'POST',
      headers: { ...cross, 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="user"\r\n\r\nadmin\r\n--x--\r\n',
    });
    expect(upload.status).toBe(403);
    expect(JSON.stringify(h.editor.json())).toBe(before);
  });

  it("accepts the harness's own pages (same origin with the token) and non-browser JSON API clients", async () => {
    const own = new URL(h.apiUrl).origin;
    const simulated = await formPost(
      '/iam/simulate',
      {
        user: 'uploader',
        action: 's3:GetObject',
        resource: 'arn:aws:s3:::acme-claravine/a',
        context: '',
        _token: token,
      },
      { 'sec-fetch-site': 'same-origin', origin: own },
    );
    expect([simulated.status, simulated.text]).toEqual([200, expect.stringContaining('denied')]);
    const byHeader = await send('/iam/simulate', {
      method: 'POST',
      body: new URLSearchParams({
        user: 'uploader',
        action: 's3:PutObject',
        resource: 'arn:aws:s3:::acme-claravine/us/a',
        context: '',
      }).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-s3-harness-token': token,
        'hx-request': 'true',
      },
    });
    expect([byHeader.status, byHeader.text]).toEqual([200, expect.stringContaining('allowed')]);
    // A multipart form posted without JavaScript carries the token as a field.
    const boundary = 'b0undary';
    const part = (name: string, value: string, file = '') =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ''}\r\n\r\n${value}\r\n`;
    const upload = await send('/s3/upload', {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'sec-fetch-site': 'same-origin',
        origin: own,
      },
      body: `${part('_token', token)}${part('user', 'uploader')}${part('bucket', 'acme-claravine')}${part('key', 'us/social/form.csv')}${part('file', 'a,b\r\n', 'form.csv')}--${boundary}--\r\n`,
    });
    expect([upload.status, upload.text]).toEqual([200, expect.stringContaining('Uploaded')]);
    // The CLI's retry: no browser headers, no body. A 404 means it got through to the route.
    expect((await send('/api/submissions/nope/deliveries/0/retry', { method: 'POST' })).status).toBe(404);
    expect(
      (
        await send('/api/submissions/nope/deliveries/0/retry', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(404);
    // A cross-site form may not borrow that exemption.
    expect(
      (
        await send('/api/submissions/nope/deliveries/0/retry', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(403);
  });

  it('puts the token in every POST form and in the htmx headers of every page', async () => {
    const page = await (await fetch(`${h.apiUrl}/accounts`)).text();
    expect(page).toContain(`<body hx-headers:inherited='{"x-s3-harness-token": "${token}"}'>`);
    expect(page).toMatch(
      /<form class="panel inline" method="post" action="\/accounts" autocomplete="off"><input type="hidden" name="_token" value="[^"]+">/,
    );
  });
});

describe('Host headers (DNS rebinding)', () => {
  it('answers only the hosts it was started for', async () => {
    const port = new URL(h.apiUrl).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await send('/api/templates', { headers: { host } })).status, host).toBe(200);
    }
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${Number(port) + 1}`,
      `localhost.evil.example:${port}`,
    ]) {
      const answer = await send('/workspace.json?secrets=1', { headers: { host } });
      expect([answer.status, answer.text], host).toEqual([
        421,
        expect.stringContaining(`this harness does not answer for host "${host.toLowerCase()}"`),
      ]);
      expect(answer.text).not.toContain('secretAccessKey');
    }
  });

  it("lists the machine's own names only when bound on every interface", () => {
    expect(allowedHostsFor('127.0.0.1', 4569)).toEqual(['127.0.0.1:4569', 'localhost:4569', '[::1]:4569']);
    expect(allowedHostsFor('::1', 80)).toContain('[::1]:80');
    expect(allowedHostsFor('0.0.0.0', 4569).length).toBeGreaterThan(3);
  });
});

describe('the workspace download', () => {
  it("carries no secret keys unless asked, and then only to the harness's own pages", async () => {
    const plain = await send('/workspace.json');
    expect(plain.status).toBe(200);
    for (const user of h.workspace.iam.users) expect(plain.text).not.toContain(user.secretAccessKey);
    expect(plain.text).toContain(HIDDEN_SECRET);
    const asked = await send('/workspace.json?secrets=1');
    expect(asked.text).toContain(h.workspace.iam.users[0]!.secretAccessKey);
    const typed = await send('/workspace.json?secrets=1', { headers: { 'sec-fetch-site': 'none' } });
    expect(typed.status).toBe(200);
    const elsewhere = await send('/workspace.json?secrets=1', { headers: { 'sec-fetch-site': 'cross-site' } });
    expect([elsewhere.status, elsewhere.text]).toEqual([
      403,
      'cross-site request refused (Sec-Fetch-Site: cross-site)\n',
    ]);
  });
});

describe('where the UI listens', () => {
  it('stays on 127.0.0.1 when the S3 endpoint is shared with the network', async () => {
    const shared = await startTestHarness(undefined, { host: '0.0.0.0' });
    try {
      expect(new URL(shared.apiUrl).hostname).toBe('127.0.0.1');
      expect(shared.web.allowedHosts).toEqual(allowedHostsFor('127.0.0.1', Number(new URL(shared.apiUrl).port)));
    } finally {
      await shared.stop();
    }
  });
});
