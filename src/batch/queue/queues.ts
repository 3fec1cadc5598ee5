// The two BullMQ queues of the batch job queue (shards: phase 1, finalize: phase 2 of method.md),
// opened together, with the counts that say whether any work is left.
import { Queue, type Job, type JobState } from 'bullmq';
import { FINALIZE_QUEUE, SHARD_QUEUE, type FinalizeJobData, type FinalizeResult, type ShardJobData, type ShardResult } from './jobs';
import type { RedisTarget } from './redis-url';

/** Job states that still need a worker (BullMQ 6 keeps a paused queue's jobs in 'waiting'). */
export const UNFINISHED_STATES: JobState[] = ['waiting-children', 'waiting', 'active', 'delayed', 'prioritized'];
export const ALL_STATES: JobState[] = [...UNFINISHED_STATES, 'completed', 'failed'];

export interface QueuePair {
  shards: Queue;
  finalize: Queue;
  close(): Promise<void>;
}

export function openQueues(target: RedisTarget, onError: (err: Error) => void): QueuePair {
  const shards = new Queue(SHARD_QUEUE, { connection: target.options });
  const finalize = new Queue(FINALIZE_QUEUE, { connection: target.options });
  shards.on('error', onError);
  finalize.on('error', onError);
  return { shards, finalize, close: async () => void (await Promise.all([shards.close(), finalize.close()])) };
}

// BullMQ stores data and return values as JSON; these say what this project puts there.
export const shardData = (job: Job): ShardJobData => job.data as ShardJobData;
export const finalizeData = (job: Job): FinalizeJobData => job.data as FinalizeJobData;
export const shardResult = (job: Job): ShardResult | undefined => (job.returnvalue ?? undefined) as ShardResult | undefined;
export const finalizeResult = (job: Job): FinalizeResult | undefined => (job.returnvalue ?? undefined) as FinalizeResult | undefined;

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Jobs of both queues that are not yet completed or failed. */
export async function unfinishedJobs(queues: QueuePair): Promise<number> {
  const [a, b] = await Promise.all([queues.shards.getJobCounts(...UNFINISHED_STATES), queues.finalize.getJobCounts(...UNFINISHED_STATES)]);
  return sum(a) + sum(b);
}

/** Jobs of both queues in any state (0: nothing was ever enqueued here, or it was all removed). */
export async function allJobs(queues: QueuePair): Promise<number> {
  const [a, b] = await Promise.all([queues.shards.getJobCounts(...ALL_STATES), queues.finalize.getJobCounts(...ALL_STATES)]);
  return sum(a) + sum(b);
}
