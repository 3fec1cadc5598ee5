// A batch U2Seg run over a folder of photos (method.md §1–§5): phase 1 per photo of this shard
// into the resumable cache, then phase 2 (finalize) once the cache covers the whole folder.
//
// Several machines by hand: give each the same folder and flags with --shard i/n and its own --out;
// copy every <out>/cache/entries/* (and failed/*) into one <out>/cache beside one config.json (all
// shards write the same one), then `npm run segment -- --out <out> --finalize`. The job queue
// (./queue/) runs the same phase 1 and phase 2 functions on any number of machines for you.
import os from 'node:os';
import type { ProposalMode } from '../core/pipeline/image-pass';
import { PROPOSAL_DEFAULTS, PROPOSAL_STAGE_REVISION } from '../core/pipeline/instance-proposals';
import type { RefineMethod } from '../core/pipeline/refine';
import type { BackboneSession } from '../runtime/backbone-session';
import { denseCrfWasmModule, setDenseCrfWasm } from '../core/pipeline/dense-crf';
import { loadDenseCrfWasm } from '../runtime/dense-crf-wasm-node';
import { openNodeBackbone, readManifest } from '../runtime/ort-node';
import { cacheDir, configFingerprint, ensurePassConfig, hasEntry, listFailures, recordFailure, writeEntry, CACHE_VERSION, DEFAULT_INSTANCE_FEATURE, type InstanceFeatureKind, type PassConfig } from './cache';
import { finalize, type FinalizeOptions, type FinalizeSummary } from './finalize';
import type { SemanticChoice } from './semantic-head';
import { IMAGE_EXTENSIONS, listImages, selectShard, type ImageFile, type Shard } from './image-list';
import { processImageFile } from './image-stage';
import { resolveModelManifest } from './model-path';
import { runPhase1Pool } from './phase1-pool';
import { ProgressBar, type ProgressSink } from './progress';

export interface SegmentOptions {
  /** Photo folder; optional with finalizeOnly (phase 2 reads only the cache). */
  folder?: string;
  outDir: string;
  /** Model id in public/models or manifest path; the index's default when absent. */
  model?: string;
  shard?: Shard;
  refine: RefineMethod;
  thingK?: number;
  stuffK: number;
  maxSidePx: number;
  seed: number;
  maxMasks: number;
  /** MaskCut τ; the model manifest's when absent. */
  tau?: number;
  /** The proposal stage: CutLER's MaskCut ('reference', the default when absent) or the multi-view stage. */
  proposals?: ProposalMode;
  /** Each instance's clustering feature (method.md §3); DEFAULT_INSTANCE_FEATURE when absent. */
  instanceFeature?: InstanceFeatureKind;
  /** onnxruntime threads in all (default: every core); shared by the jobs. */
  threads?: number;
  /** Photos processed at once in phase 1, each on a worker thread (default: defaultJobs()). */
  jobs?: number;
  /** Only the first N photos of the sorted folder (before sharding). */
  limit?: number;
  /** Patch tokens per photo for the stuff clusters (default: a total budget, see finalize.ts). */
  tokensPerImage?: number;
  finalizeOnly?: boolean;
  /** Stuff clusters from STEGO's head ('auto': from STEGO_MIN_PHOTOS photos) or k-means on the tokens. */
  semantic?: SemanticChoice;
  stegoSteps?: number;
  /** The dense CRF's engine: 'wasm' (default; TypeScript when it cannot load) or 'ts' (same labels, slower: benchmarks' old path). */
  denseCrf?: 'wasm' | 'ts';
  /** Where progress and notes go; null for silence. */
  progress: ProgressSink | null;
}

export const SEGMENT_DEFAULTS = { refine: 'crf', stuffK: 27, maxSidePx: 1024, seed: 0, maxMasks: 3 } as const;

/** The proposal stage a run uses when none is given (README: measured on coco-dev). */
export const DEFAULT_PROPOSALS: ProposalMode = 'reference';

/** Masks per photo when --max-masks is not given: MaskCut's N, or the most proposals the multi-view stage keeps. */
export function defaultMaxMasks(proposals: ProposalMode): number {
  return proposals === 'multi' ? PROPOSAL_DEFAULTS.maxProposals : SEGMENT_DEFAULTS.maxMasks;
}

