// `npm run segment -- <folder> --out <dir> --queue redis://…`: puts one run on the job queue as a
// BullMQ flow, the finalize job (phase 2) waiting on one shard job (phase 1) per slice of photos.
import path from 'node:path';
import { FlowProducer } from 'bullmq';
import { cacheDir, configFingerprint, ensurePassConfig } from '../cache';
import { listRunPhotos, passConfigFor, type SegmentOptions } from '../segment';
import { finalizeJobId, jobOptions, newRunId, runSettings, shardJobId, workerName, FINALIZE_QUEUE, SHARD_QUEUE, type FinalizeJobData, type ShardJobData } from './jobs';
import { finalizeData, openQueues, UNFINISHED_STATES, type QueuePair } from './queues';
import { checkRedisReachable, type RedisTarget } from './redis-url';

export interface EnqueueOptions {
  photosPerJob: number;
  /** Tries per job before it counts as failed (a stalled job's retake is not one of them). */
  attempts: number;
}

export interface EnqueueSummary {
  runId: string;
  photos: number;
  shards: number;
  folder: string;
  outDir: string;
}

/** Runs of the queue not yet finished that write into outDir. */
export async function unfinishedRunsFor(queues: QueuePair, outDir: string): Promise<string[]> {
  const jobs = await queues.finalize.getJobs([...UNFINISHED_STATES]);
  return jobs.map(finalizeData).filter((d) => d.outDir === outDir).map((d) => d.runId);
}

export async function enqueueRun(target: RedisTarget, opts: SegmentOptions, queueOpts: EnqueueOptions): Promise<EnqueueSummary> {
  if (!opts.folder) throw new Error('a photo folder is needed to enqueue a run');
  const folder = path.resolve(opts.folder);
  const outDir = path.resolve(opts.outDir);
  const photos = await listRunPhotos({ ...opts, folder, outDir });
  const { config } = await passConfigFor(opts);
  await checkRedisReachable(target);
  const logError = (err: Error) => opts.progress?.write(`redis: ${err.message}\n`);
  const queues = openQueues(target, logError);
  const flow = new FlowProducer({ connection: target.options });
  flow.on('error', logError);
  try {
    const busy = await unfinishedRunsFor(queues, outDir);
    if (busy.length) {
      throw new Error(`run ${busy.join(', ')} writing into ${outDir} is still in the queue; watch it with --queue ${target.display} --status, or use another --out`);
    }
    // Written before any job exists, so every worker finds the run's settings in the shared cache.
    await ensurePassConfig(cacheDir(outDir), config);
    const runId = newRunId();
    const size = queueOpts.photosPerJob;
    const count = Math.ceil(photos.length / size);
    const settings = runSettings(opts);
    // Without --model every worker would take its own index's default; the run names the model it was enqueued with.
    settings.model ??= config.modelId;
    const place = { runId, folder, outDir, settings, configFingerprint: configFingerprint(config) };
    const children = Array.from({ length: count }, (_, index) => {
      const data: ShardJobData = { ...place, index, count, keys: photos.slice(index * size, (index + 1) * size).map((p) => p.key) };
      // A shard that fails every attempt fails the run's finalize too, so phase 2 never runs on a partial cache.
      const jobOpts = { ...jobOptions(queueOpts.attempts), jobId: shardJobId(runId, index), failParentOnFailure: true };
      return { name: 'shard', queueName: SHARD_QUEUE, data, opts: jobOpts };
    });
    const data: FinalizeJobData = {
      ...place, photos: photos.length, shards: count, photosPerJob: size, modelId: config.modelId, enqueuedAt: new Date().toISOString(), enqueuedBy: workerName(),
    };
    await flow.add({ name: 'finalize', queueName: FINALIZE_QUEUE, data, opts: { ...jobOptions(queueOpts.attempts), jobId: finalizeJobId(runId) }, children });
    return { runId, photos: photos.length, shards: count, folder, outDir };
  } finally {
    await flow.close();
    await queues.close();
  }
}
