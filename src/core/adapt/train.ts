// Seeded mini-batch training of the adaptation head on cached per-patch tokens: softmax
// cross-entropy with an ignore label and optional class weights, Adam with decoupled weight decay
// (AdamW), cosine learning-rate decay, per-epoch progress and cooperative cancellation. Method.md §6.
//
// Determinism: the seed fixes the initial weights and every epoch's shuffle (one mulberry32
// stream); the arithmetic is plain float64 in a fixed order, so a seed gives identical heads.
// Patches whose target is IGNORE_TARGET (255) never enter a batch, so their tokens cannot matter.
import { AdamW } from '../optim/adam';
import { mulberry32, type Rng } from '../random';
import {
  checkClasses, forwardRows, forwardScratch, headLayout, initialParams,
  type ForwardScratch, type HeadClasses, type HeadKind, type HeadLayout, type HeadShape, type InputStats, type PatchHead,
} from './head';
import { denseGradInput, denseGradParams } from './dense';

export const IGNORE_TARGET = 255;

export interface TrainingImage {
  /** [patchCount, tokenDim] row-major. */
  tokensRowMajor: Float32Array;
  /** Class index per patch, IGNORE_TARGET for none. */
  targets: Uint8Array;
}

export interface EpochProgress {
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** Mean (class-weighted) cross-entropy over the epoch's batches, before each batch's update. */
  loss: number;
  /** Fraction of the epoch's samples whose argmax was their target (before the update). */
  accuracy: number;
  ms: number;
}

export interface TrainOptions {
  kind: HeadKind;
  /** MLP hidden units (ignored by the linear head). */
  hiddenDim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Decoupled (AdamW) decay of the weights, not the biases. */
  weightDecay: number;
  seed: number;
  schedule: 'cosine' | 'constant';
  /** [classCount] loss weight per class; all 1 when absent. */
  classWeights?: ArrayLike<number>;
  /** Input standardisation; computed from the training patches when absent. */
  inputStats?: InputStats;
  onEpoch?: (progress: EpochProgress) => void;
  /** Polled before every batch; true stops training with the parameters reached so far. */
  shouldStop?: () => boolean;
  /** After every batch (1-based `batch` of `batches` in 1-based `epoch`): progress within long epochs. */
  onBatch?: (batch: number, batches: number, epoch: number) => void;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  kind: 'mlp', hiddenDim: 128, epochs: 10, batchSize: 256, learningRate: 1e-3, weightDecay: 1e-4, seed: 0, schedule: 'cosine',
};

export interface TrainResult {
  head: PatchHead;
  /** Completed epochs only. */
  history: EpochProgress[];
  /** shouldStop() ended training early (the head holds the parameters reached mid-epoch). */
  stopped: boolean;
  /** Training patches (targets other than IGNORE_TARGET). */
  sampleCount: number;
}

/** Mean and 1/std per channel over token rows; the variance floor keeps near-constant channels tame. */
export function inputStatistics(tokenSets: readonly Float32Array[], tokenDim: number, rowsOf?: readonly (ArrayLike<number> | null)[]): InputStats {
  const sum = new Float64Array(tokenDim), sq = new Float64Array(tokenDim);
  let n = 0;
  tokenSets.forEach((tokens, s) => {
    const rows = rowsOf?.[s] ?? null;
    const count = rows ? rows.length : tokens.length / tokenDim;
    for (let r = 0; r < count; r++) {
      const o = (rows ? rows[r] : r) * tokenDim;
      for (let d = 0; d < tokenDim; d++) {
        sum[d] += tokens[o + d];
        sq[d] += tokens[o + d] * tokens[o + d];
      }
    }
    n += count;
  });
  const mean = new Float32Array(tokenDim), variance = new Float64Array(tokenDim);
  for (let d = 0; d < tokenDim; d++) {
    mean[d] = n ? sum[d] / n : 0;
    variance[d] = n ? Math.max(sq[d] / n - (sum[d] / n) ** 2, 0) : 1;
  }
  const floor = 1e-3 * (variance.reduce((a, b) => a + b, 0) / tokenDim) + 1e-12;
  return { mean, invStd: Float32Array.from(variance, (v) => 1 / Math.sqrt(v + floor)) };
}

