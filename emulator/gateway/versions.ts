/**
 * The versions of objects in versioned buckets (docs/gateway.md, "Versioning"). The latest version of
 * a key stays where s3rver keeps objects (so GET, HEAD, listings and the engine see it as before),
 * with its version id in its metadata; every other version, and a delete marker that is the latest,
 * is kept in `DATA/versions/<bucket>/<sha256 of the key>/`: an index (`index.json`, newest first)
 * and each version's two files, hard links to the files the version had when it was the latest
 * (object writes put new files in place and never write into old ones, atomic-writes.ts, so a link
 * keeps the old bytes). The index is replaced atomically; a version's files are linked before the
 * index names them, so a crash leaves at worst an unnamed file, never a named version without bytes.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
 */
import { createHash, randomBytes } from 'node:crypto';
import { access, link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MD5_FIELD } from './atomic-writes.ts';
import { VERSION_META } from './forward.ts';
import type { ObjectSummary, Storage } from './storage.ts';

export type VersioningStatus = 'Enabled' | 'Suspended';

/** A version that is not in s3rver's place: an older one, or a delete marker. */
export interface VersionEntry {
  versionId: string;
  deleteMarker: boolean;
  lastModified: string;
  etag?: string;
  size?: number;
}

interface KeyHistory {
  key: string;
  /** Newest first. */
  versions: VersionEntry[];
}

export { VERSION_META };

/** A new version id: 32 URL-safe characters, as AWS's are (opaque, unique). */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

/** The version id of the object in place: `null` for one written while the bucket was unversioned or suspended. */
export function versionIdOf(object: Pick<ObjectSummary, 'metadata'>): string {
  return object.metadata[VERSION_META] ?? 'null';
}

export class VersionStore {
  constructor(
    private readonly directory: string,
    private readonly storage: Storage,
  ) {}

  private folder(bucket: string, key: string): string {
    return join(this.directory, bucket, createHash('sha256').update(key).digest('hex'));
  }

  private file(bucket: string, key: string, versionId: string, resource: 'object' | 'metadata.json'): string {
    return join(this.folder(bucket, key), `${versionId}.${resource}`);
  }

  async history(bucket: string, key: string): Promise<VersionEntry[]> {
    const text = await readFile(join(this.folder(bucket, key), 'index.json'), 'utf8').catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      },
    );
    return text === undefined ? [] : (JSON.parse(text) as KeyHistory).versions;
  }

  private async writeHistory(bucket: string, key: string, versions: VersionEntry[]): Promise<void> {
    const folder = this.folder(bucket, key);
    if (versions.length === 0) {
      await rm(folder, { recursive: true, force: true });
      return;
    }
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `index.json.tmp-${randomBytes(6).toString('hex')}`);
    await writeFile(temporary, JSON.stringify({ key, versions } satisfies KeyHistory));
    await rename(temporary, join(folder, 'index.json'));
  }

  /** Keeps the object in place as an older version (before it is replaced or deleted). */
  async archiveCurrent(bucket: string, key: string, current: ObjectSummary): Promise<VersionEntry> {
    const versionId = versionIdOf(current);
    await mkdir(this.folder(bucket, key), { recursive: true });
    for (const resource of ['object', 'metadata.json'] as const) {
      const target = this.file(bucket, key, versionId, resource);
      await rm(target, { force: true });
      await link(this.storage.resourcePath(bucket, key, resource), target);
    }
    const entry: VersionEntry = {
      versionId,
      deleteMarker: false,
      lastModified: current.lastModified.toISOString(),
      etag: current.etag,
      size: current.size,
    };
    const versions = (await this.history(bucket, key)).filter((v) => v.versionId !== versionId);
    await this.writeHistory(bucket, key, [entry, ...versions]);
    return entry;
  }

  async addDeleteMarker(bucket: string, key: string, versionId: string, now: Date): Promise<VersionEntry> {
    const marker: VersionEntry = { versionId, deleteMarker: true, lastModified: now.toISOString() };
    const versions = (await this.history(bucket, key)).filter((v) => v.versionId !== versionId);
    await this.writeHistory(bucket, key, [marker, ...versions]);
    return marker;
  }

  /** Removes one version (its files and its entry); undefined when there was none. */
  async removeVersion(bucket: string, key: string, versionId: string): Promise<VersionEntry | undefined> {
    const versions = await this.history(bucket, key);
    const entry = versions.find((v) => v.versionId === versionId);
    if (!entry) return undefined;
    await this.writeHistory(
      bucket,
      key,
      versions.filter((v) => v !== entry),
    );
    for (const resource of ['object', 'metadata.json'] as const)
      await rm(this.file(bucket, key, versionId, resource), { force: true });
    return entry;
  }

  /**
   * When nothing is in place and the newest older entry is a version (not a delete marker), puts it
   * back in place: it is the latest again (after the latest version was deleted by version id).
   */
  async promoteNewest(bucket: string, key: string): Promise<void> {
    const [newest] = await this.history(bucket, key);
    if (!newest || newest.deleteMarker) return;
    const metadataText = await readFile(this.file(bucket, key, newest.versionId, 'metadata.json'), 'utf8');
    const metadata = JSON.parse(metadataText) as Record<string, string>;
    // Objects written before atomic writes keep their MD5 beside them: carry it into the metadata.
    const md5 = { [MD5_FIELD]: metadata[MD5_FIELD] ?? (newest.etag ?? '').replace(/"/g, '') };
    const target = this.storage.resourcePath(bucket, key, 'object');
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await link(this.file(bucket, key, newest.versionId, 'object'), target);
    await writeFile(this.storage.resourcePath(bucket, key, 'metadata.json'), JSON.stringify({ ...metadata, ...md5 }));
    await this.removeVersion(bucket, key, newest.versionId);
  }

  /** An older version's metadata and the path of its bytes. */
  async readVersion(
    bucket: string,
    key: string,
    entry: VersionEntry,
  ): Promise<{ metadata: Record<string, string>; bodyPath: string }> {
    const text = await readFile(this.file(bucket, key, entry.versionId, 'metadata.json'), 'utf8');
    const { [MD5_FIELD]: _md5, ...metadata } = JSON.parse(text) as Record<string, string>;
    return { metadata, bodyPath: this.file(bucket, key, entry.versionId, 'object') };
  }

  /** Every key of the bucket with older versions or a delete marker, and their histories. */
  async histories(bucket: string): Promise<Map<string, VersionEntry[]>> {
    const histories = new Map<string, VersionEntry[]>();
    const folders = await readdir(join(this.directory, bucket)).catch(() => [] as string[]);
    for (const folder of folders) {
      const text = await readFile(join(this.directory, bucket, folder, 'index.json'), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const history = JSON.parse(text) as KeyHistory;
      histories.set(history.key, history.versions);
    }
    return histories;
  }

  /** Whether any key of the bucket has an index (read no further than the first). */
  async hasAnyHistory(bucket: string): Promise<boolean> {
    const folders = await readdir(join(this.directory, bucket)).catch(() => [] as string[]);
    for (const folder of folders)
      if (
        await access(join(this.directory, bucket, folder, 'index.json')).then(
          () => true,
          () => false,
        )
      )
        return true;
    return false;
  }

  async forgetBucket(bucket: string): Promise<void> {
    await rm(join(this.directory, bucket), { recursive: true, force: true });
  }
}
