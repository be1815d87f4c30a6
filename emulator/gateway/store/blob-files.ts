/**
 * The bytes of versions and upload parts: one file each, named by a random id, written in full before
 * the journal names it and never written again (docs/durability.md). So a reader that has opened a
 * blob keeps reading the same bytes whatever commits after it, a copy is a hard link, and a blob no
 * version names (a write cut short, a version deleted while a reader still had it) is only a file to
 * remove: at once, when nobody is about to open it, or at the next start.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, rm, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReachPoint } from './crash-points.ts';
import type { StoreLayout } from './layout.ts';

export interface WrittenBlob {
  id: string;
  size: number;
  md5: string;
}

export class BlobFiles {
  /** Blobs a reader is between looking up and opening: removed only once they have been opened. */
  readonly #pins = new Map<string, number>();
  readonly #doomed = new Set<string>();
  readonly #removals = new Set<Promise<void>>();

  constructor(
    private readonly layout: StoreLayout,
    private readonly log: (line: string) => void,
    private readonly reach: ReachPoint = () => {},
  ) {}

  /** The blob folders known to exist: one is made at the first write into it, not all 256 at every start. */
  readonly #folders = new Set<string>();

  /** Makes the blobs folder and notes which of its 256 folders exist (run once, at open). */
  async prepare(): Promise<void> {
    await mkdir(this.layout.blobs, { recursive: true });
    for (const name of await readdir(this.layout.blobs)) this.#folders.add(join(this.layout.blobs, name));
  }

  /** A new blob's id and path, its folder made if this is the first blob there. */
  async #newBlob(): Promise<{ id: string; path: string }> {
    const id = randomBytes(16).toString('hex');
    const path = this.path(id);
    const folder = dirname(path);
    if (!this.#folders.has(folder)) {
      // Not `recursive`: Node then reports a read-only file system as ENOENT, and the client must hear EROFS.
      await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      this.#folders.add(folder);
    }
    return { id, path };
  }

  path(id: string): string {
    return this.layout.blob(id);
  }

  /**
   * Bytes held in memory: written with synchronous calls, a few tens of microseconds for a small
   * object, where each asynchronous call would wait its turn in libuv's pool of four.
   */
  writeHeld(bytes: Buffer): string {
    const id = randomBytes(16).toString('hex');
    const path = this.path(id);
    try {
      writeFileSync(path, bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw this.#removing(path, error);
      // Its first blob, or its folder was removed by hand (not `recursive`: see #newBlob). EEXIST: an
      // asynchronous write made it meanwhile.
      try {
        mkdirSync(dirname(path));
      } catch (mkdirError) {
        if ((mkdirError as NodeJS.ErrnoException).code !== 'EEXIST') throw mkdirError;
      }
      this.#folders.add(dirname(path));
      try {
        writeFileSync(path, bytes);
      } catch (again) {
        throw this.#removing(path, again);
      }
    }
    return id;
  }

  /** A request body spooled to a file (store/tmp, the same file system): renamed in, copied if it is not. */
  async moveIn(spooled: string): Promise<string> {
    const { id, path } = await this.#newBlob();
    try {
      await rename(spooled, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(spooled, path).catch((copyError: unknown) => {
        throw this.#removing(path, copyError);
      });
    }
    return id;
  }

  /** Writes a stream to a new blob, with its length and MD5. */
  async write(source: Readable | AsyncIterable<Buffer>): Promise<WrittenBlob> {
    const { id, path } = await this.#newBlob();
    const md5 = createHash('md5');
    let size = 0;
    let chunks = 0;
    const reach = this.reach;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (++chunks === 2) reach('blob-partly-written'); // the first chunk is on its way to the file
        md5.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, measure, createWriteStream(path));
    } catch (error) {
      throw this.#removing(path, error);
    }
    return { id, size, md5: md5.digest('hex') };
  }

  /** A new name for the same bytes (a copy): a hard link, or a copy where the file system has none. */
  link(sourceId: string): Promise<string> {
    return this.adopt(this.path(sourceId));
  }

  /** A new blob with a file's bytes (a blob's, or an earlier release's object file): hard-linked, or copied. */
  async adopt(file: string): Promise<string> {
    const { id, path } = await this.#newBlob();
    try {
      await link(file, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
      await copyFile(file, path).catch((copyError: unknown) => {
        throw this.#removing(path, copyError);
      });
    }
    return id;
  }

  /**
   * Keeps a blob from being removed until the returned function is called: taken in the same turn
   * as the lookup that found it, released once the file is open (or the read is given up).
   */
  pin(id: string): () => void {
    this.#pins.set(id, (this.#pins.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#pins.get(id) ?? 1) - 1;
      if (left > 0) {
        this.#pins.set(id, left);
        return;
      }
      this.#pins.delete(id);
      if (this.#doomed.delete(id)) this.#remove(id);
    };
  }

  /** Opens a blob for reading (pin it first: see `pin`). */
  open(id: string): Promise<FileHandle> {
    return open(this.path(id), 'r');
  }

  /** A blob no version names any more: removed now, or when its last pin goes. */
  discard(id: string): void {
    if (this.#pins.has(id)) this.#doomed.add(id);
    else this.#remove(id);
  }

  #remove(id: string): void {
    const removal = unlink(this.path(id))
      .catch((error: NodeJS.ErrnoException) => {
        // Left behind, it is removed at the next start; nothing reads it.
        if (error.code !== 'ENOENT') this.log(`could not remove ${this.path(id)} (${error.code}); the next start will`);
      })
      .finally(() => this.#removals.delete(removal));
    this.#removals.add(removal);
  }

  /** Waits for the removals under way: a stop leaves exactly the blobs its commits name. */
  async settle(): Promise<void> {
    while (this.#removals.size > 0) await Promise.all([...this.#removals]);
  }

  /** Removes the file of a write that failed, and hands back its error. */
  #removing(path: string, error: unknown): unknown {
    void rm(path, { force: true }).catch(() => {});
    return error;
  }

  /**
   * At start, before anything is served: removes every blob no version or part names (writes a stop
   * cut short before their commit, removals it interrupted). Returns how many.
   */
  async collect(named: ReadonlySet<string>): Promise<number> {
    const folders = await readdir(this.layout.blobs, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    // The folders are read side by side: one after the other, 256 of them took 50-70 ms of every start.
    const removed = await Promise.all(
      folders
        .filter((folder) => folder.isDirectory())
        .map(async (folder) => {
          const unnamed = (await readdir(join(this.layout.blobs, folder.name))).filter((file) => !named.has(file));
          for (const file of unnamed)
            await rm(join(this.layout.blobs, folder.name, file), { force: true, recursive: true });
          return unnamed.length;
        }),
    );
    return removed.reduce((sum, count) => sum + count, 0);
  }
}
