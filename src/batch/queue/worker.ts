// `npm run segment -- --worker redis://…`: one machine's worker of the batch job queue. It takes
// shard and finalize jobs (processor.ts, in a BullMQ sandbox) until no job of any run is left.
//
// Failure handling is BullMQ's: a job that throws is retried with exponential backoff up to its
// attempts; a job whose worker stops renewing its lock (killed, machine lost) is found by another
// worker's stalled check after about --stall-seconds and put back in the queue. A worker therefore
// stays until every job is completed or failed, even while it idles: it may have to retake one.
import path from 'node:path';
import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { ProgressSink } from '../progress';
import { workerName, FINALIZE_QUEUE, SHARD_QUEUE, WORKER_ENV } from './jobs';
import { allJobs, finalizeData, openQueues, shardData, unfinishedJobs } from './queues';
import { checkRedisReachable, type RedisTarget } from './redis-url';

export const DEFAULT_STALL_SECONDS = 30;
/** A job retaken after this many stalls fails instead (a photo that kills its worker every time). */
export const MAX_STALLS = 3;

export interface QueueWorkerOptions {
  /** onnxruntime threads of this machine's backbone (default: all cores). */
  threads?: number;
  /** Lock duration and stalled-check interval: how soon a dead worker's job is retaken. */
  stallSeconds: number;
  progress: ProgressSink | null;
  /** How often an idle worker asks whether any job is left. */
  idleCheckMs?: number;
  /** SIGINT/SIGTERM: finish the current job and leave; a second one leaves at once. */
  handleSignals?: boolean;
}

export interface QueueWorkerSummary {
  /** 'finished': it stayed until no job was left; 'idle': there was nothing to do when it started. */
  outcome: 'finished' | 'idle' | 'stopped';
  shards: number;
  finalized: number;
  failedAttempts: number;
}

function describe(job: Job | undefined): string {
  if (!job) return 'a job';
  if (job.name === 'shard') {
    const d = shardData(job);
    return `shard ${d.index + 1}/${d.count} of run ${d.runId}`;
  }
  return `finalize of run ${finalizeData(job).runId}`;
}

export async function runQueueWorker(target: RedisTarget, opts: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const name = workerName();
  const log = (line: string) => opts.progress?.write(`[${name}] ${line}\n`);
  await checkRedisReachable(target);
  const queues = openQueues(target, (err) => log(`redis: ${err.message}`));
  const summary: QueueWorkerSummary = { outcome: 'finished', shards: 0, finalized: 0, failedAttempts: 0 };
  try {
    if ((await unfinishedJobs(queues)) === 0) {
      if ((await allJobs(queues)) === 0) {
        throw new Error(`the queue at ${target.display} holds no jobs: nothing was enqueued there (npm run segment -- <folder> --out <dir> --queue ${target.display})`);
      }
      log(`nothing to do: every run in the queue at ${target.display} is finished (npm run segment -- --queue ${target.display} --status)`);
      return { ...summary, outcome: 'idle' };
    }
    const lockMs = opts.stallSeconds * 1000;
    const workerOpts: WorkerOptions = {
      connection: target.options,
      name,
      concurrency: 1,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: MAX_STALLS,
      workerForkOptions: {
        env: { ...process.env, [WORKER_ENV.name]: name, [WORKER_ENV.threads]: opts.threads ? String(opts.threads) : '', [WORKER_ENV.quiet]: opts.progress ? '' : '1' },
      },
    };
    const processorFile = path.join(import.meta.dirname, 'processor.ts');
    const workers = [new Worker(SHARD_QUEUE, processorFile, workerOpts), new Worker(FINALIZE_QUEUE, processorFile, workerOpts)];
    for (const w of workers) {
      w.on('completed', (job) => void (job.name === 'shard' ? summary.shards++ : summary.finalized++));
      w.on('failed', async (job, err) => {
        summary.failedAttempts++;
        // The state, not the attempt count, says whether BullMQ retries it (a job past its stall limit fails at once).
        const state = job ? await job.getState().catch(() => 'unknown') : 'unknown';
        const retry = state === 'failed' ? ' for good' : `; it will be retried (attempt ${job?.attemptsMade} of ${job?.opts.attempts ?? 1} failed)`;
        log(`${describe(job)} failed${retry}: ${err.message}`);
      });
      w.on('stalled', (jobId) => log(`job ${jobId} stalled (its worker stopped renewing its lock); it goes back to the queue`));
      w.on('error', (err) => log(`worker: ${err.message}`));
    }
    log(`taking jobs from ${target.display} (stall after ${opts.stallSeconds} s)`);
    // close() takes no new job, lets a running one finish, and stops the sandboxed children.
    let closing: Promise<unknown> | null = null;
    const closeAll = () => (closing ??= Promise.all(workers.map((w) => w.close())));
    const stop = opts.handleSignals ? onSignals(log, closeAll) : { requested: () => false, dispose: () => undefined };
    try {
      while (!stop.requested()) {
        await new Promise((resolve) => setTimeout(resolve, opts.idleCheckMs ?? 1000));
        if ((await unfinishedJobs(queues)) === 0) break;
      }
      if (stop.requested()) summary.outcome = 'stopped';
      await closeAll();
    } finally {
      stop.dispose();
    }
    log(`leaving: ${summary.shards} shard(s) and ${summary.finalized} finalize job(s) done here, ${summary.failedAttempts} failed attempt(s)`);
    return summary;
  } finally {
    await queues.close();
  }
}

function onSignals(log: (line: string) => void, close: () => unknown): { requested: () => boolean; dispose: () => void } {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count++;
    if (count > 1) process.exit(130);
    log(`${signal}: finishing the current job, then leaving (again to leave at once; the job is then retaken by another worker)`);
    close();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => count > 0,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
