// The job-queue forms of `npm run segment` (phase 1 and 2 of method.md on many machines):
// enqueue a run (--queue with a folder), be a worker (--worker), print the queue's --status.
import type { SegmentOptions } from '../batch/segment';
import { enqueueRun } from '../batch/queue/enqueue';
import { DEFAULT_ATTEMPTS, DEFAULT_PHOTOS_PER_JOB } from '../batch/queue/jobs';
import { parseRedisUrl, type RedisTarget } from '../batch/queue/redis-url';
import { queueStatus } from '../batch/queue/status';
import { DEFAULT_STALL_SECONDS, runQueueWorker } from '../batch/queue/worker';
import { intFlag, type ParsedArgs } from './args';

export const QUEUE_FLAGS = ['queue', 'worker', 'status', 'photos-per-job', 'attempts', 'stall-seconds'];

export const QUEUE_USAGE = `Many machines (a BullMQ job queue on Redis; photos and --out on a shared file system):
  npm run segment -- <photo folder> --out <folder> --queue redis://host:port [run options above]
                   [--photos-per-job N (default ${DEFAULT_PHOTOS_PER_JOB})] [--attempts N (default ${DEFAULT_ATTEMPTS})]
                              enqueues one job per N photos and one finalize job that runs when all are done
  npm run segment -- --worker redis://host:port [--threads N] [--stall-seconds S (default ${DEFAULT_STALL_SECONDS})] [--quiet]
                              takes jobs until no job of any run is left; a worker silent for S seconds is
                              taken for dead and its job is retaken by another
  npm run segment -- --queue redis://host:port --status
                              runs, shards done / running / waiting / failed (with reasons), finalize`;

/** Options that belong to one form only; any other flag given with it is refused. */
const WORKER_ONLY = ['stall-seconds'];
const ENQUEUE_ONLY = ['photos-per-job', 'attempts'];
const NOT_WHEN_ENQUEUING = ['shard', 'finalize', 'threads', 'jobs', ...WORKER_ONLY];
/** Flags that mean nothing without --queue or --worker. */
export const QUEUE_ONLY_FLAGS = [...WORKER_ONLY, ...ENQUEUE_ONLY];

export function isQueueCommand(parsed: ParsedArgs): boolean {
  return parsed.flags.has('queue') || parsed.flags.has('worker') || parsed.switches.has('status');
}

function refuse(parsed: ParsedArgs, allowed: readonly string[], form: string): void {
  const given = [...parsed.flags.keys(), ...parsed.switches].filter((k) => !allowed.includes(k));
  if (given.length) throw new Error(`${given.map((k) => `--${k}`).join(', ')} ${given.length > 1 ? 'do' : 'does'} not apply to ${form}`);
}

function target(parsed: ParsedArgs, flag: 'queue' | 'worker'): RedisTarget {
  const url = parsed.flags.get(flag);
  if (!url) throw new Error(`--${flag} needs a Redis URL (redis://host:port)`);
  return parseRedisUrl(url);
}

type QueueCommand =
  | { kind: 'status'; target: RedisTarget }
  | { kind: 'worker'; target: RedisTarget; threads?: number; stallSeconds: number; quiet: boolean }
  | { kind: 'enqueue'; target: RedisTarget; photosPerJob: number; attempts: number; run: SegmentOptions };

/**
 * Which queue form the flags ask for, checked before anything touches Redis; throws a usage error
 * for a mixed or incomplete one. `runOptions` parses the run's own settings (an enqueue's).
 */
export function queueCommandFromArgs(parsed: ParsedArgs, runOptions: (parsed: ParsedArgs) => SegmentOptions): QueueCommand {
  if (parsed.flags.has('worker')) {
    refuse(parsed, ['worker', 'threads', 'quiet', ...WORKER_ONLY], '--worker (a worker takes the run settings from its jobs)');
    if (parsed.positional.length) throw new Error(`--worker takes no photo folder (got ${parsed.positional.join(' ')}); the jobs name it`);
    const stallSeconds = intFlag(parsed.flags, 'stall-seconds', 1) ?? DEFAULT_STALL_SECONDS;
    return { kind: 'worker', target: target(parsed, 'worker'), threads: intFlag(parsed.flags, 'threads', 1), stallSeconds, quiet: parsed.switches.has('quiet') };
  }
  if (parsed.switches.has('status')) {
    refuse(parsed, ['queue', 'status'], '--status');
    if (parsed.positional.length) throw new Error('--status takes no photo folder');
    return { kind: 'status', target: target(parsed, 'queue') };
  }
  const forbidden = NOT_WHEN_ENQUEUING.filter((k) => parsed.flags.has(k) || parsed.switches.has(k));
  if (forbidden.length) throw new Error(`${forbidden.map((k) => `--${k}`).join(', ')} cannot be used with --queue when enqueuing (the queue shards and finalizes; threads are each worker's)`);
  if (!parsed.positional.length) throw new Error('--queue needs a photo folder to enqueue (or --status to watch the queue)');
  return {
    kind: 'enqueue',
    target: target(parsed, 'queue'),
    photosPerJob: intFlag(parsed.flags, 'photos-per-job', 1) ?? DEFAULT_PHOTOS_PER_JOB,
    attempts: intFlag(parsed.flags, 'attempts', 1) ?? DEFAULT_ATTEMPTS,
    run: runOptions(parsed),
  };
}

/** Runs a queue form; returns the exit code. */
export async function runQueueCommand(command: QueueCommand): Promise<number> {
  const log = (s: string) => process.stderr.write(`${s}\n`);
  if (command.kind === 'status') {
    process.stdout.write(`${(await queueStatus(command.target)).text}\n`);
    return 0;
  }
  if (command.kind === 'worker') {
    const progress = command.quiet ? null : process.stderr;
    await runQueueWorker(command.target, { threads: command.threads, stallSeconds: command.stallSeconds, progress, handleSignals: true });
    return 0;
  }
  const run = await enqueueRun(command.target, command.run, { photosPerJob: command.photosPerJob, attempts: command.attempts });
  const display = command.target.display;
  log(`enqueued run ${run.runId}: ${run.photos} photos in ${run.shards} shard job(s) of ≤ ${command.photosPerJob}, then one finalize job, into ${run.outDir}`);
  log(`start workers on machines that see ${run.folder} and ${run.outDir} at these paths:  npm run segment -- --worker ${display}`);
  log(`watch:  npm run segment -- --queue ${display} --status`);
  return 0;
}
