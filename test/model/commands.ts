/**
 * The S3 operations a model-based test drives (fast-check `fc.commands`): each sends one request
 * through the real gateway with the SDK, holds the answer against the reference model
 * (bucket-model.ts), and then applies it to the model. Shared by the sequential model-based test and
 * the crash test, which replays commands against a harness it kills.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';
import { BucketModel, md5Etag, MIN_PART_BYTES, type Expected } from './bucket-model.ts';

export interface Real {
  s3: S3Client;
  bucket: string;
  /** Upload ids in the order the server handed them out. */
  uploadIds: string[];
}

/** Which version a command names: the latest, one of the key's versions, or an id never handed out. */
export type VersionPick = { kind: 'latest' } | { kind: 'existing'; index: number } | { kind: 'missing' };

const NEVER_ISSUED = 'nEvErIsSuEdVeRsIoNiD0123456789ab';

function pickVersion(model: BucketModel, key: string, pick: VersionPick): string | undefined {
  if (pick.kind === 'latest') return undefined;
  if (pick.kind === 'missing') return NEVER_ISSUED;
  const history = model.history(key);
  return history.length ? history[pick.index % history.length]!.versionId : NEVER_ISSUED;
}

/**
 * Small bodies by name, a few over 5 MiB (every part of a multipart upload but the last must be), and
 * `wide` ones of 200 KB (read in several chunks).
 */
export function bodyOf(name: string): Buffer {
  if (name.startsWith('big')) return Buffer.alloc(MIN_PART_BYTES + Number(name.slice(3)), name);
  if (name.startsWith('wide')) return Buffer.alloc(200_000, name);
  return Buffer.from(`body ${name}`);
}

interface ErrorLike {
  name: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string> };
}

async function outcome<T>(call: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ErrorLike }> {
  return call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error as ErrorLike }),
  );
}

/** HEAD errors have no body: the SDK names them by status only. */
const HEAD_NAMES: Record<string, string> = {
  NoSuchKey: 'NotFound',
  NoSuchVersion: 'NotFound',
  MethodNotAllowed: 'MethodNotAllowed',
};

/** The call failed as the model says it must (HEAD errors have no body: they are named by status). */
function expectRefusal(
  got: { ok: true } | { ok: false; error: ErrorLike },
  expected: Extract<Expected<unknown>, { ok: false }>,
  what: string,
  head = false,
): void {
  expect(got.ok, `${what}: expected ${expected.code}`).toBe(false);
  if (got.ok) return;
  const name = head ? (HEAD_NAMES[expected.code] ?? expected.code) : expected.code;
  if (head && got.error.name === 'Unknown') {
    const status = { NoSuchKey: 404, NoSuchVersion: 404, MethodNotAllowed: 405 }[expected.code];
    expect(got.error.$metadata?.httpStatusCode, what).toBe(status);
  } else expect(got.error.name, what).toBe(name);
  if (expected.deleteMarker) expect(got.error.$response?.headers?.['x-amz-delete-marker'], what).toBe('true');
}

/** A command that may always run (each checks what the model expects, including refusals). */
abstract class Step implements fc.AsyncCommand<BucketModel, Real> {
  check(): boolean {
    return true;
  }
  abstract run(model: BucketModel, real: Real): Promise<void>;
  abstract toString(): string;
}

export class PutStep extends Step {
  constructor(
    readonly key: string,
    readonly body: string,
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const body = bodyOf(this.body);
    const answer = await real.s3.send(new PutObjectCommand({ Bucket: real.bucket, Key: this.key, Body: body }));
    expect(answer.ETag).toBe(md5Etag(body));
    expect(model.acceptVersionId(answer.VersionId), this.toString()).toBeUndefined();
    model.write(this.key, body, answer.VersionId);
  }
  toString() {
    return `PUT ${this.key} ${this.body}`;
  }
}

