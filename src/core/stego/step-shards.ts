// One STEGO training step (method.md §4) cut into two shards, which one thread runs in turn or two
// threads run at once: a shard forwards and backpropagates half of the step's rows and scores the
// pairs of half of its anchors. Where shards' sums meet (a kind's correlation mean, its loss, the
// parameter gradient) they are added in shard order, so the step's bits do not depend on threads.
import { PairScratch, correlationLossSums, pairFeatureCorrelations, type PairBatch } from './correlation-loss';
import { StegoHeadPass, stegoHeadLayout, type StegoHeadShape } from './head';
import type { PairTerms } from './train';

export const STEP_SHARDS = 2;
const KINDS = ['intra', 'knn', 'random'] as const;
type Kind = (typeof KINDS)[number];

/** What a shard needs of the run's settings. */
export interface ShardSettings {
  batchSize: number;
  pointsPerImage: number;
  negatives: number;
  projectionDim: number;
  codeDim: number;
  weights: PairTerms<number>;
  shifts: PairTerms<number>;
}

/** The step's arrays every shard reads or writes: on SharedArrayBuffers where shards run on threads. */
export interface StepShared {
  /** [maxRows, projectionDim]: the head's inputs (through the rows' dropout masks) and the unit features. */
  x: Float64Array;
  features: Float64Array;
  /** [maxRows, codeDim]. */
  codes: Float64Array;
  dCodes: Float64Array;
  params: Float64Array;
  /** [STEP_SHARDS, paramCount]: each shard's parameter gradient. */
  grads: Float64Array;
  /** [STEP_SHARDS, kind, 2]: each shard's correlation sum and loss sum per pair kind. */
  sums: Float64Array;
}

/** The step's rows and random-partner permutations (StepPlan's rows and negatives). */
export interface StepGeometry {
  rows: number;
  negatives: number;
}

export type StepPhase = 'correlate' | 'score' | 'backprop';
export const STEP_PHASES: readonly StepPhase[] = ['correlate', 'score', 'backprop'];

export function maxStepRows(o: ShardSettings): number {
  return (2 + o.negatives) * o.batchSize * o.pointsPerImage;
}

/** The shared arrays of a run, in one buffer from `alloc` (a SharedArrayBuffer for threads). */
export function allocStepShared(o: ShardSettings, shape: StegoHeadShape, alloc: (bytes: number) => ArrayBufferLike = (n) => new ArrayBuffer(n)): StepShared {
  const rows = maxStepRows(o), paramCount = stegoHeadLayout(shape).paramCount;
  const sizes = { x: rows * o.projectionDim, features: rows * o.projectionDim, codes: rows * o.codeDim, dCodes: rows * o.codeDim, params: paramCount, grads: STEP_SHARDS * paramCount, sums: STEP_SHARDS * KINDS.length * 2 };
  const buffer = alloc(8 * Object.values(sizes).reduce((a, b) => a + b, 0));
  let at = 0;
  const take = (n: number) => {
    const a = new Float64Array(buffer, at * 8, n);
    at += n;
    return a;
  };
  return { x: take(sizes.x), features: take(sizes.features), codes: take(sizes.codes), dCodes: take(sizes.dCodes), params: take(sizes.params), grads: take(sizes.grads), sums: take(sizes.sums) };
}

/** Where a shard's correlation sum (which 0) or loss sum (which 1) of a pair kind lies in `sums`. */
function sumIndex(shard: number, kind: Kind, which: 0 | 1): number {
  return (shard * KINDS.length + KINDS.indexOf(kind)) * 2 + which;
}

/** A shard's half of [0, n): the first shard takes the smaller half. */
function half(n: number, shard: number): [number, number] {
  const cut = Math.floor(n / STEP_SHARDS);
  return shard === 0 ? [0, cut] : [cut, n];
}

/** The pairs of a kind whose anchor lies in the shard's half of the batch, in the whole batch's order. */
function shardPairs(kind: Kind, o: ShardSettings, negatives: number, shard: number): { first: Int32Array; second: Int32Array; all: number } {
  const b = o.batchSize, s = o.pointsPerImage;
  const [a0, a1] = half(b, shard);
  const first: number[] = [], second: number[] = [];
  const blocks = kind === 'random' ? negatives : 1;
  for (let k = 0; k < blocks; k++) {
    for (let i = a0; i < a1; i++) {
      first.push(i * s);
      second.push(kind === 'intra' ? i * s : kind === 'knn' ? (b + i) * s : ((2 + k) * b + i) * s);
    }
  }
  return { first: Int32Array.from(first), second: Int32Array.from(second), all: blocks * b };
}

/** One shard's work in a step, in three phases; every shard finishes a phase before any starts the next. */
export class StepShard {
  private readonly head: StegoHeadPass;
  private readonly scratch: Record<Kind, PairScratch>;
  private readonly paramCount: number;

