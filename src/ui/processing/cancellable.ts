// Long worker jobs that the user can stop: a SharedArrayBuffer flag the worker polls (it then
// returns what it has), or, where the page is not cross-origin isolated, a restart of the worker.

export interface CancellableJobs {
  /** Runs a job; resolves null when it was stopped by restarting the worker, rejects if the worker dies. */
  run<T>(job: (flag: Int32Array | null) => Promise<T>): Promise<T | null>;
  cancel(): void;
  readonly active: boolean;
}

export function cancellableJobs(crashed: () => Promise<never>, restartWorker: () => void): CancellableJobs {
  let flag: Int32Array | null = null;
  let abortWithoutFlag: (() => void) | null = null;
  let active = false;
  return {
    get active() {
      return active;
    },
    async run<T>(job: (flag: Int32Array | null) => Promise<T>): Promise<T | null> {
      flag = typeof SharedArrayBuffer === 'function' && crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
      const aborted = new Promise<null>((resolve) => {
        abortWithoutFlag = () => resolve(null);
      });
      active = true;
      try {
        return await Promise.race([job(flag), aborted, crashed()]);
      } finally {
        active = false;
        flag = null;
        abortWithoutFlag = null;
      }
    },
    cancel() {
      if (flag) Atomics.store(flag, 0, 1);
      else if (abortWithoutFlag) {
        restartWorker();
        abortWithoutFlag();
      }
    },
  };
}