export class GetStep extends Step {
  constructor(
    readonly key: string,
    readonly pick: VersionPick,
    readonly head: boolean,
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const versionId = pickVersion(model, this.key, this.pick);
    const expected = model.read(this.key, versionId);
    const input = { Bucket: real.bucket, Key: this.key, ...(versionId ? { VersionId: versionId } : {}) };
    if (this.head) {
      const got = await outcome(real.s3.send(new HeadObjectCommand(input)));
      if (!expected.ok) return expectRefusal(got, expected, this.toString(), true);
      expect(got.ok, this.toString()).toBe(true);
      if (got.ok)
        expect([got.value.ETag, got.value.ContentLength]).toEqual([expected.value.etag, expected.value.body.length]);
      return;
    }
    const got = await outcome(
      real.s3
        .send(new GetObjectCommand(input))
        .then(async (r) => ({ etag: r.ETag, body: Buffer.from(await r.Body!.transformToByteArray()) })),
    );
    if (!expected.ok) return expectRefusal(got, expected, this.toString());
    expect(got.ok, `${this.toString()}: ${got.ok ? '' : got.error.name}`).toBe(true);
    if (got.ok) {
      expect(got.value.etag, this.toString()).toBe(expected.value.etag);
      expect(md5Etag(got.value.body), this.toString()).toBe(md5Etag(expected.value.body));
    }
  }
  toString() {
    return `${this.head ? 'HEAD' : 'GET'} ${this.key} ${JSON.stringify(this.pick)}`;
  }
}

export class ListStep extends Step {
  constructor(readonly prefix: string) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const answer = await real.s3.send(new ListObjectsV2Command({ Bucket: real.bucket, Prefix: this.prefix }));
    expect(
      (answer.Contents ?? []).map((c) => ({ key: c.Key, etag: c.ETag, size: c.Size })),
      this.toString(),
    ).toEqual(model.list(this.prefix));
  }
  toString() {
    return `LIST ${this.prefix}`;
  }
}

export class ListVersionsStep extends Step {
  constructor(readonly prefix: string) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const answer = await real.s3.send(new ListObjectVersionsCommand({ Bucket: real.bucket, Prefix: this.prefix }));
    const listed = [
      ...(answer.Versions ?? []).map((v) => ({
        key: v.Key!,
        versionId: v.VersionId!,
        isLatest: v.IsLatest!,
        marker: false,
        etag: v.ETag,
      })),
      ...(answer.DeleteMarkers ?? []).map((m) => ({
        key: m.Key!,
        versionId: m.VersionId!,
        isLatest: m.IsLatest!,
        marker: true,
      })),
    ];
    const expected = model.listVersions(this.prefix);
    // Versions and delete markers come in two lists: compare each key's entries in the model's order.
    const order = new Map(expected.map((e, i) => [`${e.key} ${e.versionId}`, i]));
    listed.sort((a, b) => (order.get(`${a.key} ${a.versionId}`) ?? -1) - (order.get(`${b.key} ${b.versionId}`) ?? -1));
    expect(listed, this.toString()).toEqual(expected);
  }
  toString() {
    return `LIST VERSIONS ${this.prefix}`;
  }
}

export class DeleteStep extends Step {
  constructor(
    readonly key: string,
    readonly pick: VersionPick,
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const versionId = pickVersion(model, this.key, this.pick);
    const answer = await real.s3.send(
      new DeleteObjectCommand({ Bucket: real.bucket, Key: this.key, ...(versionId ? { VersionId: versionId } : {}) }),
    );
    if (versionId === undefined && model.versioning === 'Enabled')
      expect(model.acceptVersionId(answer.VersionId), this.toString()).toBeUndefined();
    const expected = model.delete(this.key, versionId, answer.VersionId);
    expect({ versionId: answer.VersionId, deleteMarker: answer.DeleteMarker ?? false }, this.toString()).toEqual({
      versionId: expected.versionId,
      deleteMarker: expected.deleteMarker,
    });
  }
  toString() {
    return `DELETE ${this.key} ${JSON.stringify(this.pick)}`;
  }
}

