/**
 * A reference model of one S3 bucket, written from AWS's documentation and nothing of the harness:
 * objects and their versions (newest first), delete markers, versioning Enabled or Suspended,
 * multipart uploads and their parts, object tags. Each operation says what S3 answers, so a test can
 * hold the real gateway's answers against it (ShardStore's reference-model conformance, SOSP 2021).
 * Version ids are the server's to choose: the model takes them from the answers and checks that they
 * are fresh, and `null` exactly where AWS uses it.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import { createHash } from 'node:crypto';

export type Versioning = 'Enabled' | 'Suspended' | undefined;

export interface ModelObject {
  kind: 'object';
  versionId: string;
  body: Buffer;
  etag: string;
  tags: [string, string][];
}
export interface ModelMarker {
  kind: 'marker';
  versionId: string;
}
export type ModelVersion = ModelObject | ModelMarker;

export interface ModelUpload {
  key: string;
  parts: Map<number, { body: Buffer; etag: string }>;
}

/** What S3 answers, as data: a success's fields, or an error's code (and the headers a test checks). */
export type Expected<T> =
  { ok: true; value: T } | { ok: false; code: string; deleteMarker?: boolean; versionId?: string };

export const md5Etag = (body: Buffer) => `"${createHash('md5').update(body).digest('hex')}"`;
/** Every part but the last is at least 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

const fail = (code: string, extra: { deleteMarker?: boolean; versionId?: string } = {}) =>
  ({ ok: false, code, ...extra }) as const;
const ok = <T>(value: T) => ({ ok: true, value }) as const;

/** UTF-8 byte order, as S3 lists keys. */
export const byKey = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

export class BucketModel {
  versioning: Versioning = undefined;
  readonly keys = new Map<string, ModelVersion[]>();
  readonly uploads = new Map<string, ModelUpload>();
  /** Every version id the server has handed out (they never repeat, `null` aside). */
  readonly seenIds = new Set<string>();
  /** Uploads completed, with the version they made (a repeated completion answers it again). */
  readonly completed = new Map<string, { key: string; versionId: string; etag: string }>();

  /** An independent copy (bodies are shared: they are never changed). */
  clone(): BucketModel {
    const copy = new BucketModel();
    copy.versioning = this.versioning;
    for (const [key, versions] of this.keys)
      copy.keys.set(
        key,
        versions.map((v) => ({ ...v })),
      );
    for (const [id, upload] of this.uploads) copy.uploads.set(id, { key: upload.key, parts: new Map(upload.parts) });
    for (const id of this.seenIds) copy.seenIds.add(id);
    for (const [id, done] of this.completed) copy.completed.set(id, { ...done });
    return copy;
  }

  history(key: string): ModelVersion[] {
    return this.keys.get(key) ?? [];
  }

  latest(key: string): ModelVersion | undefined {
    return this.history(key)[0];
  }

  /** The version id a write must answer: a fresh one when Enabled, none (`null`) otherwise. */
  expectedWriteVersion(): 'fresh' | 'null' {
    return this.versioning === 'Enabled' ? 'fresh' : 'null';
  }

  /** Checks the server's version id for a write and records it; returns a problem, or undefined. */
  acceptVersionId(answered: string | undefined): string | undefined {
    if (this.expectedWriteVersion() === 'null')
      return answered === undefined || answered === 'null' ? undefined : `expected no version id, got ${answered}`;
    if (!answered || answered === 'null') return `expected a fresh version id, got ${answered}`;
    if (this.seenIds.has(answered)) return `version id ${answered} was handed out before`;
    this.seenIds.add(answered);
    return undefined;
  }

  /** A new object (PUT, copy, completion) becomes the newest version. */
  write(key: string, body: Buffer, versionId: string | undefined, etag = md5Etag(body), tags: [string, string][] = []) {
    const id = this.versioning === 'Enabled' ? versionId! : 'null';
    const kept =
      this.versioning === 'Enabled' ? this.history(key) : this.history(key).filter((v) => v.versionId !== 'null');
    this.keys.set(key, [{ kind: 'object', versionId: id, body, etag, tags }, ...kept]);
  }

  /** GET / HEAD, of the latest or of one version. */
  read(key: string, versionId?: string): Expected<ModelObject> {
    if (versionId === undefined) {
      const latest = this.latest(key);
      if (!latest) return fail('NoSuchKey');
      if (latest.kind === 'marker') return fail('NoSuchKey', { deleteMarker: true, versionId: latest.versionId });
      return ok(latest);
    }
    const version = this.history(key).find((v) => v.versionId === versionId);
    if (!version) return fail('NoSuchVersion');
    if (version.kind === 'marker') return fail('MethodNotAllowed', { deleteMarker: true, versionId });
    return ok(version);
  }