export interface SegmentSummary {
  /** Photos in the folder (after --limit). */
  listed: number;
  /** Photos in this shard. */
  selected: number;
  processed: number;
  /** Already cached (resume). */
  skipped: number;
  failed: { key: string; error: string }[];
  /** Every listed photo has a cache entry or a failure record. */
  complete: boolean;
  finalized: FinalizeSummary | null;
  /** Wall clock of phase 1 (model loading and every photo of this run), ms. */
  phase1Ms?: number;
}

/** The cache settings of a run and the backbone manifest they name (the queue's workers check theirs against it). */
export async function passConfigFor(opts: Pick<SegmentOptions, 'model' | 'maxSidePx' | 'refine' | 'tau' | 'maxMasks' | 'instanceFeature' | 'proposals'>): Promise<{ config: PassConfig; manifestPath: string }> {
  const manifestPath = resolveModelManifest(opts.model);
  const manifest = await readManifest(manifestPath);
  const config: PassConfig = {
    version: CACHE_VERSION,
    modelId: manifest.id,
    modelSha256: manifest.sha256,
    maxSidePx: opts.maxSidePx,
    refine: opts.refine,
    tau: opts.tau ?? manifest.tau,
    maxMasks: opts.maxMasks,
    instanceFeature: opts.instanceFeature ?? DEFAULT_INSTANCE_FEATURE,
    ...(manifest.shiftAverage ? { shiftAverageStepPx: manifest.shiftAverage.stepPx } : {}),
    ...(manifest.shiftAverage?.pattern === 'diagonal' ? { shiftPattern: 'diagonal' as const } : {}),
    // Only the new stage is named, so reference caches made before the option stay valid.
    ...(opts.proposals && opts.proposals !== 'reference' ? { proposals: opts.proposals, proposalsRevision: PROPOSAL_STAGE_REVISION } : {}),
  };
  return { config, manifestPath };
}

/** How the job queue runs phase 1 on a shard (src/batch/queue/processor.ts). */
export interface Phase1Hooks {
  /** A backbone kept open across shards; opened and released here when absent. */
  session?: BackboneSession;
  /** After each photo is written (error absent) or recorded as failed. */
  onPhoto?: (key: string, error?: string) => Promise<void> | void;
}

/**
 * Photos at once in phase 1 by default: one per core, at most 4 (each holds a backbone session).
 * On 2 cores two photos at once finish a folder faster than one photo on both cores, because
 * MaskCut and the CRF use one core (README "Throughput: every core busy").
 */
