// Normalized-cut eigenvector for MaskCut: the second-smallest generalized eigenvector of (D−A)y = λDy.
// Implements method.md §2 steps 1–2 (thresholded cosine graph, iterative eigen solve).
//
// The graph is A = (1−ε)·B + ε·11ᵀ with B the 0/1 matrix [cos > τ]; only B is stored, one bit per
// pair (n = 3600 → 1.6 MB), and A is applied implicitly. The solve runs Lanczos with full
// reorthogonalisation on M = D^-1/2 A D^-1/2 restricted to the complement of its known top
// eigenvector D^1/2·1, so the largest Ritz pair there is the second eigenpair of M; y = D^-1/2 z.
//
// Sign convention (the reference inherits LAPACK's arbitrary sign): y is returned with
// y[argmax|y|] > 0 (first index on ties) and yᵀDy = 1, the normalisation scipy's eigh(L, D) uses.

import { gaussian, mulberry32 } from '../random';
import { largestTridiagonalEigenpair } from './tridiagonal';

/** Weight of the "no edge" pairs in A: strictly positive so the graph is connected. */
export const NCUT_AFFINITY_EPS = 1e-5;

export interface NcutEigenOptions {
  /** ε of the dense affinity (A = 1 where cos > τ, else ε). */
  eps?: number;
  /** Stop when ‖Mz − θz‖ falls below this (M has spectral norm 1). */
  residualTol?: number;
  /** Largest Krylov basis kept before an explicit restart from the current Ritz vector. */
  maxBasis?: number;
  /** Cap on matrix-vector products over all restarts. */
  maxMatVecs?: number;
  /** Seed of the random start vector (deterministic per seed). */
  seed?: number;
}

export interface NcutEigenResult {
  /** y over the n nodes, yᵀDy = 1, y[argmax|y|] > 0. */
  vector: Float64Array;
  /** λ of (D−A)y = λDy (= 1 − θ with θ the eigenvalue of M). */
  eigenvalue: number;
  /** Final residual ‖Mz − θz‖ of the unit vector z = D^1/2 y. */
  residual: number;
  matVecs: number;
  converged: boolean;
}

/** Rows scaled to unit L2 norm; zero rows stay zero (as torch F.normalize with eps 1e-12). */
export function l2NormalizeRows(rowsRowMajor: ArrayLike<number>, n: number, dim: number): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    let sq = 0;
    for (let c = 0; c < dim; c++) sq += rowsRowMajor[base + c] * rowsRowMajor[base + c];
    const inv = 1 / Math.max(Math.sqrt(sq), 1e-12);
    for (let c = 0; c < dim; c++) out[base + c] = rowsRowMajor[base + c] * inv;
  }
  return out;
}

/**
 * B as a bit matrix: bit j of row i lives in bits[i·bytesPerRow + (j >> 3)] at position j & 7.
 * n = 3600 takes 1.6 MB, and the byte layout is what the matrix-vector product's lookup tables index.
 */
export interface PackedAdjacency {
  n: number;
  bytesPerRow: number;
  bits: Uint8Array;
}

export function createPackedAdjacency(n: number): PackedAdjacency {
  const bytesPerRow = Math.ceil(n / 8);
  return { n, bytesPerRow, bits: new Uint8Array(n * bytesPerRow) };
}

export function getEdge(adj: PackedAdjacency, i: number, j: number): number {
  return (adj.bits[i * adj.bytesPerRow + (j >> 3)] >> (j & 7)) & 1;
}

export function setEdge(adj: PackedAdjacency, i: number, j: number, on: boolean): void {
  const at = i * adj.bytesPerRow + (j >> 3);
  const bit = 1 << (j & 7);
  adj.bits[at] = on ? adj.bits[at] | bit : adj.bits[at] & ~bit;
}

