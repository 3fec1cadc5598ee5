import { describe, expect, it } from 'vitest';
import { denseForward, denseGradInput, denseGradParams, type DenseSlot } from '../../../src/core/adapt/dense';
import { mulberry32 } from '../../../src/core/random';

// Odd sizes reach every blocked and leftover path (rows not a multiple of 4, dims not of 2).
const ROWS = 7, IN = 5, OUT = 3;
const slot: DenseSlot = { inDim: IN, outDim: OUT, wOff: 2, bOff: 2 + IN * OUT };
const rng = mulberry32(11);
const params = Float64Array.from({ length: slot.bOff + OUT }, () => rng() - 0.5);
const x = Float64Array.from({ length: ROWS * IN }, () => rng() - 0.5);
// Some zero gradients, as ReLU leaves them.
const g = Float64Array.from({ length: ROWS * OUT }, (_, i) => (i % 4 === 1 ? 0 : rng() - 0.5));
const w = (o: number, d: number) => params[slot.wOff + o * IN + d];

describe('dense-layer kernels against their definitions', () => {
  it('forward: out = b + W·x', () => {
    const out = new Float64Array(ROWS * OUT);
    denseForward(x, ROWS, params, slot, out);
    for (let r = 0; r < ROWS; r++) {
      for (let o = 0; o < OUT; o++) {
        let s = params[slot.bOff + o];
        for (let d = 0; d < IN; d++) s += x[r * IN + d] * w(o, d);
        expect(out[r * OUT + o]).toBeCloseTo(s, 12);
      }
    }
  });

  it('input gradient: dx = gᵀ·W, summed over outputs in order (bit for bit)', () => {
    const dx = new Float64Array(ROWS * IN).fill(9);
    denseGradInput(g, ROWS, params, slot, dx);
    for (let r = 0; r < ROWS; r++) {
      for (let d = 0; d < IN; d++) {
        let s = 0;
        for (let o = 0; o < OUT; o++) s += g[r * OUT + o] * w(o, d);
        expect(dx[r * IN + d]).toBe(s);
      }
    }
  });

  it('parameter gradient adds g·xᵀ and Σg into what is there', () => {
    const grad = new Float64Array(params.length).fill(1);
    denseGradParams(x, g, ROWS, slot, grad);
    for (let o = 0; o < OUT; o++) {
      let b = 1;
      for (let r = 0; r < ROWS; r++) b += g[r * OUT + o];
      expect(grad[slot.bOff + o]).toBeCloseTo(b, 12);
      for (let d = 0; d < IN; d++) {
        let s = 1;
        for (let r = 0; r < ROWS; r++) s += g[r * OUT + o] * x[r * IN + d];
        expect(grad[slot.wOff + o * IN + d]).toBeCloseTo(s, 12);
      }
    }
    expect(grad[0]).toBe(1);
  });
});
