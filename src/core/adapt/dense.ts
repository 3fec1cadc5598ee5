// Dense-layer kernels for the adaptation head (forward, parameter and input gradients) over
// row-major Float64 batches. Serves method.md §6 (light head on frozen tokens).
//
// Layout: a layer's weights are [outDim, inDim] row-major at `wOff` inside one flat parameter
// array, its bias [outDim] at `bOff`; activations are [rows, dim] row-major. The two heavy kernels
// work on blocks of 4 rows × 2 outputs (8 running sums per inner step), about twice as fast in V8
// as one output at a time; leftover rows and outputs take the plain loop.

export interface DenseSlot {
  inDim: number;
  outDim: number;
  /** Offset of the [outDim, inDim] weights in the parameter array. */
  wOff: number;
  /** Offset of the [outDim] bias. */
  bOff: number;
}

/** out[r, o] = b[o] + Σ_d x[r, d]·w[o, d]. */
export function denseForward(x: Float64Array, rows: number, params: Float64Array, slot: DenseSlot, out: Float64Array): void {
  const { inDim, outDim, wOff, bOff } = slot;
  const rows4 = rows - (rows % 4), out2 = outDim - (outDim % 2);
  for (let r = 0; r < rows4; r += 4) {
    const xa = r * inDim, xb = xa + inDim, xc = xb + inDim, xd = xc + inDim;
    for (let o = 0; o < out2; o += 2) {
      const wo = wOff + o * inDim, wp = wo + inDim;
      let a0 = 0, b0 = 0, c0 = 0, d0 = 0, a1 = 0, b1 = 0, c1 = 0, d1 = 0;
      for (let d = 0; d < inDim; d++) {
        const w0 = params[wo + d], w1 = params[wp + d];
        const xav = x[xa + d], xbv = x[xb + d], xcv = x[xc + d], xdv = x[xd + d];
        a0 += xav * w0; b0 += xbv * w0; c0 += xcv * w0; d0 += xdv * w0;
        a1 += xav * w1; b1 += xbv * w1; c1 += xcv * w1; d1 += xdv * w1;
      }
      const o0 = r * outDim + o, bias0 = params[bOff + o], bias1 = params[bOff + o + 1];
      out[o0] = a0 + bias0; out[o0 + outDim] = b0 + bias0; out[o0 + 2 * outDim] = c0 + bias0; out[o0 + 3 * outDim] = d0 + bias0;
      out[o0 + 1] = a1 + bias1; out[o0 + 1 + outDim] = b1 + bias1; out[o0 + 1 + 2 * outDim] = c1 + bias1; out[o0 + 1 + 3 * outDim] = d1 + bias1;
    }
    for (let k = 0; k < 4; k++) forwardPlain(x, r + k, out2, outDim, params, slot, out);
  }
  for (let r = rows4; r < rows; r++) forwardPlain(x, r, 0, outDim, params, slot, out);
}

/** Outputs [oStart, oEnd) of row r, one dot product each. */
function forwardPlain(x: Float64Array, r: number, oStart: number, oEnd: number, params: Float64Array, slot: DenseSlot, out: Float64Array): void {
  const { inDim, outDim, wOff, bOff } = slot;
  const xa = r * inDim;
  for (let o = oStart; o < oEnd; o++) {
    const wo = wOff + o * inDim;
    let s = 0;
    for (let d = 0; d < inDim; d++) s += x[xa + d] * params[wo + d];
    out[r * outDim + o] = s + params[bOff + o];
  }
}

