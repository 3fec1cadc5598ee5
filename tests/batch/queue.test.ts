// The job queue end to end: redis-server on a free loopback port, `npm run segment` enqueuing 30
// photos, three worker processes of which one is SIGKILLed mid-shard; every photo is done once,
// the killed shard is retaken, ONE finalize runs, and the outputs equal the single-process run's.
import { existsSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cacheDir } from '../../src/batch/cache';
import { startLocalRedis, type LocalRedis } from '../../src/batch/queue/local-redis';
import type { ShardJobData, ShardProgress } from '../../src/batch/queue/jobs';
import { finalizeData, finalizeResult, openQueues, shardData, shardResult, type QueuePair } from '../../src/batch/queue/queues';
import { parseRedisUrl } from '../../src/batch/queue/redis-url';
import { collectStatus } from '../../src/batch/queue/status';
import { runSegment, SEGMENT_DEFAULTS } from '../../src/batch/segment';
import { buildTinyModel, removeTempDirs, tempDir } from './fixtures';
import { describeWithRedis, groupAlive, killGroup, queuePhotoFolder, redisBinary, spawnSegment, usesCocoDev, waitFor, type CliProcess } from './queue-fixtures';

const PHOTOS = 30;
const PHOTOS_PER_JOB = 5;
// Short, so the killed shard is retaken within seconds; long enough that a busy machine is unlikely
// to miss a lock renewal (due every 1.5 s) and make a live worker look dead.
const STALL_SECONDS = 3;
/** Labels at ≤ 320 px keep the test fast; outputs are still written at each photo's size. */
const STEGO_STEPS = 20;
const MAX_SIDE_PX = 320;
/** Every file under dir (relative paths), the cache left out. */
function outputFiles(dir: string, sub = ''): string[] {
  return readdirSync(path.join(dir, sub), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(sub, e.name);
    if (rel === 'cache') return [];
    return e.isDirectory() ? outputFiles(dir, rel) : [rel];
  }).sort();
}

/** A COCO JSON without its creation date, the one field two identical runs write differently. */
function withoutDate(file: string): unknown {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { info: Record<string, unknown> };
  delete json.info.date_created;
  return json;
}

