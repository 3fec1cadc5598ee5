// `npm run bench -- queue [--limit 24] [--workers 1,2,4] [--photos-per-job 3] [--threads 1] [--refine crf] [--model ID]`:
// photos per minute of the job queue (src/batch/queue) with 1, 2 and 4 local worker processes on
// coco-dev photos, and the queue's own cost per job (no-op jobs, in-process and sandboxed).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { enqueueRun } from '../src/batch/queue/enqueue';
import { findRedisServer, startLocalRedis } from '../src/batch/queue/local-redis';
import { finalizeData, openQueues, shardData } from '../src/batch/queue/queues';
import { parseRedisUrl } from '../src/batch/queue/redis-url';
import { resolveModelManifest } from '../src/batch/model-path';
import { SEGMENT_DEFAULTS } from '../src/batch/segment';
import { choiceFlag, intFlag, parseArgs } from '../src/cli/args';
import { median, type Row } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');
const COCO_DEV_IMAGES = path.resolve(ROOT, '../shared/data/coco-dev/images');

interface Settings {
  limit: number;
  photosPerJob: number;
  threads: number;
  refine: 'crf' | 'guided' | 'none';
  model?: string;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function spawnWorker(url: string, threads: number): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/segment.ts'), '--worker', url, '--threads', String(threads), '--quiet'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Gaps between one worker's consecutive jobs: the queue's hand-off time as the workers saw it. */
function handoffGapsMs(jobs: Job[]): number[] {
  const byWorker = new Map<string, Job[]>();
  for (const j of jobs) byWorker.set(j.processedBy ?? '?', [...(byWorker.get(j.processedBy ?? '?') ?? []), j]);
  const gaps: number[] = [];
  for (const list of byWorker.values()) {
    list.sort((a, b) => (a.processedOn ?? 0) - (b.processedOn ?? 0));
    for (let i = 1; i < list.length; i++) gaps.push((list[i].processedOn ?? 0) - (list[i - 1].finishedOn ?? 0));
  }
  return gaps;
}

async function queuedRun(url: string, workers: number, s: Settings): Promise<Row> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'u2seg-bench-queue-'));
  const target = parseRedisUrl(url);
  try {
    const run = await enqueueRun(target, { ...SEGMENT_DEFAULTS, refine: s.refine, folder: COCO_DEV_IMAGES, outDir, model: s.model, limit: s.limit, progress: process.stderr }, { photosPerJob: s.photosPerJob, attempts: 1 });
    process.stderr.write(`queue bench: ${workers} worker(s) on run ${run.runId} (${run.photos} photos, ${run.shards} shards)…\n`);
    const t0 = Date.now();
    const codes = await Promise.all(Array.from({ length: workers }, () => spawnWorker(url, s.threads)));
    if (codes.some((c) => c !== 0)) throw new Error(`a worker exited with ${codes.join(', ')}`);
    const queues = openQueues(target, () => undefined);
    try {
      const shards = (await queues.shards.getJobs(['completed', 'failed'])).filter((j) => shardData(j).runId === run.runId);
      const [fin] = (await queues.finalize.getJobs(['completed', 'failed'])).filter((j) => finalizeData(j).runId === run.runId);
      if (!fin?.finishedOn || !fin.processedOn || shards.length !== run.shards || shards.some((j) => !j.finishedOn || !j.processedOn)) throw new Error('the run did not complete');
      const phase1End = Math.max(...shards.map((j) => j.finishedOn ?? 0));
      const phase1S = (phase1End - t0) / 1000;
      const totalS = (fin.finishedOn - t0) / 1000;
      const msPerPhoto = mean(shards.map((j) => ((j.finishedOn ?? 0) - (j.processedOn ?? 0)) / shardData(j).keys.length));
      const clusters = createHash('sha256').update(readFileSync(path.join(outDir, 'clusters.json'))).digest('hex').slice(0, 12);
      return {
        workers,
        photos: run.photos,
        'phase 1 s': phase1S,
        'photos/min phase 1': (run.photos / phase1S) * 60,
        'first job taken s': (Math.min(...shards.map((j) => j.processedOn ?? 0)) - t0) / 1000,
        'ms/photo in a job': msPerPhoto,
        'hand-off ms (median)': median(handoffGapsMs(shards)),
        'finalize started after last shard ms': fin.processedOn - phase1End,
        'finalize s': (fin.finishedOn - fin.processedOn) / 1000,
        'total s': totalS,
        'photos/min total': (run.photos / totalS) * 60,
        'clusters.json sha256': clusters,
      };
    } finally {
      await queues.close();
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Round trip of one no-op job at a time, and the cost per job through a backlog, in ms. */
async function noopOverhead(url: string, kind: 'in-process' | 'sandboxed'): Promise<Row> {
  const connection = parseRedisUrl(url).options;
  const name = `u2seg-bench-noop-${kind}`;
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  const processor = kind === 'sandboxed' ? path.join(import.meta.dirname, 'queue-noop-processor.ts') : async () => null;
  const worker = new Worker(name, processor, { connection, concurrency: 1, removeOnComplete: { count: 0 } });
  try {
    await events.waitUntilReady();
    await (await queue.add('noop', {})).waitUntilFinished(events); // a sandbox starts its child on the first job
    const roundTripsMs: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await (await queue.add('noop', {})).waitUntilFinished(events);
      roundTripsMs.push(performance.now() - t);
    }
    const backlog = 300;
    await worker.pause();
    await queue.addBulk(Array.from({ length: backlog }, () => ({ name: 'noop', data: {} })));
    const drained = new Promise<void>((resolve) => worker.once('drained', () => resolve()));
    const t = performance.now();
    worker.resume();
    await drained;
    return { processor: kind, 'round trip ms (median of 30)': median(roundTripsMs), [`ms/job through a backlog of ${backlog}`]: (performance.now() - t) / backlog };
  } finally {
    await worker.close();
    await events.close();
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

export async function benchQueue(args: string[]): Promise<Row[] | { tables: { title: string; rows: Row[] }[] }> {
  const { flags } = parseArgs(args);
  const s: Settings = {
    limit: intFlag(flags, 'limit', 1) ?? 24,
    photosPerJob: intFlag(flags, 'photos-per-job', 1) ?? 3,
    threads: intFlag(flags, 'threads', 1) ?? 1,
    refine: choiceFlag(flags, 'refine', ['crf', 'guided', 'none'] as const) ?? SEGMENT_DEFAULTS.refine,
    model: flags.get('model'),
  };
  const workerCounts = (flags.get('workers') ?? '1,2,4').split(',').map(Number);
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`--workers must be a list of integers ≥ 1, got "${flags.get('workers')}"`);
  if (!existsSync(COCO_DEV_IMAGES)) {
    process.stderr.write(`SKIPPED queue benchmark: ${COCO_DEV_IMAGES} is absent (see ../shared/data/README.md)\n`);
    return [{ skipped: `${COCO_DEV_IMAGES} is absent` }];
  }
  const binary = findRedisServer();
  if (!binary) {
    process.stderr.write('SKIPPED queue benchmark: the binary redis-server is missing; install it with npm run setup -- --test (apt-get install redis-server)\n');
    return [{ skipped: 'redis-server is missing' }];
  }
  const redis = await startLocalRedis(binary);
  try {
    const overhead = [await noopOverhead(redis.url, 'in-process'), await noopOverhead(redis.url, 'sandboxed')];
    const runs: Row[] = [];
    for (const [i, w] of workerCounts.entries()) runs.push(await queuedRun(`${redis.url}/${i + 1}`, w, s));
    const model = path.basename(resolveModelManifest(s.model), '.json');
    return {
      tables: [
        { title: `queue: ${s.limit} coco-dev photos, model ${model}, refine ${s.refine}, ${s.photosPerJob} photos per job, ${s.threads} onnxruntime thread(s) per worker, local redis-server`, rows: runs },
        { title: 'queue overhead per job (no-op jobs, local redis-server)', rows: overhead },
      ],
    };
  } finally {
    await redis.stop();
  }
}
