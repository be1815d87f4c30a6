/**
 * The flexible checksums S3 accepts (`x-amz-checksum-*` headers and trailers), computed
 * incrementally and rendered as base64 of the big-endian digest.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface IncrementalChecksum {
  update(data: Buffer): void;
  /** base64 of the digest, as in `x-amz-checksum-crc32`. */
  digestBase64(): string;
}

function crcTable32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

const CRC32C_TABLE = crcTable32(0x82f63b78);

function crc64Table(): BigUint64Array {
  // CRC-64/NVME, reflected polynomial 0x9A6C9329AC4BC9B5.
  const poly = 0x9a6c9329ac4bc9b5n;
  const table = new BigUint64Array(256);
  for (let n = 0n; n < 256n; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    table[Number(n)] = c;
  }
  return table;
}
let CRC64_TABLE: BigUint64Array | undefined;

function uint32Base64(value: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b.toString('base64');
}

function hashChecksum(hash: Hash): IncrementalChecksum {
  return { update: (d) => void hash.update(d), digestBase64: () => hash.digest('base64') };
}

export function createChecksum(algorithm: ChecksumAlgorithm): IncrementalChecksum {
  switch (algorithm) {
    case 'crc32': {
      let value = 0;
      return { update: (d) => { value = crc32(d, value); }, digestBase64: () => uint32Base64(value) };
    }
    case 'crc32c': {
      let c = 0xffffffff;
      return {
        update: (d) => { for (const byte of d) c = CRC32C_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8); },
        digestBase64: () => uint32Base64((c ^ 0xffffffff) >>> 0),
      };
    }
    case 'crc64nvme': {
      const table = (CRC64_TABLE ??= crc64Table());
      let c = 0xffffffffffffffffn;
      return {
        update: (d) => { for (const byte of d) c = table[Number((c ^ BigInt(byte)) & 0xffn)]! ^ (c >> 8n); },
        digestBase64: () => {
          const b = Buffer.alloc(8);
          b.writeBigUInt64BE(c ^ 0xffffffffffffffffn);
          return b.toString('base64');
        },
      };
    }
    case 'sha1':
      return hashChecksum(createHash('sha1'));
    case 'sha256':
      return hashChecksum(createHash('sha256'));
  }
}

export function checksumAlgorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  const algorithm = name.toLowerCase().replace(/^x-amz-checksum-/, '');
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm) ? (algorithm as ChecksumAlgorithm) : undefined;
}
