// An in-process queue per path: callers in one process that want the same lock file wait their turn
// here instead of spinning on the file. Each lock kind keeps its own queue.

export type PathQueue = <T>(path: string, fn: () => Promise<T>) => Promise<T>;

export function createPathQueue(): PathQueue {
  const tails = new Map<string, Promise<void>>();
  return async (path, fn) => {
    const previous = tails.get(path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    tails.set(path, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (tails.get(path) === tail) tails.delete(path);
    }
  };
}
