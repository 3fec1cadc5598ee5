// STEGO's training on a session's frozen patch tokens (method.md §4, STEGO's train_segmentation):
// each step samples points of a batch of photos, pairs every photo with itself, with one of its
// nearest photos and with random photos, and moves the head so code correlations follow feature
// correlations (correlation-loss.ts). A generator, so callers can report progress and stop.
import { AdamW } from '../optim/adam';
import { mulberry32, type Rng } from '../random';
import { initialStegoParams, type StegoHeadShape } from './head';
import { globalFeatures, nearestImages } from './knn';
import { fitProjection, projectTokens, type TokenProjection } from './projection';
import { emptyPlan, planStep, type StepPlan } from './sampling';
import { allocStepShared, combineShards, inTurn, STEP_PHASES, STEP_SHARDS, StepShard, type ShardRunner, type ShardSettings, type StepShared } from './step-shards';

export interface PairTerms<T> {
  intra: T;
  knn: T;
  random: T;
}

export interface StegoTrainOptions {
  steps: number;
  batchSize: number;
  /** Points sampled per photo for each pair (STEGO: 11 × 11 = 121). */
  pointsPerImage: number;
  /** Random-partner permutations per step (STEGO: 5). */
  negatives: number;
  /** Nearest photos a positive partner is drawn from (STEGO: 7). */
  neighbours: number;
  projectionDim: number;
  /** Hidden units of the nonlinear branch; STEGO uses the input width. */
  hiddenDim: number;
  codeDim: number;
  learningRate: number;
  /** Channel dropout on the head's inputs (STEGO: Dropout2d 0.1). */
  dropout: number;
  weights: PairTerms<number>;
  shifts: PairTerms<number>;
  seed: number;
  /** Steps between progress reports. */
  reportEvery: number;
}

export interface StegoProgress {
  step: number;
  totalSteps: number;
  /** Weighted total, and each pair kind's weighted part, averaged over the report's steps. */
  loss: number;
  parts: PairTerms<number>;
  msPerStep: number;
}

export interface StegoModel {
  projection: TokenProjection;
  shape: StegoHeadShape;
  params: Float32Array;
  /** Steps actually taken (fewer than asked when stopped). */
  steps: number;
  history: StegoProgress[];
}

/** Per-photo inputs: projected rows and their unit-length copies, [cells, projectionDim]. */
export interface PhotoRows {
  x: Float32Array;
  unit: Float32Array;
  cells: number;
}

/** A photo's training inputs; a tenth of its tokens' size, so large sessions keep only these. */
export function photoRows(projection: TokenProjection, tokens: Float32Array): PhotoRows {
  const cells = tokens.length / projection.tokenDim;
  const d = projection.outDim;
  const x = projectTokens(projection, tokens, cells);
  const unit = new Float32Array(x.length);
  for (let i = 0; i < cells; i++) {
    let sq = 0;
    for (let j = 0; j < d; j++) sq += x[i * d + j] ** 2;
    const inv = 1 / (Math.sqrt(sq) || 1);
    for (let j = 0; j < d; j++) unit[i * d + j] = x[i * d + j] * inv;
  }
  return { x: Float32Array.from(x), unit, cells };
}

/** A run's step state: its plan, the arrays the shards share, and who runs the shards. */
interface StepBuffers {
  plan: StepPlan;
  shared: StepShared;
  runner: ShardRunner;
  grad: Float64Array;
}

/**
 * Runs the step's shards on threads: given the run's settings and its shared arrays (allocated
 * with `alloc`), returns a runner that runs every shard of a phase (src/batch/stego-threads.ts).
 */
export interface ParallelShards {
  alloc: (bytes: number) => ArrayBufferLike;
  runner: (settings: ShardSettings, shape: StegoHeadShape, shared: StepShared) => ShardRunner;
}

function makeBuffers(opts: StegoTrainOptions, shape: StegoHeadShape, params: Float64Array, parallel?: ParallelShards): StepBuffers {
  const shared = allocStepShared(opts, shape, parallel?.alloc);
  shared.params.set(params);
  const runner = parallel ? parallel.runner(opts, shape, shared) : inTurn(Array.from({ length: STEP_SHARDS }, (_, i) => new StepShard(opts, shape, shared, i)));
  return { plan: emptyPlan(opts), shared, runner, grad: new Float64Array(params.length) };
}