export function defaultJobs(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/** Phase 1 on the photos of `todo` that have no cache entry yet. */
export async function runPhase1(
  opts: Pick<SegmentOptions, 'outDir' | 'threads' | 'jobs' | 'denseCrf' | 'progress'>, todo: ImageFile[], config: PassConfig, manifestPath: string, hooks: Phase1Hooks = {},
) {
  const dir = cacheDir(opts.outDir);
  const pending = todo.filter((f) => !hasEntry(dir, f.key));
  const bar = new ProgressBar(pending.length, opts.progress);
  const failed: { key: string; error: string }[] = [];
  if (!pending.length) return { processed: 0, failed };
  const fingerprint = configFingerprint(config);
  const jobs = Math.min(opts.jobs ?? defaultJobs(), pending.length);
  if (jobs > 1 && !hooks.session) {
    try {
      await runPhase1Pool(pending, {
        jobs, threads: opts.threads ?? os.availableParallelism(), manifestPath, cacheDir: dir, denseCrf: denseCrfWasmModule() ? 'wasm' : 'ts',
        stage: { ...config, configFingerprint: fingerprint },
        onPhoto: async (key, { timingsMs, error }) => {
          if (error) {
            failed.push({ key, error });
            bar.note(`skipped ${key}: ${error}`);
          }
          bar.tick(timingsMs);
          await hooks.onPhoto?.(key, error);
        },
      });
    } finally {
      bar.finish();
    }
    return { processed: pending.length - failed.length, failed };
  }
  let session: BackboneSession | null = hooks.session ?? null;
  try {
    session ??= await openNodeBackbone(manifestPath, opts.threads);
    for (const file of pending) {
      let error: string | undefined;
      try {
        const entry = await processImageFile(session, file.key, file.absPath, { ...config, configFingerprint: fingerprint });
        await writeEntry(dir, entry);
        bar.tick({ ...entry.meta.timingsMs });
      } catch (err) {
        error = (err as Error).message;
        await recordFailure(dir, file.key, error);
        failed.push({ key: file.key, error });
        bar.note(`skipped ${file.key}: ${error}`);
        bar.tick();
      }
      await hooks.onPhoto?.(file.key, error);
    }
  } finally {
    bar.finish();
    if (!hooks.session) await session?.release();
  }
  return { processed: pending.length - failed.length, failed };
}

/** Phase 2's settings from a run's (the queue's finalize job uses the same). */
export function phase2Options(opts: Pick<SegmentOptions, 'outDir' | 'thingK' | 'stuffK' | 'seed' | 'tokensPerImage' | 'progress' | 'semantic' | 'stegoSteps' | 'jobs'>): FinalizeOptions {
  const { outDir, thingK, stuffK, seed, tokensPerImage, progress, semantic, stegoSteps } = opts;
  // Phase 2 labels as many photos at once as phase 1 ran.
  const jobs = opts.jobs ?? defaultJobs();
  return { outDir, thingK, stuffK, seed, tokensPerImage, progress, semantic, jobs, ...(stegoSteps ? { stego: { steps: stegoSteps } } : {}) };
}

/** The run's photos in key order (after --limit), the output folder left out; throws when there are none. */
export async function listRunPhotos(opts: Pick<SegmentOptions, 'folder' | 'outDir' | 'limit'>): Promise<ImageFile[]> {
  if (!opts.folder) throw new Error('a photo folder is needed (or --finalize to cluster an existing cache)');
  let all = await listImages(opts.folder, [opts.outDir]);
  if (opts.limit !== undefined) all = all.slice(0, opts.limit);
  if (!all.length) throw new Error(`no photos (${IMAGE_EXTENSIONS.join(' ')}) under ${opts.folder}`);
  return all;
}

/** Phase 1 for this shard, then phase 2 when the cache covers the folder (or only phase 2 with finalizeOnly). */
export async function runSegment(opts: SegmentOptions): Promise<SegmentSummary> {
  const dir = cacheDir(opts.outDir);
  const note = (s: string) => opts.progress?.write(`${s}\n`);
  if (opts.denseCrf === 'ts') setDenseCrfWasm(null);
  else await loadDenseCrfWasm({ log: (s) => (opts.progress ? note(s) : process.stderr.write(`${s}\n`)) });
  if (opts.finalizeOnly) {
    const finalized = await finalize({ ...phase2Options(opts) });
    return { listed: finalized.images, selected: 0, processed: 0, skipped: 0, failed: [], complete: true, finalized };
  }
  const all = await listRunPhotos(opts);
  const todo = opts.shard ? selectShard(all, opts.shard) : all;
  const { config, manifestPath } = await passConfigFor(opts);
  await ensurePassConfig(dir, config);
  const skipped = todo.filter((f) => hasEntry(dir, f.key)).length;
  if (skipped) note(`resuming: ${skipped} of ${todo.length} photos already cached`);
  const t0 = performance.now();
  const { processed, failed } = await runPhase1(opts, todo, config, manifestPath);
  const phase1Ms = performance.now() - t0;
  note(`phase 1: ${processed} processed, ${skipped} already cached, ${failed.length} failed of ${todo.length}${opts.shard ? ` (shard ${opts.shard.index}/${opts.shard.count})` : ''}`);
  const failedKeys = new Set((await listFailures(dir)).map((f) => f.key));
  const cached = all.filter((f) => hasEntry(dir, f.key));
  const complete = all.every((f) => hasEntry(dir, f.key) || failedKeys.has(f.key));
  const summary: SegmentSummary = { listed: all.length, selected: todo.length, processed, skipped, failed, complete, finalized: null, phase1Ms };
  if (!complete) {
    note(`cache holds ${cached.length} of ${all.length} photos; when every shard is done (and their caches merged), run with --finalize`);
    return summary;
  }
  if (!cached.length) throw new Error('no photo could be processed');
  summary.finalized = await finalize({ ...phase2Options(opts), keys: cached.map((f) => f.key), skipIfCurrent: true });
  if (summary.finalized.reused) note(`phase 2: outputs in ${opts.outDir} are current (same photos and settings); not recomputed`);
  return summary;
}
