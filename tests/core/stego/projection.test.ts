// The projection's blocked kernels (projection.ts) against the plain loops they replaced, written
// out here: the same bits, on odd sizes where the blocks leave remainders.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random';
import { fitProjection, projectTokens, type TokenProjection } from '../../../src/core/stego/projection';

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

function tokenSets(sets: number, dim: number, seed: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: sets }, (_, s) => Float32Array.from({ length: (7 + 2 * s) * dim }, () => (rng() < 0.3 ? 0 : rng() * 2)));
}

/** The covariance and the subspace iteration one product at a time, as projection.ts first did. */
function plainBasis(rowsIn: Float64Array, n: number, dim: number, k: number, iterations: number, seed: number): { mean: Float64Array; v: Float64Array; cov: Float64Array } {
  const rows = rowsIn.slice();
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) rows[i * dim + j] -= mean[j];
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[a * dim + b] += rows[i * dim + a] * rows[i * dim + b];
  for (let a = 0; a < dim; a++) for (let b = a; b < dim; b++) cov[b * dim + a] = cov[a * dim + b] /= n;
  const rng = mulberry32(seed);
  const v = Float64Array.from({ length: dim * k }, () => rng() - 0.5);
  const orthonormalise = () => {
    for (let c = 0; c < k; c++) {
      for (let p = 0; p < c; p++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += v[c * dim + j] * v[p * dim + j];
        for (let j = 0; j < dim; j++) v[c * dim + j] -= d * v[p * dim + j];
      }
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += v[c * dim + j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < dim; j++) v[c * dim + j] /= norm;
    }
  };
  orthonormalise();
  for (let it = 0; it < iterations; it++) {
    const next = new Float64Array(dim * k);
    for (let c = 0; c < k; c++) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) next[c * dim + a] += cov[a * dim + b] * v[c * dim + b];
    v.set(next);
    orthonormalise();
  }
  return { mean, v, cov };
}

describe('the token projection', () => {
  const dim = 9, outDim = 5;
  const sets = tokenSets(3, dim, 4);

  it('fits the basis of the plain covariance and subspace iteration, bit for bit', () => {
    const p = fitProjection(sets, dim, { outDim, samplesPerSet: 1000, iterations: 6, seed: 2 });
    const all = sets.flatMap((t) => Array.from(t));
    const { mean, v, cov } = plainBasis(Float64Array.from(all), all.length / dim, dim, outDim, 6, 2);
    expect(sameBits(p.mean, Float32Array.from(mean))).toBe(true);
    // Scaled so that the projected tokens' E‖x‖² is outDim, as fitProjection scales it.
    let kept = 0;
    for (let c = 0; c < outDim; c++) {
      for (let a = 0; a < dim; a++) {
        let s = 0;
        for (let b = 0; b < dim; b++) s += cov[a * dim + b] * v[c * dim + b];
        kept += v[c * dim + a] * s;
      }
    }
    const scale = Math.sqrt(outDim / kept);
    expect(sameBits(p.basis, Float32Array.from(v, (x) => x * scale))).toBe(true);
  });

  it('projects tokens as one dot at a time does, bit for bit', () => {
    const p: TokenProjection = fitProjection(sets, dim, { outDim, seed: 1 });
    for (const n of [1, 4, 7]) {
      const tokens = sets[2].subarray(0, n * dim);
      const plain = new Float64Array(n * outDim);
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < outDim; c++) {
          let s = 0;
          for (let j = 0; j < dim; j++) s += p.basis[c * dim + j] * (tokens[i * dim + j] - p.mean[j]);
          plain[i * outDim + c] = s;
        }
      }
      expect(sameBits(projectTokens(p, tokens, n), plain), `${n} tokens`).toBe(true);
    }
  });
});