export class DeleteManyStep extends Step {
  constructor(readonly keys: string[]) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const keys = [...new Set(this.keys)];
    const answer = await real.s3.send(
      new DeleteObjectsCommand({ Bucket: real.bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    expect(answer.Errors ?? [], this.toString()).toEqual([]);
    for (const key of keys) {
      const entry = answer.Deleted?.find((d) => d.Key === key);
      if (model.versioning === 'Enabled') expect(model.acceptVersionId(entry?.DeleteMarkerVersionId)).toBeUndefined();
      const expected = model.delete(key, undefined, entry?.DeleteMarkerVersionId);
      expect(entry?.DeleteMarker ?? false, this.toString()).toBe(expected.deleteMarker);
    }
  }
  toString() {
    return `DELETE OBJECTS ${this.keys.join(',')}`;
  }
}

export class CopyStep extends Step {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly pick: VersionPick,
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const versionId = pickVersion(model, this.from, this.pick);
    const expected = model.copySource(this.from, versionId);
    const source = `${real.bucket}/${encodeURIComponent(this.from)}${versionId ? `?versionId=${versionId}` : ''}`;
    const got = await outcome(
      real.s3.send(
        new CopyObjectCommand({ Bucket: real.bucket, Key: this.to, CopySource: source, MetadataDirective: 'REPLACE' }),
      ),
    );
    if (!expected.ok) return expectRefusal(got, expected, this.toString());
    expect(got.ok, `${this.toString()}: ${got.ok ? '' : got.error.name}`).toBe(true);
    if (!got.ok) return;
    expect(got.value.CopyObjectResult?.ETag, this.toString()).toBe(expected.value.etag);
    expect(model.acceptVersionId(got.value.VersionId), this.toString()).toBeUndefined();
    model.write(this.to, expected.value.body, got.value.VersionId, expected.value.etag, [...expected.value.tags]);
  }
  toString() {
    return `COPY ${this.from} ${JSON.stringify(this.pick)} -> ${this.to}`;
  }
}

export class VersioningStep extends Step {
  constructor(readonly status: 'Enabled' | 'Suspended') {
    super();
  }
  async run(model: BucketModel, real: Real) {
    await real.s3.send(
      new PutBucketVersioningCommand({ Bucket: real.bucket, VersioningConfiguration: { Status: this.status } }),
    );
    model.versioning = this.status;
  }
  toString() {
    return `VERSIONING ${this.status}`;
  }
}

export class TagStep extends Step {
  constructor(
    readonly key: string,
    readonly value: string,
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const tags: [string, string][] = [['stage', this.value]];
    const expected = model.retag(this.key, tags);
    const got = await outcome(
      real.s3.send(
        new PutObjectTaggingCommand({
          Bucket: real.bucket,
          Key: this.key,
          Tagging: { TagSet: [{ Key: 'stage', Value: this.value }] },
        }),
      ),
    );
    if (!expected.ok) return expectRefusal(got, expected, this.toString());
    expect(got.ok, this.toString()).toBe(true);
    const read = await real.s3.send(new GetObjectTaggingCommand({ Bucket: real.bucket, Key: this.key }));
    expect(read.TagSet?.map((t) => [t.Key, t.Value])).toEqual(tags);
  }
  toString() {
    return `TAG ${this.key} stage=${this.value}`;
  }
}

export class CreateUploadStep extends Step {
  constructor(readonly key: string) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const { UploadId } = await real.s3.send(new CreateMultipartUploadCommand({ Bucket: real.bucket, Key: this.key }));
    expect(UploadId).toBeDefined();
    real.uploadIds.push(UploadId!);
    model.uploads.set(UploadId!, { key: this.key, parts: new Map() });
  }
  toString() {
    return `CREATE UPLOAD ${this.key}`;
  }
}

function uploadAt(real: Real, pick: number): string | undefined {
  return real.uploadIds.length ? real.uploadIds[pick % real.uploadIds.length] : undefined;
}

/** The key an upload was created for (uploads that ended are kept in `completed` or forgotten). */
function uploadKey(model: BucketModel, uploadId: string): string {
  return model.uploads.get(uploadId)?.key ?? model.completed.get(uploadId)?.key ?? 'a';
}

export class UploadPartStep extends Step {
  constructor(
    readonly upload: number,
    readonly partNumber: number,
    readonly body: string,
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const uploadId = uploadAt(real, this.upload);
    if (!uploadId) return;
    const body = bodyOf(this.body);
    const expected = model.uploadPart(uploadId, this.partNumber, body);
    const got = await outcome(
      real.s3.send(
        new UploadPartCommand({
          Bucket: real.bucket,
          Key: uploadKey(model, uploadId),
          UploadId: uploadId,
          PartNumber: this.partNumber,
          Body: body,
        }),
      ),
    );
    if (!expected.ok) return expectRefusal(got, expected, this.toString());
    expect(got.ok && got.value.ETag, this.toString()).toBe(expected.value);
  }
  toString() {
    return `UPLOAD PART #${this.upload} part ${this.partNumber} ${this.body}`;
  }
}