/**
 * B[i, j] = 1 when the cosine of rows i and j exceeds τ (rows must be unit or zero).
 * The Gram matrix is the O(n²·dim) hot spot (n = 3600, dim = 384: 2.5 G multiply-adds), so it is
 * computed in 4×4 blocks: each loaded coordinate feeds four products (≈1.5× faster than 1×4).
 */
export function thresholdGraph(unitRowsRowMajor: Float64Array, n: number, dim: number, tau: number): PackedAdjacency {
  const adj = createPackedAdjacency(n);
  const dots = new Float64Array(16);
  const fullBlocks = n - (n % 4);
  for (let i0 = 0; i0 < fullBlocks; i0 += 4) {
    for (let j0 = i0; j0 < fullBlocks; j0 += 4) {
      blockDots4x4(unitRowsRowMajor, dim, i0, j0, dots);
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) setPair(adj, i0 + a, j0 + b, dots[a * 4 + b] > tau);
    }
  }
  // Rows and columns beyond the last full block, pair by pair.
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(i, fullBlocks); j < n; j++) setPair(adj, i, j, rowDot(unitRowsRowMajor, dim, i, j) > tau);
  }
  return adj;
}

function rowDot(f: Float64Array, dim: number, i: number, j: number): number {
  let s = 0;
  const a = i * dim, b = j * dim;
  for (let c = 0; c < dim; c++) s += f[a + c] * f[b + c];
  return s;
}

/** dots[a·4 + b] = f_{i0+a} · f_{j0+b}. */
function blockDots4x4(f: Float64Array, dim: number, i0: number, j0: number, dots: Float64Array): void {
  const a0 = i0 * dim, a1 = a0 + dim, a2 = a1 + dim, a3 = a2 + dim;
  const b0 = j0 * dim, b1 = b0 + dim, b2 = b1 + dim, b3 = b2 + dim;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let c = 0; c < dim; c++) {
    const x0 = f[a0 + c], x1 = f[a1 + c], x2 = f[a2 + c], x3 = f[a3 + c];
    const y0 = f[b0 + c], y1 = f[b1 + c], y2 = f[b2 + c], y3 = f[b3 + c];
    s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
    s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
    s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
    s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
  }
  dots[0] = s00; dots[1] = s01; dots[2] = s02; dots[3] = s03;
  dots[4] = s10; dots[5] = s11; dots[6] = s12; dots[7] = s13;
  dots[8] = s20; dots[9] = s21; dots[10] = s22; dots[11] = s23;
  dots[12] = s30; dots[13] = s31; dots[14] = s32; dots[15] = s33;
}

function setPair(adj: PackedAdjacency, i: number, j: number, on: boolean): void {
  if (!on) return; // the matrix starts all zero and each pair is visited once
  setEdge(adj, i, j, true);
  setEdge(adj, j, i, true);
}

/**
 * Applies "keys of these nodes are zero" to an existing B: a zero key has cosine 0 with every node
 * (itself included), so its row and column become [0 > τ]. Saves recomputing the Gram matrix
 * between MaskCut rounds.
 */
export function isolateNodes(adj: PackedAdjacency, nodeMask: Uint8Array, tau: number): void {
  const on = 0 > tau;
  const { n } = adj;
  for (let i = 0; i < n; i++) {
    if (!nodeMask[i]) continue;
    for (let j = 0; j < n; j++) {
      setEdge(adj, i, j, on);
      setEdge(adj, j, i, on);
    }
  }
}

const POPCOUNT8 = Uint8Array.from({ length: 256 }, (_, b) => {
  let c = 0;
  for (let x = b; x; x &= x - 1) c++;
  return c;
});

/** Degrees of A = (1−ε)B + ε·11ᵀ. */
export function affinityDegrees(adj: PackedAdjacency, eps = NCUT_AFFINITY_EPS): Float64Array {
  const { n, bytesPerRow, bits } = adj;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * bytesPerRow;
    for (let k = 0; k < bytesPerRow; k++) s += POPCOUNT8[bits[row + k]];
    d[i] = (1 - eps) * s + eps * n;
  }
  return d;
}

