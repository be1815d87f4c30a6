/**
 * Per-key readers-writer locks. s3rver overwrites an object's file in place, so a GET during a PUT
 * could read a torn body; with these, readers see the old object or the new one, never a mix.
 */
type Release = () => void;

interface LockState {
  readers: number;
  writer: boolean;
  queue: { write: boolean; grant: () => void }[];
}

export class KeyLocks {
  readonly #locks = new Map<string, LockState>();

  read(key: string): Promise<Release> {
    return this.#acquire(key, false);
  }

  write(key: string): Promise<Release> {
    return this.#acquire(key, true);
  }

  #acquire(key: string, write: boolean): Promise<Release> {
    let state = this.#locks.get(key);
    if (!state) {
      state = { readers: 0, writer: false, queue: [] };
      this.#locks.set(key, state);
    }
    const s = state;
    return new Promise((resolve) => {
      const grant = () => {
        if (write) s.writer = true;
        else s.readers++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          if (write) s.writer = false;
          else s.readers--;
          this.#drain(key, s);
        });
      };
      const free = write ? !s.writer && s.readers === 0 : !s.writer && !s.queue.some((q) => q.write);
      if (free && s.queue.length === 0) grant();
      else s.queue.push({ write, grant });
    });
  }

  #drain(key: string, s: LockState): void {
    while (s.queue.length > 0) {
      const next = s.queue[0]!;
      if (next.write ? s.writer || s.readers > 0 : s.writer) break;
      s.queue.shift();
      next.grant();
      if (next.write) break;
    }
    if (!s.writer && s.readers === 0 && s.queue.length === 0) this.#locks.delete(key);
  }
}
