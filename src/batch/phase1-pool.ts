// Phase 1 on several photos at once (method.md §1–§3 per photo): worker threads, each with its own
// backbone session, take the next photo as they finish, so every core is busy also while one
// photo is in MaskCut or the CRF (single-threaded) and another in the backbone.
//
// Results do not depend on the number of threads: each photo's entry is computed the same way
// (tests/batch/phase1-pool.test.ts compares the entries). A thread that dies (out of memory, a
// crash in native code) fails its photo with the reason and is replaced; the run goes on.
import type { Worker } from 'node:worker_threads';
import { recordFailure } from './cache';
import type { ImageFile } from './image-list';
import type { ImageStageOptions } from './image-stage';
import { startTsThread } from './ts-thread';

export interface Phase1ThreadData {
  manifestPath: string;
  /** onnxruntime threads of this worker's session. */
  threads: number;
  denseCrf: 'wasm' | 'ts';
  cacheDir: string;
  stage: ImageStageOptions;
}

export type Phase1ToThread = { type: 'photo'; key: string; absPath: string } | { type: 'stop' };
export type Phase1ToPool = { type: 'ready' } | { type: 'done'; key: string; timingsMs?: Record<string, number>; error?: string };

export interface Phase1PoolOptions extends Omit<Phase1ThreadData, 'threads'> {
  jobs: number;
  /** onnxruntime threads in all; each worker gets an equal share (at least 1). */
  threads: number;
  /** After each photo: its stage timings, or the error that failed it. */
  onPhoto: (key: string, result: { timingsMs?: Record<string, number>; error?: string }) => Promise<void> | void;
}

const THREAD = new URL('./phase1-thread.ts', import.meta.url);

/** Processes `files` on `jobs` worker threads; resolves when every photo is written or failed. */
export async function runPhase1Pool(files: readonly ImageFile[], opts: Phase1PoolOptions): Promise<void> {
  const queue = [...files];
  const jobs = Math.max(1, Math.min(opts.jobs, files.length));
  const data: Phase1ThreadData = { manifestPath: opts.manifestPath, threads: Math.max(1, Math.floor(opts.threads / jobs)), denseCrf: opts.denseCrf, cacheDir: opts.cacheDir, stage: opts.stage };
  let running = 0;
  const workers = new Set<Worker>();
  const run = new Promise<void>((resolve, reject) => {
    const start = (): void => {
      const worker = startTsThread(THREAD, data);
      workers.add(worker);
      let current: ImageFile | null = null;
      let ready = false;
      running++;
      const next = () => {
        current = queue.shift() ?? null;
        if (current) worker.postMessage({ type: 'photo', key: current.key, absPath: current.absPath } satisfies Phase1ToThread);
        else worker.postMessage({ type: 'stop' } satisfies Phase1ToThread);
      };
      worker.on('message', (m: Phase1ToPool) => {
        if (m.type === 'ready') {
          ready = true;
          return next();
        }
        current = null;
        Promise.resolve(opts.onPhoto(m.key, m)).then(next, reject);
      });
      worker.on('error', (err) => void died(err.message));
      worker.on('exit', (code) => {
        if (code !== 0) return void died(`worker thread exited with code ${code}`);
        if (--running === 0) resolve();
      });
      let handled = false;
      const died = async (reason: string) => {
        if (handled) return;
        handled = true;
        // A thread that cannot even open the model fails every photo the same way: stop the run.
        if (!ready) return reject(new Error(`a phase-1 worker thread failed to start: ${reason}`));
        const lost = current;
        running--;
        if (lost) {
          await recordFailure(opts.cacheDir, lost.key, `the worker thread died: ${reason}`);
          await opts.onPhoto(lost.key, { error: `the worker thread died: ${reason}` });
        }
        if (queue.length) start();
        else if (running === 0) resolve();
      };
    };
    for (let i = 0; i < jobs; i++) start();
  });
  // A run that fails stops its other threads too; idle ones would keep the process alive.
  await run.catch(async (err: unknown) => {
    await Promise.all([...workers].map((w) => w.terminate()));
    throw err;
  });
}