/**
 * out = B·w. For each byte column k a 256-entry table holds the sums of w over every subset of its
 * 8 positions, so a row costs n/8 lookups instead of n multiply-adds (≈6× faster at n = 3600).
 * `table` is scratch of length bytesPerRow·256.
 */
export function multiplyAdjacency(adj: PackedAdjacency, w: Float64Array, out: Float64Array, table?: Float64Array): void {
  const { n, bytesPerRow, bits } = adj;
  const t = table ?? new Float64Array(bytesPerRow * 256);
  for (let k = 0; k < bytesPerRow; k++) {
    const tb = k << 8;
    t[tb] = 0;
    for (let m = 1; m < 256; m++) {
      const j = (k << 3) + 31 - Math.clz32(m & -m); // lowest set bit of m
      t[tb + m] = t[tb + (m & (m - 1))] + (j < n ? w[j] : 0);
    }
  }
  for (let i = 0; i < n; i++) {
    const row = i * bytesPerRow;
    let s0 = 0, s1 = 0;
    let k = 0;
    for (; k + 1 < bytesPerRow; k += 2) {
      s0 += t[(k << 8) + bits[row + k]];
      s1 += t[((k + 1) << 8) + bits[row + k + 1]];
    }
    if (k < bytesPerRow) s0 += t[(k << 8) + bits[row + k]];
    out[i] = s0 + s1;
  }
}

/** The normalised operator z ↦ D^-1/2 A D^-1/2 z with A applied through B. */
function makeNormalizedOperator(adj: PackedAdjacency, invSqrtDeg: Float64Array, eps: number) {
  const n = adj.n;
  const w = new Float64Array(n);
  const bw = new Float64Array(n);
  const table = new Float64Array(adj.bytesPerRow * 256);
  return (z: Float64Array, out: Float64Array): void => {
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      w[i] = invSqrtDeg[i] * z[i];
      sumW += w[i];
    }
    multiplyAdjacency(adj, w, bw, table);
    for (let i = 0; i < n; i++) out[i] = invSqrtDeg[i] * ((1 - eps) * bw[i] + eps * sumW);
  };
}

function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
  return s;
}

/** v -= (basis_k·v)·basis_k for every stored basis vector (and the deflated one, at row 0). */
function orthogonalize(v: Float64Array, basis: Float64Array, count: number, n: number): void {
  for (let k = 0; k < count; k++) {
    const c = dot(basis, k * n, v, 0, n);
    const off = k * n;
    for (let i = 0; i < n; i++) v[i] -= c * basis[off + i];
  }
}

function normalizeInPlace(v: Float64Array): number {
  const norm = Math.sqrt(dot(v, 0, v, 0, v.length));
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}

interface LanczosRun {
  ritz: Float64Array;
  theta: number;
  residual: number;
  matVecs: number;
}

/**
 * One Lanczos cycle from a unit start vector orthogonal to the deflated row 0 of `basis`.
 * Stops at convergence, breakdown (invariant subspace) or a full basis.
 */