/** Loads the plan's rows: the head's input through each row's dropout mask, and the unit features. */
function loadRows(buf: StepBuffers, photos: readonly PhotoRows[], d: number): void {
  const { plan } = buf;
  const { x, features } = buf.shared;
  for (let r = 0; r < plan.rows; r++) {
    const photo = photos[plan.photo[r]], src = plan.cell[r] * d, dst = r * d, mask = plan.mask[r] * d;
    for (let j = 0; j < d; j++) {
      x[dst + j] = photo.x[src + j] * plan.masks[mask + j];
      features[dst + j] = photo.unit[src + j];
    }
  }
}

/** One optimisation step (step-shards.ts: its phases); returns each pair kind's weighted loss. */
function trainStep(photos: readonly PhotoRows[], knn: Int32Array[], opts: StegoTrainOptions, adam: AdamW, buf: StepBuffers, rng: Rng): PairTerms<number> {
  const g = planStep(photos, knn, opts, rng, buf.plan);
  loadRows(buf, photos, opts.projectionDim);
  for (const phase of STEP_PHASES) buf.runner.phase(phase, g);
  const terms = combineShards(opts, buf.shared, g, buf.grad);
  adam.update(buf.shared.params, buf.grad, opts.learningRate);
  return terms;
}

/**
 * Sessions smaller than this keep k-means (the app and the batch run alike): STEGO's pairs need
 * photos to pair with (7 nearest neighbours and random others); on fewer the loss mostly sees a
 * photo against itself.
 */
export const STEGO_MIN_PHOTOS = 8;

/**
 * STEGO's COCO-Stuff-27 ViT-S pair weights (method.md §4), laptop-sized sampling, and settings
 * measured on the default model (coco-stuff-10 / coco-dev mIoU, seed 0 then 1; README), since STEGO
 * tunes shifts per backbone: random-pair shift 0.45 (0.05, 0.16, 0.30, 0.60, 0.80 gave coco-dev
 * 6.9, 8.1, 9.8, 10.0, 10.2 against 10.4 with self/KNN shifts 0.08/0.02), self/KNN shifts 0 / −0.02
 * (14.0 / 10.9 and 12.6 / 11.2 against 0.08 / 0.02's 12.9 / 10.4 and 11.9 / 9.8; −0.08 / −0.05 gave
 * 12.6 / 10.5), and a learning rate of 2e-3 (5e-4 had not converged in 400 steps; 800 steps, or
 * STEGO's batch of 16 × 121 points with 5 random partners, gave no more).
 */
export const STEGO_DEFAULTS: StegoTrainOptions = {
  steps: 400,
  batchSize: 8,
  pointsPerImage: 64,
  negatives: 2,
  neighbours: 7,
  projectionDim: 64,
  hiddenDim: 64,
  codeDim: 70,
  learningRate: 2e-3,
  dropout: 0.1,
  weights: { intra: 0.67, knn: 0.25, random: 0.63 },
  shifts: { intra: 0, knn: -0.02, random: 0.45 },
  seed: 0,
  reportEvery: 10,
};

/**
 * Trains on the photos' tokens ([cells_i, tokenDim] row-major each), yielding progress every
 * reportEvery steps; resuming with false stops early and returns the head trained so far.
 */
export function* stegoTrainingSteps(tokenSets: readonly Float32Array[], tokenDim: number, options: Partial<StegoTrainOptions> = {}): Generator<StegoProgress, StegoModel, boolean | undefined> {
  const { projection, photos } = projectSession(tokenSets, tokenDim, options);
  return yield* stegoTrainingOnRows(projection, photos, options);
}

/** The projection fitted on the photos' tokens and their projected rows: what either trainer trains on. */
export function projectSession(tokenSets: readonly Float32Array[], tokenDim: number, options: Partial<StegoTrainOptions> = {}): { projection: TokenProjection; photos: PhotoRows[] } {
  if (!tokenSets.length) throw new Error('STEGO needs at least one photo');
  const seed = options.seed ?? STEGO_DEFAULTS.seed;
  const projection = fitProjection(tokenSets, tokenDim, { outDim: options.projectionDim ?? STEGO_DEFAULTS.projectionDim, seed });
  return { projection, photos: tokenSets.map((t) => photoRows(projection, t)) };
}

