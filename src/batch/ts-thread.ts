// Starts a batch worker thread on a TypeScript module (phase1-thread.ts, labels-thread.ts) through
// the one boot file that registers tsx's loader in the thread.
import { Worker } from 'node:worker_threads';

const BOOT = new URL('./ts-thread-boot.mjs', import.meta.url);

/** `module`: the thread's TypeScript entry, e.g. new URL('./phase1-thread.ts', import.meta.url). */
export function startTsThread(module: URL, workerData: unknown): Worker {
  return new Worker(BOOT, { workerData, argv: [module.href] });
}