  constructor(private readonly o: ShardSettings, shape: StegoHeadShape, private readonly shared: StepShared, readonly shard: number) {
    this.head = new StegoHeadPass(shape, maxStepRows(o) - half(maxStepRows(o), 0)[1]);
    const pairs = Math.max(1, o.negatives) * o.batchSize;
    this.scratch = { intra: new PairScratch(o.pointsPerImage, o.codeDim, pairs), knn: new PairScratch(o.pointsPerImage, o.codeDim, pairs), random: new PairScratch(o.pointsPerImage, o.codeDim, pairs) };
    this.paramCount = stegoHeadLayout(shape).paramCount;
  }

  run(phase: StepPhase, g: StepGeometry): void {
    if (phase === 'correlate') this.correlate(g);
    else if (phase === 'score') this.score(g);
    else this.backprop(g);
  }

  private batch(kind: Kind, g: StepGeometry): { batch: PairBatch; all: number } {
    const { first, second, all } = shardPairs(kind, this.o, g.negatives, this.shard);
    const { features, codes } = this.shared;
    return { batch: { features, codes, featDim: this.o.projectionDim, codeDim: this.o.codeDim, points: this.o.pointsPerImage, firstRows: first, secondRows: second }, all };
  }

  private kinds(g: StepGeometry): Kind[] {
    return g.negatives > 0 ? [...KINDS] : ['intra', 'knn'];
  }

  /** Codes of the shard's rows; centred feature correlations of its pairs and their sums. */
  private correlate(g: StepGeometry): void {
    const [r0, r1] = half(g.rows, this.shard);
    const { x, codes, dCodes, params, sums } = this.shared;
    const d = this.o.projectionDim, k = this.o.codeDim;
    codes.set(this.head.forward(params, x.subarray(r0 * d, r1 * d), r1 - r0).subarray(0, (r1 - r0) * k), r0 * k);
    dCodes.fill(0, r0 * k, r1 * k);
    for (const kind of KINDS) sums[sumIndex(this.shard, kind, 0)] = 0;
    for (const kind of this.kinds(g)) sums[sumIndex(this.shard, kind, 0)] = pairFeatureCorrelations(this.batch(kind, g).batch, this.scratch[kind]);
  }

  /** Loss sums of the shard's pairs and their gradient on the codes (each row is written by one shard only). */
  private score(g: StepGeometry): void {
    const { sums, dCodes } = this.shared;
    const s2 = this.o.pointsPerImage ** 2;
    for (const kind of KINDS) sums[sumIndex(this.shard, kind, 1)] = 0;
    for (const kind of this.kinds(g)) {
      const { batch, all } = this.batch(kind, g);
      let total = 0;
      for (let sh = 0; sh < STEP_SHARDS; sh++) total += sums[sumIndex(sh, kind, 0)];
      const n = all * s2;
      sums[sumIndex(this.shard, kind, 1)] = correlationLossSums(batch, this.o.shifts[kind], this.o.weights[kind] / n, total / n, this.scratch[kind], dCodes).lossSum;
    }
  }

  /** The parameter gradient of the shard's rows into its slice of grads. */
  private backprop(g: StepGeometry): void {
    const [r0, r1] = half(g.rows, this.shard);
    const { x, dCodes, params, grads } = this.shared;
    const d = this.o.projectionDim, k = this.o.codeDim;
    const grad = grads.subarray(this.shard * this.paramCount, (this.shard + 1) * this.paramCount);
    grad.fill(0);
    this.head.backward(params, x.subarray(r0 * d, r1 * d), r1 - r0, dCodes.subarray(r0 * k, r1 * k), grad);
  }
}

/** Runs a phase of every shard; returns when all are done (in turn here, on threads in Node's batch run). */
export interface ShardRunner {
  phase(phase: StepPhase, g: StepGeometry): void;
  close(): void;
}

export function inTurn(shards: readonly StepShard[]): ShardRunner {
  return {
    phase: (phase, g) => {
      for (const s of shards) s.run(phase, g);
    },
    close: () => undefined,
  };
}

/** The step's gradient (the shards' in order) into `grad`, and each kind's weighted loss. */
export function combineShards(o: ShardSettings, shared: StepShared, g: StepGeometry, grad: Float64Array): PairTerms<number> {
  const p = grad.length;
  grad.set(shared.grads.subarray(0, p));
  for (let sh = 1; sh < STEP_SHARDS; sh++) for (let i = 0; i < p; i++) grad[i] += shared.grads[sh * p + i];
  const s2 = o.pointsPerImage ** 2;
  const loss = (kind: Kind, pairs: number) => {
    let sum = 0;
    for (let sh = 0; sh < STEP_SHARDS; sh++) sum += shared.sums[sumIndex(sh, kind, 1)];
    return pairs ? (sum * o.weights[kind]) / (pairs * s2) : 0;
  };
  return { intra: loss('intra', o.batchSize), knn: loss('knn', o.batchSize), random: loss('random', g.negatives * o.batchSize) };
}