/** What both trainers start from: settings, head shape, each photo's nearest photos, initial parameters, the step generator. */
export interface StegoRun {
  opts: StegoTrainOptions;
  shape: StegoHeadShape;
  knn: Int32Array[];
  params: Float64Array;
  rng: Rng;
}

export function prepareStegoRun(projection: TokenProjection, photos: readonly PhotoRows[], options: Partial<StegoTrainOptions> = {}): StegoRun {
  const opts: StegoTrainOptions = { ...STEGO_DEFAULTS, ...options, projectionDim: projection.outDim };
  if (!photos.length) throw new Error('STEGO needs at least one photo');
  const shape: StegoHeadShape = { inDim: projection.outDim, hiddenDim: opts.hiddenDim || projection.outDim, codeDim: opts.codeDim };
  const global = globalFeatures(photos.map((p) => Float64Array.from(p.x)), projection.outDim);
  const knn = nearestImages(global, photos.length, projection.outDim, opts.neighbours);
  return { opts, shape, knn, params: initialStegoParams(shape, opts.seed), rng: mulberry32(opts.seed + 1) };
}

/** Sums the steps' pair losses between reports and turns them into the report (both trainers). */
export class StegoLossMeter {
  private sum: PairTerms<number> = { intra: 0, knn: 0, random: 0 };
  private since = 0;
  private started = performance.now();
  readonly history: StegoProgress[] = [];

  constructor(private readonly opts: StegoTrainOptions) {}

  add(t: PairTerms<number>): void {
    this.sum = { intra: this.sum.intra + t.intra, knn: this.sum.knn + t.knn, random: this.sum.random + t.random };
    this.since++;
  }

  /** A report is due after every reportEvery steps and after the last. */
  due(step: number): boolean {
    return step % this.opts.reportEvery === 0 || step === this.opts.steps;
  }

  report(step: number): StegoProgress {
    const n = this.since;
    const parts = { intra: this.sum.intra / n, knn: this.sum.knn / n, random: this.sum.random / n };
    const progress: StegoProgress = { step, totalSteps: this.opts.steps, loss: parts.intra + parts.knn + parts.random, parts, msPerStep: (performance.now() - this.started) / n };
    this.history.push(progress);
    this.sum = { intra: 0, knn: 0, random: 0 };
    this.since = 0;
    this.started = performance.now();
    return progress;
  }
}

/**
 * The same, on photos already projected (a batch run projects them as it reads them); `parallel`
 * runs each step's shards on threads, with the same result bit for bit.
 */
export function* stegoTrainingOnRows(projection: TokenProjection, photos: readonly PhotoRows[], options: Partial<StegoTrainOptions> = {}, parallel?: ParallelShards): Generator<StegoProgress, StegoModel, boolean | undefined> {
  const { opts, shape, knn, params, rng } = prepareStegoRun(projection, photos, options);
  const adam = new AdamW(params.length);
  const buf = makeBuffers(opts, shape, params, parallel);
  const meter = new StegoLossMeter(opts);
  let step = 0;
  try {
    while (step < opts.steps) {
      meter.add(trainStep(photos, knn, opts, adam, buf, rng));
      step++;
      if (!meter.due(step)) continue;
      if ((yield meter.report(step)) === false) break;
    }
  } finally {
    buf.runner.close();
  }
  return { projection, shape, params: Float32Array.from(buf.shared.params), steps: step, history: meter.history };
}

/** Runs a training generator to the end (tests, Node). */
export function drainStego(it: Generator<StegoProgress, StegoModel, boolean | undefined>, onProgress?: (p: StegoProgress) => void): StegoModel {
  for (let r = it.next(); ; r = it.next(true)) {
    if (r.done) return r.value;
    onProgress?.(r.value);
  }
}

/** Trains to the end on the photos' tokens (tests, the evaluation). */
export function trainStego(tokenSets: readonly Float32Array[], tokenDim: number, options: Partial<StegoTrainOptions> = {}, onProgress?: (p: StegoProgress) => void): StegoModel {
  return drainStego(stegoTrainingSteps(tokenSets, tokenDim, options), onProgress);
}
