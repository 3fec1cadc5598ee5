// STEGO's segmentation head (method.md §4): code = W1·x + W3·ReLU(W2·x) (1×1 convolutions with
// biases), x the projected patch token; forward and parameter gradients over rows of points.
import { denseForward, denseGradInput, denseGradParams, type DenseSlot } from '../adapt/dense';
import { mulberry32 } from '../random';

export interface StegoHeadShape {
  inDim: number;
  hiddenDim: number;
  codeDim: number;
}

export interface StegoHeadLayout {
  linear: DenseSlot;
  hidden: DenseSlot;
  output: DenseSlot;
  paramCount: number;
}

export function stegoHeadLayout({ inDim, hiddenDim, codeDim }: StegoHeadShape): StegoHeadLayout {
  const linear: DenseSlot = { inDim, outDim: codeDim, wOff: 0, bOff: inDim * codeDim };
  const h0 = linear.bOff + codeDim;
  const hidden: DenseSlot = { inDim, outDim: hiddenDim, wOff: h0, bOff: h0 + inDim * hiddenDim };
  const o0 = hidden.bOff + hiddenDim;
  const output: DenseSlot = { inDim: hiddenDim, outDim: codeDim, wOff: o0, bOff: o0 + hiddenDim * codeDim };
  return { linear, hidden, output, paramCount: output.bOff + codeDim };
}

/** PyTorch's Conv2d default: weights and biases uniform in ±1/√fan_in, seeded. */
export function initialStegoParams(shape: StegoHeadShape, seed: number): Float64Array {
  const layout = stegoHeadLayout(shape);
  const params = new Float64Array(layout.paramCount);
  const rng = mulberry32(seed);
  for (const slot of [layout.linear, layout.hidden, layout.output]) {
    const bound = 1 / Math.sqrt(slot.inDim);
    for (let i = 0; i < slot.inDim * slot.outDim; i++) params[slot.wOff + i] = (2 * rng() - 1) * bound;
    for (let o = 0; o < slot.outDim; o++) params[slot.bOff + o] = (2 * rng() - 1) * bound;
  }
  return params;
}

/** Buffers of one forward/backward over up to `rows` points. */
export class StegoHeadPass {
  readonly layout: StegoHeadLayout;
  readonly hiddenPre: Float64Array;
  readonly hiddenAct: Float64Array;
  readonly code: Float64Array;
  private readonly linearOut: Float64Array;
  private readonly dHidden: Float64Array;

  constructor(readonly shape: StegoHeadShape, readonly rows: number) {
    this.layout = stegoHeadLayout(shape);
    this.hiddenPre = new Float64Array(rows * shape.hiddenDim);
    this.hiddenAct = new Float64Array(rows * shape.hiddenDim);
    this.code = new Float64Array(rows * shape.codeDim);
    this.linearOut = new Float64Array(rows * shape.codeDim);
    this.dHidden = new Float64Array(rows * shape.hiddenDim);
  }

  /** Codes of `rows` inputs x [rows, inDim] into this.code. */
  forward(params: Float64Array, x: Float64Array, rows: number): Float64Array {
    const { linear, hidden, output } = this.layout;
    denseForward(x, rows, params, linear, this.linearOut);
    denseForward(x, rows, params, hidden, this.hiddenPre);
    const h = rows * this.shape.hiddenDim;
    for (let i = 0; i < h; i++) this.hiddenAct[i] = this.hiddenPre[i] > 0 ? this.hiddenPre[i] : 0;
    denseForward(this.hiddenAct, rows, params, output, this.code);
    const c = rows * this.shape.codeDim;
    for (let i = 0; i < c; i++) this.code[i] += this.linearOut[i];
    return this.code;
  }

  /** Adds the parameter gradient of Σ dCode·code for the last forward's inputs into grad. */
  backward(params: Float64Array, x: Float64Array, rows: number, dCode: Float64Array, grad: Float64Array): void {
    const { linear, hidden, output } = this.layout;
    denseGradParams(x, dCode, rows, linear, grad);
    denseGradParams(this.hiddenAct, dCode, rows, output, grad);
    denseGradInput(dCode, rows, params, output, this.dHidden);
    const h = rows * this.shape.hiddenDim;
    for (let i = 0; i < h; i++) if (this.hiddenPre[i] <= 0) this.dHidden[i] = 0;
    denseGradParams(x, this.dHidden, rows, hidden, grad);
  }
}

/** Codes of n projected points with trained parameters (no dropout), [n, codeDim]. */
export function stegoCodes(shape: StegoHeadShape, params: ArrayLike<number>, x: Float64Array, n: number, chunkRows = 256): Float32Array {
  const p = params instanceof Float64Array ? params : Float64Array.from(params);
  const pass = new StegoHeadPass(shape, Math.min(chunkRows, Math.max(1, n)));
  const out = new Float32Array(n * shape.codeDim);
  for (let start = 0; start < n; start += pass.rows) {
    const rows = Math.min(pass.rows, n - start);
    const code = pass.forward(p, x.subarray(start * shape.inDim, (start + rows) * shape.inDim), rows);
    out.set(code.subarray(0, rows * shape.codeDim), start * shape.codeDim);
  }
  return out;
}
