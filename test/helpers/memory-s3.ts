/**
 * S3 as one account sees it, held in memory: the core/s3 port without a server, for unit tests of the
 * importer and the deliverer. `deny` makes an operation answer AccessDenied as the gateway would.
 */
import { createHash } from 'node:crypto';
import type { AccountS3, OutboundS3 } from '../../core/s3/index.ts';
import type { S3Failure } from '../../core/submissions/index.ts';

type Operation = 'ListBuckets' | 'ListObjectsV2' | 'GetObject' | 'PutObject';

export interface MemoryS3 extends AccountS3, OutboundS3 {
  objects: Map<string, { body: Uint8Array; etag: string; contentType?: string; sse?: boolean }>;
  deny: Set<Operation>;
  put(bucket: string, key: string, body: string | Uint8Array): string;
}

const denied = (operation: Operation): { ok: false; error: S3Failure } => ({
  ok: false,
  error: { code: 'AccessDenied', message: `${operation} denied`, status: 403, explanation: 'no statement allows it' },
});

export function createMemoryS3(buckets: readonly string[]): MemoryS3 {
  const objects: MemoryS3['objects'] = new Map();
  const deny = new Set<Operation>();
  const at = (bucket: string, key: string) => `${bucket}/${key}`;
  const put = (bucket: string, key: string, body: string | Uint8Array, extra = {}) => {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    objects.set(at(bucket, key), { body: bytes, etag, ...extra });
    return etag;
  };
  return {
    objects,
    deny,
    put,
    async listBuckets() {
      return deny.has('ListBuckets') ? denied('ListBuckets') : { ok: true, value: [...buckets] };
    },
    async listObjects(bucket, prefix) {
      if (deny.has('ListObjectsV2')) return denied('ListObjectsV2');
      const value = [...objects]
        .filter(([path]) => path.startsWith(at(bucket, prefix)))
        .map(([path, o]) => ({ key: path.slice(bucket.length + 1), etag: o.etag, size: o.body.length }));
      return { ok: true, value };
    },
    async getObject(bucket, key) {
      if (deny.has('GetObject')) return denied('GetObject');
      const object = objects.get(at(bucket, key));
      if (!object) return { ok: false, error: { code: 'NoSuchKey', message: 'The specified key does not exist.' } };
      const body = object.body;
      return {
        ok: true,
        value: {
          etag: object.etag,
          size: body.length,
          body: (async function* () {
            yield body;
          })(),
        },
      };
    },
    async putObject(bucket, key, body, options) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
      const bytes = Buffer.concat(chunks);
      if (deny.has('PutObject')) return { ...denied('PutObject'), bytes: bytes.length };
      const etag = put(bucket, key, bytes, { contentType: options.contentType, sse: options.sse });
      return { ok: true, value: { etag, bytes: bytes.length } };
    },
  };
}
