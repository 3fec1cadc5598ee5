// The queue's job handlers: a shard job runs phase 1 (method.md §1–§3) on its photos, the finalize
// job phase 2 (§3–§5) over every shard, both through the single-process code in ../segment.ts.
//
// BullMQ runs this file in a child process of each worker (a sandboxed processor), so a photo or
// the clustering may hold the CPU for minutes while the worker process keeps renewing the job's
// lock; otherwise a busy job would look stalled and be handed to a second machine.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SandboxedJob } from 'bullmq';
import { openNodeBackbone } from '../../runtime/ort-node';
import type { BackboneSession } from '../../runtime/backbone-session';
import { cacheDir, configFingerprint, ensurePassConfig, hasEntry, listFailures } from '../cache';
import { finalize } from '../finalize';
import { passConfigFor, phase2Options, runPhase1 } from '../segment';
import { segmentOptionsOf, WORKER_ENV, type FinalizeJobData, type FinalizeResult, type ShardJobData, type ShardProgress, type ShardResult } from './jobs';

/** What the handlers use of a BullMQ job (the sandboxed one, or a plain Job in tests). */
export interface QueueJob<T> {
  data: T;
  attemptsStarted: number;
  stalledCounter: number;
  updateProgress(progress: ShardProgress): Promise<void>;
  getChildrenValues<CT>(): Promise<Record<string, CT>>;
}

export interface HandlerContext {
  threads?: number;
  worker: string;
  log: (line: string) => void;
}

let open: { manifestPath: string; threads?: number; session: BackboneSession } | null = null;

/** One backbone per process, kept across jobs: loading the model costs more than a small shard. */
async function backboneFor(manifestPath: string, threads?: number): Promise<BackboneSession> {
  if (open && open.manifestPath === manifestPath && open.threads === threads) return open.session;
  await open?.session.release();
  open = null;
  const session = await openNodeBackbone(manifestPath, threads);
  open = { manifestPath, threads, session };
  return session;
}

/** A machine that does not mount the run's folders must fail the job, not record every photo as undecodable. */
function checkVisible(data: ShardJobData | FinalizeJobData, needsPhotos: boolean): void {
  if (needsPhotos && !existsSync(data.folder)) {
    throw new Error(`the photo folder ${data.folder} is not visible on this machine (the queue needs it on a shared file system, at the same path everywhere)`);
  }
  if (!existsSync(path.join(cacheDir(data.outDir), 'config.json'))) {
    throw new Error(`${cacheDir(data.outDir)}/config.json is not visible on this machine (--out must be on a shared file system, at the same path everywhere)`);
  }
}

export async function processShard(job: QueueJob<ShardJobData>, ctx: HandlerContext): Promise<ShardResult> {
  const started = performance.now();
  const { data } = job;
  checkVisible(data, true);
  const opts = segmentOptionsOf(data, ctx.threads, null);
  const { config, manifestPath } = await passConfigFor(opts);
  if (configFingerprint(config) !== data.configFingerprint) {
    throw new Error(`this worker's model or settings differ from the run's (model ${config.modelId}, sha256 ${config.modelSha256.slice(0, 12)}…): give every machine the same public/models`);
  }
  const dir = cacheDir(data.outDir);
  await ensurePassConfig(dir, config);
  const files = data.keys.map((key) => ({ key, absPath: path.join(data.folder, ...key.split('/')) }));
  const skipped = data.keys.filter((key) => hasEntry(dir, key));
  const processed: string[] = [];
  const failed: { key: string; error: string }[] = [];
  const progress: ShardProgress = { done: skipped.length, total: data.keys.length, failed: 0 };
  const retake = job.attemptsStarted > 1 ? ` (attempt ${job.attemptsStarted}${job.stalledCounter ? `, retaken after ${job.stalledCounter} stall(s)` : ''})` : '';
  ctx.log(`shard ${data.index + 1}/${data.count} of run ${data.runId}: ${data.keys.length} photos, ${skipped.length} already cached${retake}`);
  await job.updateProgress(progress);
  const session = await backboneFor(manifestPath, ctx.threads);
  await runPhase1(opts, files, config, manifestPath, {
    session,
    onPhoto: async (key, error) => {
      progress.done++;
      if (error === undefined) processed.push(key);
      else {
        progress.failed++;
        failed.push({ key, error });
        ctx.log(`  skipped ${key}: ${error}`);
      }
      await job.updateProgress({ ...progress });
    },
  });
  const ms = performance.now() - started;
  ctx.log(`shard ${data.index + 1}/${data.count} of run ${data.runId}: done in ${(ms / 1000).toFixed(1)} s (${processed.length} processed, ${failed.length} failed)`);
  return { keys: data.keys, processed, skipped, failed, worker: ctx.worker, attempt: job.attemptsStarted, stalled: job.stalledCounter, ms };
}