function lanczosCycle(
  apply: (z: Float64Array, out: Float64Array) => void,
  basis: Float64Array,
  maxVectors: number,
  n: number,
  tol: number,
  matVecBudget: number,
): LanczosRun {
  const alpha = new Float64Array(maxVectors);
  const beta = new Float64Array(maxVectors);
  const w = new Float64Array(n);
  const q = new Float64Array(n);
  let steps = 0;
  let best: { theta: number; s: Float64Array; residual: number } = { theta: 0, s: new Float64Array(1), residual: Infinity };
  for (let k = 0; k < maxVectors && steps < matVecBudget; k++) {
    const qOff = (k + 1) * n; // row 0 holds the deflated top eigenvector
    q.set(basis.subarray(qOff, qOff + n));
    apply(q, w);
    steps++;
    alpha[k] = dot(q, 0, w, 0, n);
    // Two passes of classical Gram–Schmidt against every earlier vector ("twice is enough").
    orthogonalize(w, basis, k + 2, n);
    orthogonalize(w, basis, k + 2, n);
    beta[k] = Math.sqrt(dot(w, 0, w, 0, n));
    const m = k + 1;
    const last = m === maxVectors || steps >= matVecBudget;
    const breakdown = beta[k] < 1e-12;
    if (breakdown || last || m % 5 === 0 || m < 5) {
      const pair = largestTridiagonalEigenpair(alpha, beta, m);
      best = { theta: pair.value, s: pair.vector, residual: beta[k] * Math.abs(pair.vector[m - 1]) };
      if (breakdown || best.residual < tol || last) break;
    }
    for (let i = 0; i < n; i++) basis[(k + 2) * n + i] = w[i] / beta[k];
  }
  const ritz = new Float64Array(n);
  for (let j = 0; j < best.s.length; j++) {
    const off = (j + 1) * n;
    for (let i = 0; i < n; i++) ritz[i] += best.s[j] * basis[off + i];
  }
  normalizeInPlace(ritz);
  return { ritz, theta: best.theta, residual: best.residual, matVecs: steps };
}

/** Second-smallest generalized eigenvector of (D−A)y = λDy for A = (1−ε)B + ε·11ᵀ. */
export function secondSmallestNcutEigenvector(adj: PackedAdjacency, options: NcutEigenOptions = {}): NcutEigenResult {
  const n = adj.n;
  const eps = options.eps ?? NCUT_AFFINITY_EPS;
  const tol = options.residualTol ?? 1e-9;
  const maxMatVecs = options.maxMatVecs ?? 2000;
  if (n < 2) return { vector: new Float64Array(n).fill(n === 1 ? 1 : 0), eigenvalue: 0, residual: 0, matVecs: 0, converged: true };
  const deg = affinityDegrees(adj, eps);
  const invSqrtDeg = deg.map((d) => 1 / Math.sqrt(d));
  const apply = makeNormalizedOperator(adj, invSqrtDeg, eps);
  // The complement of the top eigenvector has dimension n − 1, so the basis never needs more.
  const maxVectors = Math.min(n - 1, options.maxBasis ?? 160);
  const fullSpace = maxVectors === n - 1;
  // Row 0: the deflated top eigenvector D^1/2·1; rows 1..maxVectors: Lanczos vectors.
  const basis = new Float64Array((maxVectors + 1) * n);
  for (let i = 0; i < n; i++) basis[i] = Math.sqrt(deg[i]);
  normalizeInPlace(basis.subarray(0, n));

  const start = new Float64Array(n);
  const normal = gaussian(mulberry32(options.seed ?? 0x5eed));
  for (let i = 0; i < n; i++) start[i] = normal();
  let run: LanczosRun = { ritz: start, theta: 0, residual: Infinity, matVecs: 0 };
  let matVecs = 0;
  while (matVecs < maxMatVecs) {
    const v = run.ritz;
    orthogonalize(v, basis, 1, n);
    orthogonalize(v, basis, 1, n);
    normalizeInPlace(v);
    basis.set(v, n);
    run = lanczosCycle(apply, basis, maxVectors, n, tol, maxMatVecs - matVecs);
    matVecs += run.matVecs;
    if (run.residual < tol || fullSpace) break;
  }
  const vector = new Float64Array(n);
  for (let i = 0; i < n; i++) vector[i] = run.ritz[i] * invSqrtDeg[i];
  fixSign(vector);
  const converged = run.residual < tol;
  return { vector, eigenvalue: 1 - run.theta, residual: run.residual, matVecs, converged };
}

/** Makes the entry of largest magnitude (first on ties) positive. */
export function fixSign(y: Float64Array): void {
  let arg = 0;
  for (let i = 1; i < y.length; i++) if (Math.abs(y[i]) > Math.abs(y[arg])) arg = i;
  if (y[arg] < 0) for (let i = 0; i < y.length; i++) y[i] = -y[i];
}
