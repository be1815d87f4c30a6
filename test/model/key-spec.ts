/**
 * The sequential specification of one S3 key, for the linearizability checker (linearizability.ts):
 * its versions, newest first (a delete marker has no ETag), and what each observed answer does to
 * them or says about them. A bucket's versioning is fixed while a concurrent history runs.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
import type { TimedOperation } from './linearizability.ts';

export interface KeyVersion {
  id: string;
  /** Undefined for a delete marker. */
  etag?: string;
}
export interface KeyState {
  versions: readonly KeyVersion[];
}

export const EMPTY_KEY: KeyState = { versions: [] };
export const keyFingerprint = (s: KeyState) => s.versions.map((v) => `${v.id}:${v.etag ?? '-'}`).join(',');

export type BucketVersioning = 'Enabled' | undefined;

/** A write (PUT, copy target, completion) that answered this ETag and version id. */
export function observedWrite(etag: string, versionId: string, versioning: BucketVersioning) {
  return (s: KeyState): KeyState =>
    versioning === 'Enabled'
      ? { versions: [{ id: versionId, etag }, ...s.versions] }
      : { versions: [{ id: 'null', etag }] };
}

/** A delete without a version id; `markerId` is the delete marker's id in an Enabled bucket. */
export function observedDelete(versioning: BucketVersioning, markerId?: string) {
  return (s: KeyState): KeyState =>
    versioning === 'Enabled' ? { versions: [{ id: markerId! }, ...s.versions] } : { versions: [] };
}

/** A read of the latest (GET, HEAD, a listing's entry, a copy's source): its ETag, or none. */
export function observedRead(etag: string | undefined) {
  return (s: KeyState): KeyState | undefined => (s.versions[0]?.etag === etag ? s : undefined);
}

/** A ListObjectVersions' entries for the key. */
export function observedVersions(versions: readonly KeyVersion[]) {
  return (s: KeyState): KeyState | undefined => (keyFingerprint(s) === keyFingerprint({ versions }) ? s : undefined);
}

/** Records operations on keys as they are called and answered, on one clock. */
export class History {
  #clock = 0;
  readonly byKey = new Map<string, TimedOperation<KeyState>[]>();
  constructor(private readonly now: () => number = () => this.#clock++) {}

  /** Runs an operation; `observe` turns its result into the step each key it touched took. */
  async record<T>(
    label: string,
    run: () => Promise<T>,
    observe: (result: T) => [key: string, step: TimedOperation<KeyState>['step']][],
  ): Promise<T> {
    const call = this.now();
    const result = await run();
    const ret = this.now();
    for (const [key, step] of observe(result)) {
      if (!this.byKey.has(key)) this.byKey.set(key, []);
      this.byKey.get(key)!.push({ call, ret, step, label });
    }
    return result;
  }
}