/** Weights ∝ (1 / frequency)^power over the training patches, mean 1 over present classes; absent classes 0. */
export function balancedClassWeights(images: readonly TrainingImage[], classCount: number, power = 0.5): Float32Array {
  const counts = new Float64Array(classCount);
  for (const im of images) for (const t of im.targets) if (t < classCount) counts[t]++;
  const raw = Float64Array.from(counts, (c) => (c > 0 ? c ** -power : 0));
  const present = counts.filter((c) => c > 0).length;
  const mean = raw.reduce((a, b) => a + b, 0) / Math.max(present, 1);
  return Float32Array.from(raw, (w) => (mean > 0 ? w / mean : 0));
}

export interface BatchLoss {
  /** Σ w_y·(−log p_y) over the batch. */
  lossSum: number;
  /** Σ w_y over the batch (the loss is lossSum / weightSum). */
  weightSum: number;
  correct: number;
}

/**
 * Forward + backward of one batch already standardised in scratch.inputs: adds the gradient of the
 * mean weighted cross-entropy (Σ w_y·CE / Σ w_y) to `grad`. Targets ≥ classCount must not occur.
 */
export function lossAndGradient(
  params: Float64Array, layout: HeadLayout, scratch: ForwardScratch, targets: ArrayLike<number>, rows: number,
  classWeights: ArrayLike<number> | null, grad: Float64Array, dHidden?: Float64Array,
): BatchLoss {
  forwardRows(params, layout, rows, scratch);
  const out = layout.layers[layout.layers.length - 1];
  const classes = out.outDim;
  const g = scratch.logits; // becomes dLoss/dLogits in place
  let lossSum = 0, weightSum = 0, correct = 0;
  for (let r = 0; r < rows; r++) weightSum += classWeights ? classWeights[targets[r]] : 1;
  const scale = weightSum > 0 ? 1 / weightSum : 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes, y = targets[r];
    let max = -Infinity, arg = 0;
    for (let c = 0; c < classes; c++) {
      if (g[o + c] > max) {
        max = g[o + c];
        arg = c;
      }
    }
    if (arg === y) correct++;
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(g[o + c] - max);
    const w = classWeights ? classWeights[y] : 1;
    lossSum += w * (Math.log(sum) + max - g[o + y]);
    for (let c = 0; c < classes; c++) g[o + c] = (w * scale * Math.exp(g[o + c] - max)) / sum;
    g[o + y] -= w * scale;
  }
  backward(params, layout, scratch, rows, grad, dHidden);
  return { lossSum, weightSum, correct };
}

function backward(params: Float64Array, layout: HeadLayout, scratch: ForwardScratch, rows: number, grad: Float64Array, dHidden?: Float64Array): void {
  const [first, second] = layout.layers;
  if (!second) {
    denseGradParams(scratch.inputs, scratch.logits, rows, first, grad);
    return;
  }
  denseGradParams(scratch.hidden, scratch.logits, rows, second, grad);
  const dh = dHidden ?? new Float64Array(rows * first.outDim);
  denseGradInput(scratch.logits, rows, params, second, dh);
  for (let i = 0; i < rows * first.outDim; i++) if (scratch.hidden[i] <= 0) dh[i] = 0;
  denseGradParams(scratch.inputs, dh, rows, first, grad);
}

/** Non-ignored patches as (image, patch) pairs, in image order: sample s is (imageOf[s], patchOf[s]). */
export interface TrainingSamples {
  imageOf: Int32Array;
  patchOf: Int32Array;
}