  /** The source of a copy: as a read, but a delete marker named by id is InvalidRequest. */
  copySource(key: string, versionId?: string): Expected<ModelObject> {
    const read = this.read(key, versionId);
    if (!read.ok && read.code === 'MethodNotAllowed') return fail('InvalidRequest');
    if (!read.ok) return fail(read.code);
    return read;
  }

  /**
   * DeleteObject. Answers the version id and delete-marker flag S3 answers; `markerId` is the
   * server's id for a new delete marker (Enabled).
   */
  delete(key: string, versionId: string | undefined, markerId?: string): { versionId?: string; deleteMarker: boolean } {
    const history = this.history(key);
    const set = (versions: ModelVersion[]) => (versions.length ? this.keys.set(key, versions) : this.keys.delete(key));
    if (versionId !== undefined) {
      const found = history.find((v) => v.versionId === versionId);
      if (found) set(history.filter((v) => v !== found));
      return { versionId, deleteMarker: found?.kind === 'marker' };
    }
    if (this.versioning === undefined) {
      this.keys.delete(key);
      return { deleteMarker: false };
    }
    const id = this.versioning === 'Enabled' ? markerId! : 'null';
    const kept = this.versioning === 'Enabled' ? history : history.filter((v) => v.versionId !== 'null');
    set([{ kind: 'marker', versionId: id }, ...kept]);
    return { versionId: id, deleteMarker: true };
  }

  /** ListObjectsV2: keys under the prefix whose latest version is an object, in S3's order. */
  list(prefix: string): { key: string; etag: string; size: number }[] {
    return [...this.keys]
      .filter(([key, versions]) => key.startsWith(prefix) && versions[0]?.kind === 'object')
      .sort(([a], [b]) => byKey(a, b))
      .map(([key, versions]) => {
        const latest = versions[0] as ModelObject;
        return { key, etag: latest.etag, size: latest.body.length };
      });
  }

  /** ListObjectVersions: every version and delete marker, by key, newest first. */
  listVersions(
    prefix: string,
  ): { key: string; versionId: string; isLatest: boolean; marker: boolean; etag?: string }[] {
    return [...this.keys]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => byKey(a, b))
      .flatMap(([key, versions]) =>
        versions.map((v, i) => ({
          key,
          versionId: v.versionId,
          isLatest: i === 0,
          marker: v.kind === 'marker',
          ...(v.kind === 'object' ? { etag: v.etag } : {}),
        })),
      );
  }

  /** PutObjectTagging / GetObjectTagging of the latest version. */
  tagsOf(key: string): Expected<[string, string][]> {
    const read = this.read(key);
    return read.ok ? ok(read.value.tags) : fail('NoSuchKey');
  }

  retag(key: string, tags: [string, string][]): Expected<null> {
    const latest = this.latest(key);
    if (latest?.kind !== 'object') return fail('NoSuchKey');
    latest.tags = tags;
    return ok(null);
  }

  uploadPart(uploadId: string, partNumber: number, body: Buffer): Expected<string> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return fail('NoSuchUpload');
    const etag = md5Etag(body);
    upload.parts.set(partNumber, { body, etag });
    return ok(etag);
  }

  /**
   * CompleteMultipartUpload of the parts named (with the ETags given): their bytes in order, ETag the
   * MD5 of their MD5s then `-<count>`. A completion repeated after success answers the same while the
   * key still holds its object.
   */
  complete(
    uploadId: string,
    named: { partNumber: number; etag: string }[],
  ): Expected<{ body: Buffer; etag: string }> | { ok: true; repeated: { etag: string } } {
    const upload = this.uploads.get(uploadId);
    if (!upload) {
      const done = this.completed.get(uploadId);
      const latest = done && this.latest(done.key);
      if (done && latest?.kind === 'object' && latest.versionId === done.versionId && latest.etag === done.etag)
        return { ok: true, repeated: { etag: done.etag } };
      return fail('NoSuchUpload');
    }
    for (let i = 1; i < named.length; i++)
      if (named[i]!.partNumber <= named[i - 1]!.partNumber) return fail('InvalidPartOrder');
    const parts = [];
    for (const [i, wanted] of named.entries()) {
      const part = upload.parts.get(wanted.partNumber);
      if (!part || part.etag !== wanted.etag) return fail('InvalidPart');
      if (i < named.length - 1 && part.body.length < MIN_PART_BYTES) return fail('EntityTooSmall');
      parts.push(part);
    }
    const md5 = createHash('md5');
    for (const part of parts) md5.update(Buffer.from(part.etag.replace(/"/g, ''), 'hex'));
    return ok({ body: Buffer.concat(parts.map((p) => p.body)), etag: `"${md5.digest('hex')}-${parts.length}"` });
  }
}
