// The adaptation head: a per-patch classifier on frozen backbone tokens (linear softmax, or an MLP
// tokenDim → hidden → C with ReLU), its parameter layout, initialisation and forward pass.
// Implements method.md §6 (light head replacing clustering once pseudo labels exist).
//
// Inputs are standardised per channel first (x' = (x − mean)·invStd, statistics stored in the head),
// so one learning rate suits every backbone. Classes [0, thingCount) are things, the rest stuff.
import { gaussian, mulberry32 } from '../random';
import { denseForward, type DenseSlot } from './dense';

export type HeadKind = 'linear' | 'mlp';

export interface HeadClasses {
  /** Display name of each class, in class-index order (things first). */
  names: string[];
  /** Classes [0, thingCount) are things (instances are made of them), the rest stuff. */
  thingCount: number;
}

export interface HeadShape {
  kind: HeadKind;
  tokenDim: number;
  /** Hidden units of the MLP; 0 for the linear head. */
  hiddenDim: number;
  classCount: number;
}

export interface InputStats {
  /** [tokenDim] */
  mean: Float32Array;
  /** [tokenDim] */
  invStd: Float32Array;
}

export interface PatchHead {
  shape: HeadShape;
  classes: HeadClasses;
  input: InputStats;
  /** Every layer's weights and bias in one array, laid out by headLayout(shape). */
  params: Float32Array;
}

export interface HeadLayout {
  /** One slot (linear) or two (MLP: hidden, output). */
  layers: DenseSlot[];
  paramCount: number;
}

/** Class indices must fit a Uint8Array beside the ignore label 255. */
export const MAX_HEAD_CLASSES = 255;

export function headLayout(shape: HeadShape): HeadLayout {
  const { kind, tokenDim, hiddenDim, classCount } = shape;
  if (classCount < 1 || classCount > MAX_HEAD_CLASSES) throw new Error(`a head has 1..${MAX_HEAD_CLASSES} classes, got ${classCount}`);
  if (kind === 'linear') {
    return { layers: [{ inDim: tokenDim, outDim: classCount, wOff: 0, bOff: tokenDim * classCount }], paramCount: (tokenDim + 1) * classCount };
  }
  if (hiddenDim < 1) throw new Error('an MLP head needs hiddenDim ≥ 1');
  const hidden: DenseSlot = { inDim: tokenDim, outDim: hiddenDim, wOff: 0, bOff: tokenDim * hiddenDim };
  const w2 = hidden.bOff + hiddenDim;
  const out: DenseSlot = { inDim: hiddenDim, outDim: classCount, wOff: w2, bOff: w2 + hiddenDim * classCount };
  return { layers: [hidden, out], paramCount: out.bOff + classCount };
}

/** Seeded initial parameters: He-normal hidden weights, small output weights, zero biases. */
export function initialParams(shape: HeadShape, seed: number): Float64Array {
  const layout = headLayout(shape);
  const params = new Float64Array(layout.paramCount);
  const normal = gaussian(mulberry32(seed));
  layout.layers.forEach((slot, i) => {
    const isOutput = i === layout.layers.length - 1;
    const std = isOutput ? 0.1 / Math.sqrt(slot.inDim) : Math.sqrt(2 / slot.inDim);
    for (let j = 0; j < slot.inDim * slot.outDim; j++) params[slot.wOff + j] = std * normal();
  });
  return params;
}

/** Scratch buffers of one forward pass over up to `rows` patches. */
export interface ForwardScratch {
  rows: number;
  /** [rows, tokenDim] standardised inputs. */
  inputs: Float64Array;
  /** [rows, hiddenDim] ReLU outputs (MLP only). */
  hidden: Float64Array;
  /** [rows, classCount] */
  logits: Float64Array;
}

export function forwardScratch(shape: HeadShape, rows: number): ForwardScratch {
  return {
    rows,
    inputs: new Float64Array(rows * shape.tokenDim),
    hidden: new Float64Array(rows * shape.hiddenDim),
    logits: new Float64Array(rows * shape.classCount),
  };
}

/** Logits of `rows` standardised inputs already in scratch.inputs (hidden kept for backprop). */
export function forwardRows(params: Float64Array, layout: HeadLayout, rows: number, scratch: ForwardScratch): void {
  const [first, second] = layout.layers;
  if (!second) {
    denseForward(scratch.inputs, rows, params, first, scratch.logits);
    return;
  }
  denseForward(scratch.inputs, rows, params, first, scratch.hidden);
  const h = scratch.hidden;
  for (let i = 0; i < rows * first.outDim; i++) if (h[i] < 0) h[i] = 0;
  denseForward(h, rows, params, second, scratch.logits);
}

/** Copies token rows (Float32, [*, tokenDim]) into scratch.inputs, standardised. */
export function standardiseInto(
  tokensRowMajor: Float32Array, rowIndices: ArrayLike<number>, start: number, count: number,
  input: InputStats, scratch: ForwardScratch,
): void {
  const dim = input.mean.length;
  const { mean, invStd } = input;
  for (let r = 0; r < count; r++) {
    const src = rowIndices[start + r] * dim, dst = r * dim;
    for (let d = 0; d < dim; d++) scratch.inputs[dst + d] = (tokensRowMajor[src + d] - mean[d]) * invStd[d];
  }
}

/** Per-patch class logits of one image's tokens [patchCount, tokenDim] → [patchCount, classCount]. */
export function headLogits(head: PatchHead, tokensRowMajor: Float32Array, patchCount: number): Float32Array {
  const { shape } = head;
  if (tokensRowMajor.length !== patchCount * shape.tokenDim) {
    throw new Error(`tokens hold ${tokensRowMajor.length} values; expected ${patchCount}×${shape.tokenDim}`);
  }
  const layout = headLayout(shape);
  const params = Float64Array.from(head.params);
  const chunk = 256;
  const scratch = forwardScratch(shape, chunk);
  const rows = Int32Array.from({ length: patchCount }, (_, i) => i);
  const out = new Float32Array(patchCount * shape.classCount);
  for (let start = 0; start < patchCount; start += chunk) {
    const count = Math.min(chunk, patchCount - start);
    standardiseInto(tokensRowMajor, rows, start, count, head.input, scratch);
    forwardRows(params, layout, count, scratch);
    out.set(scratch.logits.subarray(0, count * shape.classCount), start * shape.classCount);
  }
  return out;
}

/** Row-wise softmax in place ([rows, cols] row-major); returns the same array. */
export function softmaxRows<T extends Float32Array | Float64Array>(values: T, rows: number, cols: number): T {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (values[o + c] > max) max = values[o + c];
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += values[o + c] = Math.exp(values[o + c] - max);
    for (let c = 0; c < cols; c++) values[o + c] /= sum;
  }
  return values;
}

/** Per-patch class probabilities of one image. */
export function headProbabilities(head: PatchHead, tokensRowMajor: Float32Array, patchCount: number): Float32Array {
  return softmaxRows(headLogits(head, tokensRowMajor, patchCount), patchCount, head.shape.classCount);
}

export function checkClasses(classes: HeadClasses, classCount: number): void {
  if (classes.names.length !== classCount) throw new Error(`${classes.names.length} class names for ${classCount} classes`);
  if (!(classes.thingCount >= 0 && classes.thingCount <= classCount)) throw new Error(`thingCount ${classes.thingCount} outside [0, ${classCount}]`);
}
