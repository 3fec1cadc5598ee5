// What travels through the batch job queue (BullMQ on Redis): one flow per run, a finalize job
// (phase 2, method.md §3–§5) whose children are the shard jobs (phase 1 on a slice of photos).
import type { SemanticChoice } from '../semantic-head';
import os from 'node:os';
import path from 'node:path';
import type { JobsOptions } from 'bullmq';
import type { InstanceFeatureKind } from '../cache';
import type { RefineMethod } from '../../core/pipeline/refine';
import type { ProposalMode } from '../../core/pipeline/image-pass';
import { DEFAULT_INSTANCE_FEATURE } from '../cache';
import type { SegmentOptions } from '../segment';
import type { ProgressSink } from '../progress';

/** Shard jobs and finalize jobs live in two queues so the status lists runs without reading every shard. */
export const SHARD_QUEUE = 'u2seg-shards';
export const FINALIZE_QUEUE = 'u2seg-finalize';

export const DEFAULT_PHOTOS_PER_JOB = 20;
export const DEFAULT_ATTEMPTS = 3;
/** First retry delay; BullMQ doubles it per attempt. */
export const RETRY_BACKOFF_MS = 10_000;

/** The settings of a run that every machine must share (SegmentOptions less the machine-local ones). */
export interface RunSettings {
  /** Model id (each worker resolves it in its own public/models) or an absolute manifest path. */
  model?: string;
  refine: RefineMethod;
  thingK?: number;
  stuffK: number;
  maxSidePx: number;
  seed: number;
  maxMasks: number;
  tau?: number;
  instanceFeature: InstanceFeatureKind;
  proposals?: ProposalMode;
  tokensPerImage?: number;
  semantic?: SemanticChoice;
  stegoSteps?: number;
}

interface RunPlace {
  runId: string;
  /** Absolute paths, the same on every machine (a shared file system). */
  folder: string;
  outDir: string;
  settings: RunSettings;
  /** Of the cache settings (cache.ts): a worker whose model or settings differ refuses the job. */
  configFingerprint: string;
}

export interface ShardJobData extends RunPlace {
  /** 0-based shard number and the run's shard count. */
  index: number;
  count: number;
  /** Photo keys (paths relative to folder), in key order. */
  keys: string[];
}

export interface FinalizeJobData extends RunPlace {
  photos: number;
  shards: number;
  photosPerJob: number;
  modelId: string;
  enqueuedAt: string;
  enqueuedBy: string;
}

export interface ShardResult {
  keys: string[];
  /** Photos this attempt computed; photos already cached (e.g. by a killed attempt) are skipped. */
  processed: string[];
  skipped: string[];
  failed: { key: string; error: string }[];
  worker: string;
  /** BullMQ's attemptsStarted and stalledCounter when it finished: > 1 / > 0 means it was retaken. */
  attempt: number;
  stalled: number;
  ms: number;
}

export interface FinalizeResult {
  images: number;
  instances: number;
  thingK: number;
  stuffK: number;
  reused: boolean;
  worker: string;
  ms: number;
}

export interface ShardProgress {
  done: number;
  total: number;
  failed: number;
}

/** Settings a worker process hands its sandboxed child (processor.ts) through the environment. */
export const WORKER_ENV = { threads: 'U2SEG_WORKER_THREADS', name: 'U2SEG_WORKER_NAME', quiet: 'U2SEG_WORKER_QUIET' } as const;

/** Who runs a job: stored by BullMQ on the job (processedBy) and shown by the status. */
export function workerName(): string {
  return `${os.hostname()}:${process.pid}`;
}

/** Sortable and unique enough across machines enqueuing at once. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export const shardJobId = (runId: string, index: number) => `${runId}-shard-${index}`;
export const finalizeJobId = (runId: string) => `${runId}-finalize`;

export function jobOptions(attempts: number): JobsOptions {
  return { attempts, backoff: { type: 'exponential', delay: RETRY_BACKOFF_MS } };
}

/** A model given as a path is made absolute, so every machine (same mount points) finds it. */
export function runSettings(opts: SegmentOptions): RunSettings {
  const model = opts.model && (opts.model.endsWith('.json') || opts.model.includes('/') || opts.model.includes(path.sep)) ? path.resolve(opts.model) : opts.model;
  const { refine, thingK, stuffK, maxSidePx, seed, maxMasks, tau, tokensPerImage, semantic, stegoSteps, proposals } = opts;
  return {
    model, refine, thingK, stuffK, maxSidePx, seed, maxMasks, tau, tokensPerImage, semantic, stegoSteps, instanceFeature: opts.instanceFeature ?? DEFAULT_INSTANCE_FEATURE,
    ...(proposals && proposals !== 'reference' ? { proposals } : {}),
  };
}

/** The single-process options a job's run stands for, with this machine's thread count. */
export function segmentOptionsOf(data: RunPlace, threads: number | undefined, progress: ProgressSink | null): SegmentOptions {
  return { ...data.settings, folder: data.folder, outDir: data.outDir, threads, progress };
}
