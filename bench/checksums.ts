/**
 * Checksum speed (MB/s) on a 64 MiB body fed in 64 KiB chunks, as the gateway verifies an upload:
 * CRC64NVME must run at table speed (target >= 100 MB/s), as CRC32C does; CRC32 (zlib) and the
 * SHA digests (OpenSSL) are native and shown for comparison.
 */
import { CHECKSUM_ALGORITHMS, createChecksum } from '../emulator/gateway/checksums.ts';

const BODY_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const TARGET_MB_PER_S = 100;

export async function runChecksumBench(): Promise<void> {
  const body = Buffer.alloc(BODY_BYTES);
  for (let i = 0; i < body.length; i++) body[i] = (i * 2654435761) >>> 24;
  console.log(`\nChecksums on ${BODY_BYTES / 1024 / 1024} MiB in ${CHUNK_BYTES / 1024} KiB chunks (best of 3)`);
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    let best = 0;
    for (let run = 0; run < 3; run++) {
      const checksum = createChecksum(algorithm);
      const started = performance.now();
      for (let at = 0; at < body.length; at += CHUNK_BYTES) checksum.update(body.subarray(at, at + CHUNK_BYTES));
      checksum.digestBase64();
      best = Math.max(best, BODY_BYTES / 1024 / 1024 / ((performance.now() - started) / 1000));
    }
    const verdict =
      algorithm === 'crc64nvme'
        ? ` (target >= ${TARGET_MB_PER_S} MB/s): ${best >= TARGET_MB_PER_S ? 'met' : 'NOT met'}`
        : '';
    console.log(`${algorithm.padEnd(10)} ${best.toFixed(0).padStart(5)} MB/s${verdict}`);
  }
}