export function collectSamples(images: readonly TrainingImage[], tokenDim: number, classCount: number): TrainingSamples {
  const imageOf: number[] = [], patchOf: number[] = [];
  images.forEach((im, i) => {
    if (im.tokensRowMajor.length !== im.targets.length * tokenDim) throw new Error(`image ${i}: ${im.targets.length} targets for ${im.tokensRowMajor.length / tokenDim} tokens`);
    im.targets.forEach((t, p) => {
      if (t === IGNORE_TARGET) return;
      if (t >= classCount) throw new Error(`image ${i} patch ${p}: target ${t} outside [0, ${classCount})`);
      imageOf.push(i);
      patchOf.push(p);
    });
  });
  return { imageOf: Int32Array.from(imageOf), patchOf: Int32Array.from(patchOf) };
}

/** Fisher-Yates over sample indices; every trainer draws the same stream so a seed gives the same batches. */
export function shuffleInPlace(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/** Everything a trainer derives from its inputs before the first step; shared by the CPU and WebGPU trainers. */
export interface TrainingPlan {
  opts: TrainOptions;
  shape: HeadShape;
  samples: TrainingSamples;
  input: InputStats;
  /** Batches per epoch. */
  batches: number;
  /** Optimiser steps over the whole run (the cosine schedule's length). */
  totalSteps: number;
}

export function planTraining(images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions>): TrainingPlan {
  const opts: TrainOptions = { ...TRAIN_DEFAULTS, ...options };
  const classCount = classes.names.length;
  checkClasses(classes, classCount);
  const shape: HeadShape = { kind: opts.kind, tokenDim, hiddenDim: opts.kind === 'mlp' ? opts.hiddenDim : 0, classCount };
  if (opts.classWeights && opts.classWeights.length !== classCount) throw new Error(`${opts.classWeights.length} class weights for ${classCount} classes`);
  const samples = collectSamples(images, tokenDim, classCount);
  if (!samples.imageOf.length) throw new Error(`no training patches: every target is void (${IGNORE_TARGET})`);
  const input = opts.inputStats ?? sampleStatistics(images, samples, tokenDim);
  const batches = Math.ceil(samples.imageOf.length / opts.batchSize);
  return { opts, shape, samples, input, batches, totalSteps: Math.max(batches * opts.epochs, 1) };
}

/** The shuffle stream: seeded apart from the initial weights' stream. */
export function sampleOrderRng(seed: number): Rng {
  return mulberry32(seed ^ 0x5eed);
}

/** Learning rate of 0-based optimiser step `step` (cosine: from the base rate down towards 0 at totalSteps). */
export function learningRateAt(opts: Pick<TrainOptions, 'learningRate' | 'schedule'>, step: number, totalSteps: number): number {
  return opts.schedule === 'cosine' ? opts.learningRate * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)) : opts.learningRate;
}

export { ADAM } from '../optim/adam';

/** The trained head: a copy of the classes, the inputs' statistics and Float32 parameters. */
export function trainedHead(shape: HeadShape, classes: HeadClasses, input: InputStats, params: ArrayLike<number>): PatchHead {
  return { shape, classes: { names: [...classes.names], thingCount: classes.thingCount }, input, params: Float32Array.from(params) };
}

interface Trainer {
  shape: HeadShape;
  layout: HeadLayout;
  params: Float64Array;
  grad: Float64Array;
  adam: AdamW;
  scratch: ForwardScratch;
  dHidden: Float64Array;
  batchTargets: Uint8Array;
}

function makeTrainer(shape: HeadShape, opts: TrainOptions): Trainer {
  const layout = headLayout(shape);
  const decays = new Uint8Array(layout.paramCount);
  for (const s of layout.layers) decays.fill(1, s.wOff, s.wOff + s.inDim * s.outDim);
  const n = layout.paramCount;
  return {
    shape, layout, params: initialParams(shape, opts.seed), grad: new Float64Array(n), adam: new AdamW(n, decays),
    scratch: forwardScratch(shape, opts.batchSize), dHidden: new Float64Array(opts.batchSize * shape.hiddenDim), batchTargets: new Uint8Array(opts.batchSize),
  };
}

