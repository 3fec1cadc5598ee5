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

/**
 * Upper triangle of XᵀX / n, mirrored (X centred in place first). Four rows per sweep of the
 * matrix: each entry still adds its products one row at a time, in row order, so the sums are
 * the one-row loop's bit for bit at a quarter of the memory traffic (the matrix is 4.7 MB at 768).
 */
function covariance(rows: Float64Array, n: number, dim: number, mean: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += rows[i * dim + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) rows[i * dim + j] -= mean[j];
  const cov = new Float64Array(dim * dim);
  const n4 = n - (n % 4);
  for (let i = 0; i < n4; i += 4) {
    const o0 = i * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
    for (let a = 0; a < dim; a++) {
      const x0 = rows[o0 + a], x1 = rows[o1 + a], x2 = rows[o2 + a], x3 = rows[o3 + a];
      const ca = a * dim;
      for (let b = a; b < dim; b++) cov[ca + b] = cov[ca + b] + x0 * rows[o0 + b] + x1 * rows[o1 + b] + x2 * rows[o2 + b] + x3 * rows[o3 + b];
    }
  }
  for (let i = n4; i < n; i++) {
    const o = i * dim;
    for (let a = 0; a < dim; a++) {
      const xa = rows[o + a], ca = a * dim;
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
    symTimesColumns(cov, dim, v, k, next);
    v.set(next);
    orthonormalise(v, dim, k);
  }
  return v;
}

/**
 * out[c, a] = Σ_b cov[a, b]·v[c, b] for k columns of length dim: two columns × two rows per
 * pass share their loads, and every sum runs over b in order (the plain loop's result).
 */
function symTimesColumns(cov: Float64Array, dim: number, v: Float64Array, k: number, out: Float64Array): void {
  const k2 = k - (k % 2), d2 = dim - (dim % 2);
  for (let c = 0; c < k2; c += 2) {
    const v0 = c * dim, v1 = v0 + dim;
    for (let a = 0; a < d2; a += 2) {
      const r0 = a * dim, r1 = r0 + dim;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let b = 0; b < dim; b++) {
        const m0 = cov[r0 + b], m1 = cov[r1 + b], w0 = v[v0 + b], w1 = v[v1 + b];
        s00 += m0 * w0; s01 += m1 * w0; s10 += m0 * w1; s11 += m1 * w1;
      }
      out[v0 + a] = s00; out[v0 + a + 1] = s01; out[v1 + a] = s10; out[v1 + a + 1] = s11;
    }
  }
  // The odd column and row one sum at a time.
  for (let c = 0; c < k; c++) {
    for (let a = c < k2 ? d2 : 0; a < dim; a++) {
      let s = 0;
      for (let b = 0; b < dim; b++) s += cov[a * dim + b] * v[c * dim + b];
      out[c * dim + a] = s;
    }
  }
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

/**
 * Projected coordinates of n tokens, [n, outDim] row-major. Four tokens × two outputs per pass
 * share their loads; each sum runs over the channels in order, as one dot at a time would.
 */
export function projectTokens(p: TokenProjection, tokensRowMajor: Float32Array, n: number): Float64Array {
  const { tokenDim: dim, outDim, mean, basis } = p;
  const out = new Float64Array(n * outDim);
  const centred = new Float64Array(4 * dim);
  for (let i0 = 0; i0 < n; i0 += 4) {
    const m = Math.min(4, n - i0);
    for (let t = 0; t < m; t++) for (let j = 0; j < dim; j++) centred[t * dim + j] = tokensRowMajor[(i0 + t) * dim + j] - mean[j];
    if (m === 4) projectFour(basis, centred, dim, outDim, out, i0);
    else for (let t = 0; t < m; t++) for (let c = 0; c < outDim; c++) out[(i0 + t) * outDim + c] = dotF32(basis, c * dim, centred, t * dim, dim);
  }
  return out;
}

function dotF32(a: Float32Array, ao: number, b: Float64Array, bo: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[ao + j] * b[bo + j];
  return s;
}

/** The outputs of four centred tokens [4, dim] into rows i0… of out. */
function projectFour(basis: Float32Array, x: Float64Array, dim: number, outDim: number, out: Float64Array, i0: number): void {
  const o2 = outDim - (outDim % 2);
  for (let c = 0; c < o2; c += 2) {
    const b0 = c * dim, b1 = b0 + dim;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    for (let j = 0; j < dim; j++) {
      const w0 = basis[b0 + j], w1 = basis[b1 + j];
      const x0 = x[j], x1 = x[dim + j], x2 = x[2 * dim + j], x3 = x[3 * dim + j];
      a0 += w0 * x0; a1 += w0 * x1; a2 += w0 * x2; a3 += w0 * x3;
      e0 += w1 * x0; e1 += w1 * x1; e2 += w1 * x2; e3 += w1 * x3;
    }
    const r = i0 * outDim + c;
    out[r] = a0; out[r + outDim] = a1; out[r + 2 * outDim] = a2; out[r + 3 * outDim] = a3;
    out[r + 1] = e0; out[r + 1 + outDim] = e1; out[r + 1 + 2 * outDim] = e2; out[r + 1 + 3 * outDim] = e3;
  }
  if (o2 < outDim) for (let t = 0; t < 4; t++) out[(i0 + t) * outDim + o2] = dotF32(basis, o2 * dim, x, t * dim, dim);
}
