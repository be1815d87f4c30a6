/**
 * Tasks run one at a time, in the order they were queued. A task that fails does not stop the ones
 * after it (its caller gets the rejection). The engine has two: imports, and deliveries (why one at a
 * time: docs/decisions.md, "One queue each for imports and deliveries").
 */
export interface SerialQueue {
  /** Queues the task; resolves or rejects with it once it has run. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks queued or running. */
  readonly size: number;
  /** Resolves once nothing is queued or running (tasks queued meanwhile included). */
  drained(): Promise<void>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let size = 0;
  return {
    get size() {
      return size;
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      size++;
      const result = tail.then(task).finally(() => size--);
      tail = result.catch(() => undefined);
      return result;
    },
    async drained() {
      while (size > 0) await tail;
    },
  };
}