/** Gathers and standardises the batch's token rows and targets. */
function loadBatch(t: Trainer, images: readonly TrainingImage[], samples: TrainingSamples, order: Int32Array, start: number, count: number, input: InputStats): void {
  const dim = t.shape.tokenDim;
  const x = t.scratch.inputs;
  for (let r = 0; r < count; r++) {
    const s = order[start + r];
    const image = images[samples.imageOf[s]];
    const p = samples.patchOf[s];
    const src = image.tokensRowMajor, so = p * dim, dst = r * dim;
    for (let d = 0; d < dim; d++) x[dst + d] = (src[so + d] - input.mean[d]) * input.invStd[d];
    t.batchTargets[r] = image.targets[p];
  }
}

/**
 * The training loop as a generator: yields each epoch's progress, returns the result. trainHead
 * drains it; trainHeadAsync awaits a macrotask between epochs so a worker can receive a cancel.
 */
export function* trainSteps(images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions> = {}): Generator<EpochProgress, TrainResult> {
  const { opts, shape, samples, input, batches, totalSteps } = planTraining(images, tokenDim, classes, options);
  const t = makeTrainer(shape, opts);
  const rng = sampleOrderRng(opts.seed);
  const order = Int32Array.from({ length: samples.imageOf.length }, (_, i) => i);
  const history: EpochProgress[] = [];
  let stopped = false;
  for (let epoch = 1; epoch <= opts.epochs && !stopped; epoch++) {
    const started = performance.now();
    shuffleInPlace(order, rng);
    let lossSum = 0, weightSum = 0, correct = 0, seen = 0;
    for (let b = 0; b < batches; b++) {
      if (opts.shouldStop?.()) {
        stopped = true;
        break;
      }
      const start = b * opts.batchSize, count = Math.min(opts.batchSize, order.length - start);
      loadBatch(t, images, samples, order, start, count, input);
      t.grad.fill(0);
      const r = lossAndGradient(t.params, t.layout, t.scratch, t.batchTargets, count, opts.classWeights ?? null, t.grad, t.dHidden);
      t.adam.update(t.params, t.grad, learningRateAt(opts, t.adam.step, totalSteps), opts.weightDecay);
      lossSum += r.lossSum;
      weightSum += r.weightSum;
      correct += r.correct;
      seen += count;
      opts.onBatch?.(b + 1, batches, epoch);
    }
    if (stopped) break; // a partial epoch is not reported
    const progress = { epoch, epochs: opts.epochs, loss: weightSum > 0 ? lossSum / weightSum : 0, accuracy: seen ? correct / seen : 0, ms: performance.now() - started };
    history.push(progress);
    opts.onEpoch?.(progress);
    yield progress;
  }
  return { head: trainedHead(shape, classes, input, t.params), history, stopped, sampleCount: order.length };
}

/** Input statistics over the training samples only (ignored patches do not shift them). */
export function sampleStatistics(images: readonly TrainingImage[], samples: TrainingSamples, tokenDim: number): InputStats {
  const rows: number[][] = images.map(() => []);
  samples.imageOf.forEach((im, s) => rows[im].push(samples.patchOf[s]));
  return inputStatistics(images.map((im) => im.tokensRowMajor), tokenDim, rows);
}

/** Trains synchronously (in a worker, or in Node). */
export function trainHead(images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions> = {}): TrainResult {
  const steps = trainSteps(images, tokenDim, classes, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Trains with a macrotask between epochs, so messages (a cancel) are handled while it runs. */
export async function trainHeadAsync(images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions> = {}): Promise<TrainResult> {
  const steps = trainSteps(images, tokenDim, classes, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }
}