describeWithRedis('npm run segment on a job queue (BullMQ, redis-server)', () => {
  let redis: LocalRedis;
  let model: string;
  let photos: string;
  let single: string;
  const spawned: CliProcess[] = [];
  const opened: QueuePair[] = [];
  const queuesAt = (url: string) => {
    const q = openQueues(parseRedisUrl(url), () => undefined);
    opened.push(q);
    return q;
  };
  const segment = (args: string[]) => {
    const p = spawnSegment(args);
    spawned.push(p);
    return p;
  };
  // A short STEGO training in phase 2, so the semantic head's outputs are compared too.
  const runFlags = () => ['--model', model, '--refine', 'none', '--max-side', String(MAX_SIDE_PX), '--stego-steps', String(STEGO_STEPS)];

  beforeAll(async () => {
    redis = await startLocalRedis(redisBinary as string);
    model = await buildTinyModel();
    photos = queuePhotoFolder(PHOTOS);
    console.info(`queue test on ${usesCocoDev() ? 'coco-dev' : 'generated'} photos, redis-server pid ${redis.pid} on port ${redis.port}`);
    single = tempDir('queue-single');
    const summary = await runSegment({ ...SEGMENT_DEFAULTS, folder: photos, outDir: single, model, refine: 'none', maxSidePx: MAX_SIDE_PX, stegoSteps: STEGO_STEPS, threads: 1, progress: null });
    expect(summary).toMatchObject({ processed: PHOTOS, complete: true });
  }, 120_000);

  afterAll(async () => {
    for (const p of spawned) if (p.child.pid) killGroup(p.child.pid);
    await Promise.all(opened.map((q) => q.close()));
    await redis?.stop();
    removeTempDirs();
  });

  it('runs 30 photos on three workers, one SIGKILLed mid-shard: each photo once, one finalize, outputs as the single-process run', async () => {
    const out = tempDir('queue-out');
    const enqueue = segment([photos, '--out', out, '--queue', redis.url, '--photos-per-job', String(PHOTOS_PER_JOB), ...runFlags()]);
    expect(await enqueue.exited, enqueue.output()).toBe(0);
    const runId = /enqueued run (\S+): 30 photos in 6 shard job\(s\)/.exec(enqueue.output())?.[1];
    expect(runId, enqueue.output()).toBeTruthy();

    const workers = [0, 1, 2].map(() => segment(['--worker', redis.url, '--threads', '1', '--stall-seconds', String(STALL_SECONDS)]));
    const queues = queuesAt(redis.url);
    // The victim: a worker that has written at least one photo of its shard and has two or more left.
    const victimJob = await waitFor('a shard in progress', 90_000, async () => (await queues.shards.getActive()).find((j) => {
      const p = j.progress as ShardProgress | number;
      return typeof p === 'object' && p.done >= 1 && p.done <= p.total - 2 && workers.some((w) => w.name === j.processedBy);
    }));
    const victim = workers.find((w) => w.name === victimJob.processedBy) as CliProcess;
    const running = await collectStatus(queues, redis.url);
    expect(running.text).toMatch(new RegExp(`running: shard \\d/6 on ${victim.name}, \\d/5 photos`));
    // Only the worker process: its sandboxed child must notice and stop by itself.
    process.kill(victim.child.pid as number, 'SIGKILL');
    const doneAtKill = (victimJob.progress as ShardProgress).done;
    const killedShard = shardData(victimJob).index;
    await waitFor('the killed worker\'s sandboxed child to exit', 20_000, () => !groupAlive(victim.child.pid as number));

    const survivors = workers.filter((w) => w !== victim);
    for (const w of survivors) expect(await w.exited, w.output()).toBe(0);

    // Shards: all completed, the killed one retaken by a survivor after a stall, skipping what the victim wrote.
    const shards = (await queues.shards.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])).filter((j) => shardData(j).runId === runId);
    expect(shards.length).toBe(6);
    for (const j of shards) expect(await j.getState()).toBe('completed');
    const results = shards.map((j) => ({ data: shardData(j) as ShardJobData, result: shardResult(j), job: j }));
    const retaken = results.find((r) => r.data.index === killedShard);
    expect(retaken?.job.stalledCounter).toBeGreaterThanOrEqual(1);
    expect(retaken?.result?.worker).not.toBe(victim.name);
    expect(survivors.map((w) => w.name)).toContain(retaken?.job.processedBy);
    expect(retaken?.result?.skipped.length).toBeGreaterThanOrEqual(doneAtKill);
    const allKeys: string[] = [];
    for (const { data, result } of results) {
      expect(result).toBeDefined();
      expect(result?.failed).toEqual([]);
      expect([...(result?.processed ?? []), ...(result?.skipped ?? [])].sort()).toEqual(data.keys);
      if (data.index !== killedShard) expect(result?.skipped).toEqual([]);
      allKeys.push(...data.keys);
    }
    // Each photo in exactly one shard, computed once (by the victim before the kill, or by the last attempt).
    expect(allKeys.sort()).toEqual(readdirSync(photos).sort());
    const computedByLastAttempts = results.reduce((s, r) => s + (r.result?.processed.length ?? 0), 0);
    expect(computedByLastAttempts + (retaken?.result?.skipped.length ?? 0)).toBe(PHOTOS);
    const entries = readdirSync(path.join(cacheDir(out), 'entries'));
    expect(entries.filter((f) => f.endsWith('.json')).length).toBe(PHOTOS);
    expect(entries.filter((f) => f.endsWith('.bin')).length).toBe(PHOTOS);
    expect(existsSync(path.join(cacheDir(out), 'failed'))).toBe(false);

    // ONE finalize, after the last shard, on a survivor.
    const finals = (await queues.finalize.getJobs(['completed', 'failed', 'active', 'waiting', 'waiting-children', 'delayed'])).filter((j) => finalizeData(j).runId === runId);
    expect(finals.length).toBe(1);
    expect(await finals[0].getState()).toBe('completed');
    expect(finals[0].attemptsStarted).toBe(1);
    expect(finalizeResult(finals[0])).toMatchObject({ images: PHOTOS, reused: false });
    expect(finals[0].processedOn).toBeGreaterThanOrEqual(Math.max(...shards.map((j) => j.finishedOn ?? Infinity)));
    const finalizeLogs = survivors.map((w) => (w.output().match(/finalize run \S+: \d+ photos/g) ?? []).length);
    expect(finalizeLogs.reduce((a, b) => a + b, 0)).toBe(1);

    // The outputs equal the single-process run's: byte for byte, except the COCO files' creation date.
    expect(outputFiles(out)).toEqual(outputFiles(single));
    for (const f of outputFiles(single)) {
      if (f === 'instances.json' || f === path.join('annotations', 'panoptic_pseudo.json')) {
        expect(withoutDate(path.join(out, f)), f).toEqual(withoutDate(path.join(single, f)));
      } else {
        expect(readFileSync(path.join(out, f)).equals(readFileSync(path.join(single, f))), f).toBe(true);
      }
    }
    for (const f of readdirSync(path.join(cacheDir(single), 'entries')).filter((n) => n.endsWith('.bin'))) {
      expect(readFileSync(path.join(cacheDir(out), 'entries', f)).equals(readFileSync(path.join(cacheDir(single), 'entries', f))), f).toBe(true);
    }
    expect(readFileSync(path.join(cacheDir(out), 'config.json'), 'utf8')).toBe(readFileSync(path.join(cacheDir(single), 'config.json'), 'utf8'));

    const status = await collectStatus(queues, redis.url);
    expect(status.text).toContain(`run ${runId}: ${photos} → ${out}, 30 photos in 6 shard(s) of ≤ 5, model tiny-vit`);
    expect(status.text).toContain('shards: 6 done, 0 running, 0 waiting, 0 failed; photos: 30 of 30 done');
    expect(status.text).toMatch(/retaken: 1 completed shard\(s\) needed more than one attempt/);
    expect(status.text).toMatch(/finalize: done on \S+ in \d+ s: 30 photos/);
    const stalledLog = survivors.some((w) => /stalled \(its worker stopped renewing its lock\)/.test(w.output()));
    const retakeLog = survivors.some((w) => new RegExp(`shard ${killedShard + 1}/6 of run \\S+: 5 photos, \\d already cached \\(attempt \\d, retaken after 1 stall`).test(w.output()));
    expect([stalledLog, retakeLog], survivors.map((w) => w.output()).join('\n')).toEqual([true, true]);
  }, 240_000);

  it('fails a shard whose photos a worker cannot see, fails the run\'s finalize, and says why in the status', async () => {
    const url = `${redis.url}/1`;
    const folder = queuePhotoFolder(3);
    const out = tempDir('queue-failing');
    const enqueue = segment([folder, '--out', out, '--queue', url, '--attempts', '1', ...runFlags()]);
    expect(await enqueue.exited, enqueue.output()).toBe(0);
    renameSync(folder, `${folder}-moved`);
    const worker = segment(['--worker', url, '--threads', '1', '--stall-seconds', String(STALL_SECONDS)]);
    try {
      expect(await worker.exited, worker.output()).toBe(0);
    } finally {
      renameSync(`${folder}-moved`, folder); // back where removeTempDirs looks
    }
    expect(worker.output()).toMatch(/shard 1\/1 of run \S+ failed for good: the photo folder .* is not visible on this machine/);
    const status = await collectStatus(queuesAt(url), url);
    expect(status.text).toMatch(/shards: 0 done, 0 running, 0 waiting, 1 failed/);
    expect(status.text).toMatch(new RegExp(`failed: shard 1/1 after 1 attempt\\(s\\) \\(last on ${worker.name}\\): the photo folder .* is not visible on this machine`));
    expect(status.text).toMatch(/finalize: failed: /);
    expect(status.text).toMatch(/1 run\(s\), 0 unfinished, 1 failed/);
    // Nothing is left to do on this queue: a late worker says so and leaves.
    const late = segment(['--worker', url]);
    expect(await late.exited).toBe(0);
    expect(late.output()).toContain('nothing to do: every run in the queue');
    expect(statSync(path.join(cacheDir(out), 'config.json')).isFile()).toBe(true);
  }, 120_000);
});
