import { describe, expect, it } from 'vitest';
import { correlationLoss, PairScratch, type PairBatch } from '../../../src/core/stego/correlation-loss';
import { initialStegoParams, StegoHeadPass } from '../../../src/core/stego/head';
import { mulberry32 } from '../../../src/core/random';

const S = 4, FEAT = 5, CODE = 3, PAIRS = 2;

function unitRows(rows: number, dim: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const a = Float64Array.from({ length: rows * dim }, () => rng() - 0.3);
  for (let r = 0; r < rows; r++) {
    const n = Math.hypot(...a.subarray(r * dim, (r + 1) * dim));
    for (let j = 0; j < dim; j++) a[r * dim + j] /= n;
  }
  return a;
}

/** Two pairs over 4 blocks of S rows: (0,1) and (2,3), plus a self pair (0,0) variant. */
function batch(codes: Float64Array, self: boolean): PairBatch {
  return {
    features: unitRows(4 * S, FEAT, 7), codes, featDim: FEAT, codeDim: CODE, points: S,
    firstRows: Int32Array.of(0, 2 * S), secondRows: self ? Int32Array.of(0, 2 * S) : Int32Array.of(S, 3 * S),
  };
}

function lossAt(codes: Float64Array, self: boolean, shift: number): { loss: number; grad: Float64Array } {
  const grad = new Float64Array(codes.length);
  const b = batch(codes, self);
  const { loss } = correlationLoss(b, shift, 0.7, new PairScratch(S, CODE, PAIRS), grad);
  return { loss, grad };
}

describe("STEGO's correlation loss", () => {
  for (const self of [false, true]) {
    it(`has the gradient of finite differences (${self ? 'a photo with itself' : 'two photos'})`, () => {
      const rng = mulberry32(3);
      const codes = Float64Array.from({ length: 4 * S * CODE }, () => rng() - 0.4);
      const { grad } = lossAt(codes, self, 0.1);
      const h = 1e-6;
      let checked = 0;
      for (let i = 0; i < codes.length; i++) {
        const plus = Float64Array.from(codes), minus = Float64Array.from(codes);
        plus[i] += h;
        minus[i] -= h;
        const numeric = (lossAt(plus, self, 0.1).loss - lossAt(minus, self, 0.1).loss) / (2 * h);
        expect(grad[i]).toBeCloseTo(numeric, 5);
        if (Math.abs(numeric) > 1e-4) checked++;
      }
      expect(checked).toBeGreaterThan(8);
    });
  }

  it('is lowest when codes correlate where the centred features do', () => {
    // Codes equal to the features' first 3 coordinates follow their correlations; reversed ones oppose them.
    const b = batch(new Float64Array(4 * S * CODE), false);
    const aligned = new Float64Array(4 * S * CODE), opposed = new Float64Array(4 * S * CODE);
    for (let r = 0; r < 4 * S; r++) for (let j = 0; j < CODE; j++) {
      aligned[r * CODE + j] = b.features[r * FEAT + j];
      opposed[r * CODE + j] = (r < S || (r >= 2 * S && r < 3 * S) ? 1 : -1) * b.features[r * FEAT + j];
    }
    expect(lossAt(aligned, false, 0).loss).toBeLessThan(lossAt(opposed, false, 0).loss);
  });

  it('backpropagates through the head: parameter gradient matches finite differences', () => {
    const shape = { inDim: 4, hiddenDim: 5, codeDim: CODE };
    const params = initialStegoParams(shape, 1);
    const rng = mulberry32(9);
    const x = Float64Array.from({ length: 4 * S * shape.inDim }, () => rng() - 0.5);
    const total = (p: Float64Array) => {
      const pass = new StegoHeadPass(shape, 4 * S);
      const codes = Float64Array.from(pass.forward(p, x, 4 * S));
      const dCodes = new Float64Array(codes.length);
      const { loss } = correlationLoss(batch(codes, false), 0.05, 1, new PairScratch(S, CODE, PAIRS), dCodes);
      const grad = new Float64Array(p.length);
      pass.backward(p, x, 4 * S, dCodes, grad);
      return { loss, grad };
    };
    const { grad } = total(params);
    const h = 1e-6;
    for (let i = 0; i < params.length; i += 3) {
      const plus = Float64Array.from(params), minus = Float64Array.from(params);
      plus[i] += h;
      minus[i] -= h;
      expect(grad[i]).toBeCloseTo((total(plus).loss - total(minus).loss) / (2 * h), 5);
    }
  });
});

describe("STEGO's correlation loss with an odd number of points", () => {
  it('equals the definition, written out directly', () => {
    const s = 5, feat = 4, code = 3;
    const rng = mulberry32(5);
    const features = unitRows(2 * s, feat, 9);
    const codes = Float64Array.from({ length: 2 * s * code }, () => rng() - 0.4);
    const b: PairBatch = { features, codes, featDim: feat, codeDim: code, points: s, firstRows: Int32Array.of(0), secondRows: Int32Array.of(s) };
    const { loss } = correlationLoss(b, 0.2, 0.5, new PairScratch(s, code, 1), new Float64Array(codes.length));
    const row = (a: Float64Array, r: number, dim: number) => a.subarray(r * dim, (r + 1) * dim);
    const dotOf = (u: Float64Array, v: Float64Array) => u.reduce((acc, ui, j) => acc + ui * v[j], 0);
    const fd = Array.from({ length: s }, (_, m) => Array.from({ length: s }, (_, n) => dotOf(row(features, m, feat), row(features, s + n, feat))));
    const overall = fd.flat().reduce((a, v) => a + v, 0) / (s * s);
    let expected = 0;
    for (let m = 0; m < s; m++) {
      const mean = fd[m].reduce((a, v) => a + v, 0) / s;
      for (let n = 0; n < s; n++) {
        const ca = row(codes, m, code), cb = row(codes, s + n, code);
        const cd = dotOf(ca, cb) / (Math.hypot(...ca) * Math.hypot(...cb));
        expected -= Math.max(cd, 0) * (fd[m][n] - mean + overall - 0.2);
      }
    }
    expect(loss).toBeCloseTo((0.5 * expected) / (s * s), 12);
  });
});