/** grad[w(o, d)] += Σ_r g[r, o]·x[r, d]; grad[b(o)] += Σ_r g[r, o]. */
export function denseGradParams(x: Float64Array, g: Float64Array, rows: number, slot: DenseSlot, grad: Float64Array): void {
  const { inDim, outDim, wOff, bOff } = slot;
  for (let i = 0; i < rows * outDim; i++) grad[bOff + (i % outDim)] += g[i];
  const rows4 = rows - (rows % 4), out2 = outDim - (outDim % 2);
  for (let r = 0; r < rows4; r += 4) {
    const xa = r * inDim, xb = xa + inDim, xc = xb + inDim, xd = xc + inDim;
    const ga = r * outDim, gb = ga + outDim, gc = gb + outDim, gd = gc + outDim;
    for (let o = 0; o < out2; o += 2) {
      const p0 = g[ga + o], q0 = g[gb + o], s0 = g[gc + o], t0 = g[gd + o];
      const p1 = g[ga + o + 1], q1 = g[gb + o + 1], s1 = g[gc + o + 1], t1 = g[gd + o + 1];
      if (p0 === 0 && q0 === 0 && s0 === 0 && t0 === 0 && p1 === 0 && q1 === 0 && s1 === 0 && t1 === 0) continue;
      const wo = wOff + o * inDim, wp = wo + inDim;
      for (let d = 0; d < inDim; d++) {
        const xav = x[xa + d], xbv = x[xb + d], xcv = x[xc + d], xdv = x[xd + d];
        grad[wo + d] += p0 * xav + q0 * xbv + s0 * xcv + t0 * xdv;
        grad[wp + d] += p1 * xav + q1 * xbv + s1 * xcv + t1 * xdv;
      }
    }
    for (let k = 0; k < 4; k++) gradPlain(x, g, r + k, out2, outDim, slot, grad);
  }
  for (let r = rows4; r < rows; r++) gradPlain(x, g, r, 0, outDim, slot, grad);
}

/** Weight gradient of outputs [oStart, oEnd) from row r alone. */
function gradPlain(x: Float64Array, g: Float64Array, r: number, oStart: number, oEnd: number, slot: DenseSlot, grad: Float64Array): void {
  const { inDim, outDim, wOff } = slot;
  const xa = r * inDim;
  for (let o = oStart; o < oEnd; o++) {
    const gv = g[r * outDim + o];
    if (gv === 0) continue;
    const wo = wOff + o * inDim;
    for (let d = 0; d < inDim; d++) grad[wo + d] += gv * x[xa + d];
  }
}

/**
 * dx[r, d] = Σ_o g[r, o]·w[o, d] (overwrites dx). Blocks of 4 rows × 2 inputs sum in registers
 * over o in order (zero gradients skipped), so each value is the one-row loop's, bit for bit.
 */
export function denseGradInput(g: Float64Array, rows: number, params: Float64Array, slot: DenseSlot, dx: Float64Array): void {
  const { inDim, outDim, wOff } = slot;
  const rows4 = rows - (rows % 4), in2 = inDim - (inDim % 2);
  for (let r = 0; r < rows4; r += 4) {
    const ga = r * outDim, gb = ga + outDim, gc = gb + outDim, gd = gc + outDim;
    for (let d = 0; d < in2; d += 2) {
      let a0 = 0, b0 = 0, c0 = 0, d0 = 0, a1 = 0, b1 = 0, c1 = 0, d1 = 0;
      for (let o = 0; o < outDim; o++) {
        const w = wOff + o * inDim + d, w0 = params[w], w1 = params[w + 1];
        const p = g[ga + o], q = g[gb + o], u = g[gc + o], v = g[gd + o];
        if (p !== 0) { a0 += p * w0; a1 += p * w1; }
        if (q !== 0) { b0 += q * w0; b1 += q * w1; }
        if (u !== 0) { c0 += u * w0; c1 += u * w1; }
        if (v !== 0) { d0 += v * w0; d1 += v * w1; }
      }
      const x = r * inDim + d;
      dx[x] = a0; dx[x + 1] = a1; dx[x + inDim] = b0; dx[x + inDim + 1] = b1;
      dx[x + 2 * inDim] = c0; dx[x + 2 * inDim + 1] = c1; dx[x + 3 * inDim] = d0; dx[x + 3 * inDim + 1] = d1;
    }
    for (let k = 0; k < 4; k++) gradInputPlain(g, r + k, in2, params, slot, dx);
  }
  for (let r = rows4; r < rows; r++) gradInputPlain(g, r, 0, params, slot, dx);
}

/** Inputs [dStart, inDim) of row r of denseGradInput, one at a time. */
function gradInputPlain(g: Float64Array, r: number, dStart: number, params: Float64Array, slot: DenseSlot, dx: Float64Array): void {
  const { inDim, outDim, wOff } = slot;
  for (let d = dStart; d < inDim; d++) {
    let acc = 0;
    for (let o = 0; o < outDim; o++) {
      const gv = g[r * outDim + o];
      if (gv !== 0) acc += gv * params[wOff + o * inDim + d];
    }
    dx[r * inDim + d] = acc;
  }
}