/** Code-unit order, as listImages sorts: the single-process run finalizes its photos in this order. */
const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function processFinalize(job: QueueJob<FinalizeJobData>, ctx: HandlerContext): Promise<FinalizeResult> {
  const started = performance.now();
  const { data } = job;
  // Phase 2 reads only the cache: the photos need not be mounted here.
  checkVisible(data, false);
  const shards = Object.values(await job.getChildrenValues<ShardResult>());
  const keys = [...new Set(shards.flatMap((s) => s.keys))].sort(byKey);
  if (shards.length !== data.shards || keys.length !== data.photos) {
    throw new Error(`the run's shards report ${keys.length} photos in ${shards.length} shards; it was enqueued with ${data.photos} in ${data.shards}`);
  }
  const dir = cacheDir(data.outDir);
  const failedKeys = new Set((await listFailures(dir)).map((f) => f.key));
  const lost = keys.filter((k) => !hasEntry(dir, k) && !failedKeys.has(k));
  if (lost.length) throw new Error(`${lost.length} photo(s) have neither a cache entry nor a failure record in ${dir}, e.g. ${lost.slice(0, 3).join(', ')}`);
  const cached = keys.filter((k) => hasEntry(dir, k));
  if (!cached.length) throw new Error('no photo of the run could be processed');
  ctx.log(`finalize run ${data.runId}: ${cached.length} photos (${keys.length - cached.length} failed) into ${data.outDir}`);
  const opts = segmentOptionsOf(data, ctx.threads, null);
  const fin = await finalize({ ...phase2Options(opts), keys: cached, skipIfCurrent: true });
  const ms = performance.now() - started;
  ctx.log(`finalize run ${data.runId}: ${fin.reused ? 'outputs were current' : `${fin.thingK} thing + ${fin.stuffK} stuff clusters`} in ${(ms / 1000).toFixed(1)} s`);
  return { images: fin.images, instances: fin.instances, thingK: fin.thingK, stuffK: fin.stuffK, reused: fin.reused, worker: ctx.worker, ms };
}

function contextFromEnv(): HandlerContext {
  const threads = Number(process.env[WORKER_ENV.threads]);
  const worker = process.env[WORKER_ENV.name] ?? `pid ${process.pid}`;
  const quiet = process.env[WORKER_ENV.quiet] === '1';
  const log = (line: string) => void (quiet || process.stderr.write(`[${worker}] ${line}\n`));
  return { threads: Number.isInteger(threads) && threads > 0 ? threads : undefined, worker, log };
}

/** The sandboxed job as the handlers see it, with its data as the job's name says. */
function view<T>(job: SandboxedJob, data: T): QueueJob<T> {
  return {
    data,
    attemptsStarted: job.attemptsStarted,
    stalledCounter: job.stalledCounter,
    updateProgress: (progress) => job.updateProgress({ ...progress }),
    getChildrenValues: <CT>() => job.getChildrenValues<CT>(),
  };
}

/** BullMQ's entry point in the sandboxed child: dispatches on the job's name. */
export default async function handle(job: SandboxedJob<ShardJobData | FinalizeJobData>): Promise<ShardResult | FinalizeResult> {
  const ctx = contextFromEnv();
  if (job.name === 'shard') return processShard(view(job, job.data as ShardJobData), ctx);
  if (job.name === 'finalize') return processFinalize(view(job, job.data as FinalizeJobData), ctx);
  throw new Error(`unknown job "${job.name}" in the queue`);
}

// The worker process may die without a word (SIGKILL, a lost machine); its child must not keep
// computing a shard that the queue will hand to another machine. Only in that child: a test that
// imports this file runs in a process whose IPC channel means something else.
if (process.env[WORKER_ENV.name] && process.send) process.on('disconnect', () => process.exit(1));
