// A worker's death (an uncaught error, out of memory) as a promise that rejects with a message, so
// calls raced against it fail instead of waiting forever on a worker that will never answer.
export interface CrashWatch {
  /** Rejects when the worker dies; never resolves. */
  crashed: Promise<never>;
  isDead(): boolean;
}

export function watchForCrash(worker: Worker, describe: (reason: string) => string, onCrash?: () => void): CrashWatch {
  let reject: (err: Error) => void = () => {};
  const crashed = new Promise<never>((_, r) => {
    reject = r;
  });
  crashed.catch(() => {});
  let dead = false;
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    dead = true;
    onCrash?.();
    reject(new Error(describe(e.message || 'it crashed or ran out of memory')));
  });
  return { crashed, isDead: () => dead };
}
