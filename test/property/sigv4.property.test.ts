import { fc, test } from '@fast-check/vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect } from 'vitest';
import { parseSignature, verifySignature } from '../../emulator/gateway/sigv4.ts';
import { S3Error } from '../../emulator/gateway/s3-errors.ts';
import { Sha256 } from '../../emulator/go-live/sha256.ts';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const signer = new SignatureV4({
  service: 's3',
  region: 'us-east-1',
  credentials,
  sha256: Sha256,
  uriEscapePath: false,
});
const keyText = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', ' ', '+', ':', '%', '&', '=', 'é', '✓', '/', '~', '*', '(', '!'),
  minLength: 1,
  maxLength: 16,
});
const queryValue = fc.string({ unit: fc.constantFrom('a', ' ', '/', '=', '&', '+', 'é', '*'), maxLength: 8 });

/** Encodes a key as the SDK puts it on the wire (each segment URI-encoded, slashes kept). */
function wirePath(bucket: string, key: string): string {
  return `/${bucket}/${key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/')}`;
}

function wireQuery(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

describe('SigV4 verification matches the SDK signer', () => {
  test.prop([
    keyText,
    fc.dictionary(fc.constantFrom('prefix', 'delimiter', 'max-keys', 'x-id', 'list-type'), queryValue),
    fc.boolean(),
  ])(
    'accepts what the SDK signs, header and presigned alike, and refuses a changed path',
    async (key, query, presign) => {
      const path = wirePath('bucket', key);
      const now = Date.UTC(2026, 10, 28, 6, 0, 0);
      const request = {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port: 4568,
        path,
        query,
        headers: { host: '127.0.0.1:4568', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      };
      const signed = presign
        ? await signer.presign(request, { signingDate: new Date(now), expiresIn: 60 })
        : await signer.sign(request, { signingDate: new Date(now) });
      const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
      const rawQuery = wireQuery(signed.query as Record<string, string>);
      const parts = { method: 'GET', rawPath: path, rawQuery, headers };
      const parsed = parseSignature(parts)!;
      expect(parsed.mechanism).toBe(presign ? 'query' : 'header');
      expect(() => verifySignature(parts, parsed, credentials.secretAccessKey, now + 1000)).not.toThrow();
      const tampered = { ...parts, rawPath: `${path}x` };
      expect(() => verifySignature(tampered, parseSignature(tampered)!, credentials.secretAccessKey, now)).toThrow(
        S3Error,
      );
    },
  );
});
