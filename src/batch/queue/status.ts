// `npm run segment -- --queue redis://… --status`: what the batch job queue is doing, per run:
// shards done, running (where, how far), waiting, failed (with reasons), retaken, and finalize.
import type { Job } from 'bullmq';
import { finalizeData, finalizeResult, openQueues, shardData, UNFINISHED_STATES, type QueuePair } from './queues';
import type { ShardProgress, ShardResult } from './jobs';
import { checkRedisReachable, type RedisTarget } from './redis-url';

/** Older finished runs are counted, not listed. */
const RUNS_SHOWN = 10;

export interface RunStatus {
  runId: string;
  state: string;
  photos: number;
  shards: { total: number; done: number; running: number; waiting: number; failed: number; retaken: number };
  lines: string[];
}

export interface QueueStatus {
  runs: RunStatus[];
  text: string;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

function progressOf(job: Job): ShardProgress | null {
  const p = job.progress as Partial<ShardProgress> | number;
  return typeof p === 'object' && p && typeof p.done === 'number' && typeof p.total === 'number' ? { done: p.done, total: p.total, failed: p.failed ?? 0 } : null;
}

function retakeNote(attempts: number, stalls: number): string {
  if (attempts <= 1 && !stalls) return '';
  return `, attempt ${attempts}${stalls ? ` after ${stalls} stall(s)` : ''}`;
}

async function runStatus(parent: Job, running: Job[], failed: Job[], delayed: Job[], now: number): Promise<RunStatus> {
  const d = finalizeData(parent);
  const state = await parent.getState();
  const values = Object.values(await parent.getChildrenValues<ShardResult>());
  const mine = (jobs: Job[]) => jobs.filter((j) => shardData(j).runId === d.runId);
  const [run, fail, delay] = [mine(running), mine(failed), mine(delayed)];
  const done = values.length;
  const retaken = values.filter((v) => v.attempt > 1 || v.stalled > 0).length;
  const shards = { total: d.shards, done, running: run.length, failed: fail.length, waiting: Math.max(0, d.shards - done - run.length - fail.length), retaken };
  const lines = [`run ${d.runId}: ${d.folder} → ${d.outDir}, ${d.photos} photos in ${d.shards} shard(s) of ≤ ${d.photosPerJob}, model ${d.modelId}, enqueued ${d.enqueuedAt} by ${d.enqueuedBy}`];
  const photosDone = values.reduce((s, v) => s + v.keys.length, 0) + run.reduce((s, j) => s + (progressOf(j)?.done ?? 0), 0);
  const photoFailures = values.reduce((s, v) => s + v.failed.length, 0);
  lines.push(`  shards: ${done} done, ${shards.running} running, ${shards.waiting} waiting${delay.length ? ` (${delay.length} delayed for a retry)` : ''}, ${shards.failed} failed; ` +
    `photos: ${photosDone} of ${d.photos} done${photoFailures ? `, ${photoFailures} could not be decoded` : ''}`);
  for (const j of run) {
    const s = shardData(j);
    const p = progressOf(j);
    const since = j.processedOn ? ` for ${seconds(now - j.processedOn)}` : '';
    lines.push(`  running: shard ${s.index + 1}/${s.count} on ${j.processedBy ?? '?'}, ${p ? `${p.done}/${p.total}` : `0/${s.keys.length}`} photos${since}${retakeNote(j.attemptsStarted, j.stalledCounter)}`);
  }
  for (const j of fail) {
    const s = shardData(j);
    lines.push(`  failed: shard ${s.index + 1}/${s.count} after ${j.attemptsMade} attempt(s) (last on ${j.processedBy ?? '?'}): ${j.failedReason}`);
  }
  for (const j of delay) {
    const s = shardData(j);
    lines.push(`  retrying: shard ${s.index + 1}/${s.count} after ${j.attemptsMade} failed attempt(s): ${j.failedReason}`);
  }
  if (retaken) lines.push(`  retaken: ${retaken} completed shard(s) needed more than one attempt (a stall or an error)`);
  lines.push(`  finalize: ${finalizeLine(parent, state, shards.total - done, now)}`);
  return { runId: d.runId, state, photos: d.photos, shards, lines };
}

function finalizeLine(parent: Job, state: string, shardsLeft: number, now: number): string {
  const r = finalizeResult(parent);
  switch (state) {
    case 'waiting-children': return `waits for ${shardsLeft} shard(s)`;
    case 'waiting': case 'prioritized': return 'ready, waiting for a worker';
    case 'active': return `running on ${parent.processedBy ?? '?'}${parent.processedOn ? ` for ${seconds(now - parent.processedOn)}` : ''}${retakeNote(parent.attemptsStarted, parent.stalledCounter)}`;
    case 'delayed': return `retrying after ${parent.attemptsMade} failed attempt(s): ${parent.failedReason}`;
    case 'completed': return r
      ? `done on ${r.worker} in ${seconds(r.ms)}: ${r.images} photos, ${r.instances} instances, ${r.thingK} thing + ${r.stuffK} stuff clusters${r.reused ? ' (outputs were current)' : ''}`
      : 'done';
    case 'failed': return `failed: ${parent.failedReason}`;
    default: return state;
  }
}

const byRunId = (a: Job, b: Job) => (finalizeData(a).runId < finalizeData(b).runId ? -1 : 1);

/** Every unfinished run and the last RUNS_SHOWN finished ones, oldest first. */
export async function collectStatus(queues: QueuePair, display: string, now = Date.now()): Promise<QueueStatus> {
  const [unfinished, completed, failedRuns] = await Promise.all([
    queues.finalize.getJobs(UNFINISHED_STATES), queues.finalize.getJobs(['completed']), queues.finalize.getJobs(['failed']),
  ]);
  const finished = [...completed, ...failedRuns].sort(byRunId);
  const shownFinished = finished.slice(-RUNS_SHOWN);
  const [running, failed, delayed] = await Promise.all([queues.shards.getActive(), queues.shards.getFailed(), queues.shards.getDelayed()]);
  const runs: RunStatus[] = [];
  for (const parent of [...shownFinished, ...unfinished].sort(byRunId)) runs.push(await runStatus(parent, running, failed, delayed, now));
  const total = unfinished.length + finished.length;
  const head = total
    ? `queue ${display}: ${total} run(s), ${unfinished.length} unfinished, ${failedRuns.length} failed`
    : `queue ${display}: no runs (enqueue one with npm run segment -- <folder> --out <dir> --queue ${display})`;
  const older = finished.length - shownFinished.length;
  const text = [head, ...(older ? [`(${older} older finished run(s) not shown)`] : []), ...runs.flatMap((r) => r.lines)].join('\n');
  return { runs, text };
}

export async function queueStatus(target: RedisTarget): Promise<QueueStatus> {
  await checkRedisReachable(target);
  const queues = openQueues(target, () => undefined);
  try {
    return await collectStatus(queues, target.display);
  } finally {
    await queues.close();
  }
}
