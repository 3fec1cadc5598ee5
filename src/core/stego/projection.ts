// The session's principal subspace of the patch tokens: STEGO's head and its feature correlations
// work on these coordinates (method.md §4; a laptop-sized deviation listed in the README).
//
// Why: the correlation loss and the head cost O(dims) per point pair and per point; projecting
// the default CNN's 768 channels on the top 64 principal components keeps most of the variance
// (measured in tests/core/stego) at a twelfth of the cost, and centring on the session mean makes
// cosines discriminative for post-ReLU CNN features, which are all positive.
import { mulberry32 } from '../random';

export interface TokenProjection {
  tokenDim: number;
  outDim: number;
  /** [tokenDim] session mean subtracted first. */
  mean: Float32Array;
  /** [outDim, tokenDim] orthonormal rows, pre-multiplied by one scale that makes E‖x‖² = outDim. */
  basis: Float32Array;
  /** Share of the centred tokens' variance the subspace keeps. */
  varianceKept: number;
}

/** Evenly strided rows of every set, at most `perSet` each, as one [n, dim] matrix. */
function sampleRows(tokenSets: readonly Float32Array[], dim: number, perSet: number): { rows: Float64Array; n: number } {
  const picked: number[][] = tokenSets.map((t) => {
    const count = t.length / dim;
    const take = Math.min(count, perSet);
    return Array.from({ length: take }, (_, i) => Math.floor((i * count) / take));
  });
  const n = picked.reduce((s, p) => s + p.length, 0);
  const rows = new Float64Array(n * dim);
  let r = 0;
  tokenSets.forEach((t, s) => {
    for (const i of picked[s]) {
      for (let j = 0; j < dim; j++) rows[r * dim + j] = t[i * dim + j];
      r++;
    }
  });
  return { rows, n };
}

/** Upper triangle of XᵀX / n, mirrored (X centred in place first). */
function covariance(rows: Float64Array, n: number, dim: number, mean: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) rows[i * dim + j] -= mean[j];
  const cov = new Float64Array(dim * dim);
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    for (let a = 0; a < dim; a++) {
      const xa = rows[o + a];
      if (xa === 0) continue;
      const ca = a * dim;
      for (let b = a; b < dim; b++) cov[ca + b] += xa * rows[o + b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= n;
      cov[b * dim + a] = cov[a * dim + b];
    }
  }
  return cov;
}

/** Modified Gram–Schmidt on the k columns of V [dim, k] (column-major: column c at c·dim). */
function orthonormalise(v: Float64Array, dim: number, k: number): void {
  for (let c = 0; c < k; c++) {
    const vc = c * dim;
    for (let p = 0; p < c; p++) {
      const vp = p * dim;
      let d = 0;
      for (let j = 0; j < dim; j++) d += v[vc + j] * v[vp + j];
      for (let j = 0; j < dim; j++) v[vc + j] -= d * v[vp + j];
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += v[vc + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < dim; j++) v[vc + j] /= norm;
  }
}

/** Top-k invariant subspace of a symmetric matrix by orthogonal (subspace) iteration. */
function topSubspace(cov: Float64Array, dim: number, k: number, iterations: number, seed: number): Float64Array {
  const rng = mulberry32(seed);
  const v = Float64Array.from({ length: dim * k }, () => rng() - 0.5);
  orthonormalise(v, dim, k);
  const next = new Float64Array(dim * k);
  for (let it = 0; it < iterations; it++) {
    for (let c = 0; c < k; c++) {
      const vc = c * dim;
      for (let a = 0; a < dim; a++) {
        let s = 0;
        const ca = a * dim;
        for (let b = 0; b < dim; b++) s += cov[ca + b] * v[vc + b];
        next[vc + a] = s;
      }
    }
    v.set(next);
    orthonormalise(v, dim, k);
  }
  return v;
}

export interface ProjectionOptions {
  outDim: number;
  /** Tokens per photo used to estimate the covariance (strided). */
  samplesPerSet?: number;
  iterations?: number;
  seed?: number;
}

/** Fits the projection on the session's tokens ([n_i, tokenDim] row-major each). */
export function fitProjection(tokenSets: readonly Float32Array[], tokenDim: number, options: ProjectionOptions): TokenProjection {
  const outDim = Math.min(options.outDim, tokenDim);
  const perSet = options.samplesPerSet ?? Math.max(8, Math.ceil(4000 / Math.max(1, tokenSets.length)));
  const { rows, n } = sampleRows(tokenSets, tokenDim, perSet);
  if (n < 2) throw new Error('fitting a projection needs at least two tokens');
  const mean = new Float64Array(tokenDim);
  const cov = covariance(rows, n, tokenDim, mean);
  const v = topSubspace(cov, tokenDim, outDim, options.iterations ?? 12, options.seed ?? 0);
  let total = 0, kept = 0;
  for (let a = 0; a < tokenDim; a++) total += cov[a * tokenDim + a];
  for (let c = 0; c < outDim; c++) {
    const vc = c * tokenDim;
    for (let a = 0; a < tokenDim; a++) {
      let s = 0;
      for (let b = 0; b < tokenDim; b++) s += cov[a * tokenDim + b] * v[vc + b];
      kept += v[vc + a] * s;
    }
  }
  const scale = Math.sqrt(outDim / (kept || 1));
  return {
    tokenDim,
    outDim,
    mean: Float32Array.from(mean),
    basis: Float32Array.from(v, (x) => x * scale),
    varianceKept: total > 0 ? kept / total : 0,
  };
}

/** Projected coordinates of n tokens, [n, outDim] row-major. */
export function projectTokens(p: TokenProjection, tokensRowMajor: Float32Array, n: number): Float64Array {
  const { tokenDim, outDim, mean, basis } = p;
  const out = new Float64Array(n * outDim);
  const centred = new Float64Array(tokenDim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < tokenDim; j++) centred[j] = tokensRowMajor[i * tokenDim + j] - mean[j];
    for (let c = 0; c < outDim; c++) {
      let s = 0;
      const bc = c * tokenDim;
      for (let j = 0; j < tokenDim; j++) s += basis[bc + j] * centred[j];
      out[i * outDim + c] = s;
    }
  }
  return out;
}
