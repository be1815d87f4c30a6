import { describe, expect, it } from 'vitest';
import { decodeAwsChunked } from '../../emulator/gateway/aws-chunked.ts';
import { createChecksum } from '../../emulator/gateway/checksums.ts';
import { signingKey } from '../../emulator/gateway/sigv4.ts';

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

async function* split(body: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

// AWS's worked example: 66,560 bytes of "a" sent in chunks of 65,536 and 1,024 bytes.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
const EXAMPLE = {
  secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  credential: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', date: '20130524', region: 'us-east-1', service: 's3' },
  amzDate: '20130524T000000Z',
  seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  chunks: [
    [65536, 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648'],
    [1024, '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497'],
    [0, 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'],
  ] as const,
};

function exampleBody(signatures: readonly (readonly [number, string])[] = EXAMPLE.chunks): Buffer {
  return Buffer.concat(
    signatures.map(([size, signature]) =>
      Buffer.concat([
        Buffer.from(`${size.toString(16)};chunk-signature=${signature}\r\n`),
        Buffer.alloc(size, 'a'),
        Buffer.from('\r\n'),
      ]),
    ),
  );
}

const signing = {
  key: signingKey(EXAMPLE.secret, EXAMPLE.credential),
  amzDate: EXAMPLE.amzDate,
  scope: '20130524/us-east-1/s3/aws4_request',
  seedSignature: EXAMPLE.seed,
};

describe('decodeAwsChunked', () => {
  it("decodes and verifies the signed chunks of AWS's example, however the bytes arrive", async () => {
    for (const size of [1, 7, 1000, 100_000]) {
      const decoded = await collect(
        decodeAwsChunked(split(exampleBody(), size), 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signing, new Map()),
      );
      expect(decoded.equals(Buffer.alloc(66_560, 'a'))).toBe(true);
    }
  });

  it('refuses a chunk whose signature does not chain', async () => {
    const swapped = [EXAMPLE.chunks[1], EXAMPLE.chunks[0], EXAMPLE.chunks[2]].map(
      ([, sig], i) => [EXAMPLE.chunks[i]![0], sig] as const,
    );
    await expect(
      collect(
        decodeAwsChunked(split(exampleBody(swapped), 4096), 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signing, new Map()),
      ),
    ).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('reads the trailer of an unsigned-trailer body', async () => {
    const crc = createChecksum('crc32');
    crc.update(Buffer.from('hello world'));
    const body = Buffer.from(`5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:${crc.digestBase64()}\r\n\r\n`);
    const trailers = new Map<string, string>();
    expect(
      (
        await collect(decodeAwsChunked(split(body, 3), 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', undefined, trailers))
      ).toString(),
    ).toBe('hello world');
    expect(trailers.get('x-amz-checksum-crc32')).toBe('DUoRhQ==');
  });

  it('refuses a body cut short', async () => {
    await expect(
      collect(
        decodeAwsChunked(
          split(Buffer.from('10\r\nshort'), 4),
          'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          undefined,
          new Map(),
        ),
      ),
    ).rejects.toMatchObject({ code: 'IncompleteBody' });
  });
});

describe('checksums', () => {
  it('match the published check values ("123456789")', () => {
    const check = (algorithm: Parameters<typeof createChecksum>[0]) => {
      const c = createChecksum(algorithm);
      c.update(Buffer.from('12345'));
      c.update(Buffer.from('6789'));
      return Buffer.from(c.digestBase64(), 'base64').toString('hex');
    };
    expect(check('crc32')).toBe('cbf43926');
    expect(check('crc32c')).toBe('e3069283');
    expect(check('crc64nvme')).toBe('ae8b14860a799888');
  });
});

describe('CRC-64/NVME', () => {
  it('gives the same digest however the body is split (slicing by 8 and the byte-wise tail agree)', () => {
    const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 255));
    const whole = createChecksum('crc64nvme');
    whole.update(body);
    for (const cut of [1, 7, 8, 9, 513]) {
      const split = createChecksum('crc64nvme');
      split.update(body.subarray(0, cut));
      split.update(body.subarray(cut));
      expect(split.digestBase64(), `cut at ${cut}`).toBe(whole.digestBase64());
    }
  });
});