export class CompleteStep extends Step {
  constructor(
    readonly upload: number,
    readonly partNumbers: number[],
  ) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const uploadId = uploadAt(real, this.upload);
    if (!uploadId) return;
    const key = uploadKey(model, uploadId);
    const parts = [...new Set(this.partNumbers)].map((partNumber) => ({
      partNumber,
      etag: model.uploads.get(uploadId)?.parts.get(partNumber)?.etag ?? '"00000000000000000000000000000000"',
    }));
    const expected = model.complete(uploadId, parts);
    const got = await outcome(
      real.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: real.bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      ),
    );
    if (!expected.ok) return expectRefusal(got, expected, this.toString());
    expect(got.ok, `${this.toString()}: ${got.ok ? '' : got.error.name}`).toBe(true);
    if (!got.ok) return;
    if ('repeated' in expected) return expect(got.value.ETag).toBe(expected.repeated.etag);
    expect(got.value.ETag, this.toString()).toBe(expected.value.etag);
    expect(model.acceptVersionId(got.value.VersionId), this.toString()).toBeUndefined();
    model.uploads.delete(uploadId);
    model.write(key, expected.value.body, got.value.VersionId, expected.value.etag);
    model.completed.set(uploadId, { key, versionId: model.latest(key)!.versionId, etag: expected.value.etag });
  }
  toString() {
    return `COMPLETE #${this.upload} parts ${this.partNumbers.join(',')}`;
  }
}

export class AbortStep extends Step {
  constructor(readonly upload: number) {
    super();
  }
  async run(model: BucketModel, real: Real) {
    const uploadId = uploadAt(real, this.upload);
    if (!uploadId) return;
    const known = model.uploads.has(uploadId);
    const got = await outcome(
      real.s3.send(
        new AbortMultipartUploadCommand({ Bucket: real.bucket, Key: uploadKey(model, uploadId), UploadId: uploadId }),
      ),
    );
    expect(got.ok ? 'ok' : got.error.name, this.toString()).toBe(known ? 'ok' : 'NoSuchUpload');
    model.uploads.delete(uploadId);
  }
  toString() {
    return `ABORT #${this.upload}`;
  }
}

export const KEYS = ['a', 'b', 'dir/c', 'dir/d', 'é ü'];
const key = fc.constantFrom(...KEYS);
const prefix = fc.constantFrom('', 'dir/', 'a', 'é');
const smallBody = fc.constantFrom('one', 'two', 'three', 'four');
const body = fc.oneof({ weight: 6, arbitrary: smallBody }, { weight: 1, arbitrary: fc.constantFrom('big1', 'big2') });
const versionPick: fc.Arbitrary<VersionPick> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'latest' as const }) },
  { weight: 3, arbitrary: fc.nat(5).map((index) => ({ kind: 'existing' as const, index })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
);

/** Every command, weighted toward writes and reads of a few shared keys. */
export const allCommands = [
  fc.tuple(key, smallBody).map(([k, b]) => new PutStep(k, b)),
  fc.tuple(key, smallBody).map(([k, b]) => new PutStep(k, b)),
  fc.tuple(key, versionPick, fc.boolean()).map(([k, p, h]) => new GetStep(k, p, h)),
  prefix.map((p) => new ListStep(p)),
  prefix.map((p) => new ListVersionsStep(p)),
  fc.tuple(key, versionPick).map(([k, p]) => new DeleteStep(k, p)),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((keys) => new DeleteManyStep(keys)),
  fc.tuple(key, key, versionPick).map(([f, t, p]) => new CopyStep(f, t, p)),
  fc.constantFrom('Enabled' as const, 'Suspended' as const).map((s) => new VersioningStep(s)),
  fc.tuple(key, smallBody).map(([k, v]) => new TagStep(k, v)),
  key.map((k) => new CreateUploadStep(k)),
  fc.tuple(fc.nat(4), fc.integer({ min: 1, max: 3 }), body).map(([u, n, b]) => new UploadPartStep(u, n, b)),
  fc
    .tuple(fc.nat(4), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }))
    .map(([u, parts]) => new CompleteStep(u, parts.sort())),
  fc.nat(4).map((u) => new AbortStep(u)),
];
