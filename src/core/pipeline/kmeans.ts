// Seeded k-means for feature vectors: Euclidean (instance CLS features, method.md §3: K random
// samples as init, 100 iterations) and spherical/cosine (patch tokens, method.md §4).
//
// Conventions:
//  - K > n: the effective K is n (every point its own centroid); `k` in the result says so.
//  - Init: K distinct points drawn by a seeded partial Fisher–Yates shuffle (mulberry32).
//  - Empty cluster: its centroid moves to the point currently worst served by its own centroid
//    (largest distance, or lowest cosine), each such point used once — an update that cannot
//    raise the objective, so inertia never increases.
//  - Stops when an assignment pass changes nothing, or after maxIter update steps; the result
//    always ends with an assignment pass against the returned centroids, so every point is
//    assigned to its nearest centroid (ties: lowest index).
//  - Spherical: points are L2-normalised (zero rows stay zero), centroids are unit means, the
//    objective is Σ(1 − cos).

import { mulberry32 } from '../random';

export interface KMeansOptions {
  k: number;
  maxIter?: number;
  seed?: number;
}

export interface KMeansResult {
  /** Effective number of clusters, min(K, n). */
  k: number;
  dim: number;
  /** [k, dim] row-major. */
  centroidsRowMajor: Float32Array;
  /** Cluster of each point. */
  assignments: Int32Array;
  /** Objective after the final assignment: Σ‖x − c‖² (Euclidean) or Σ(1 − cos) (spherical). */
  inertia: number;
  /** Objective after each assignment pass, in order. */
  inertiaHistory: number[];
  /** Update steps performed. */
  iterations: number;
  converged: boolean;
}

type Metric = 'euclidean' | 'cosine';

/** Plain Euclidean k-means. */
export function kMeans(pointsRowMajor: ArrayLike<number>, n: number, dim: number, options: KMeansOptions): KMeansResult {
  return lloyd(Float64Array.from({ length: n * dim }, (_, i) => pointsRowMajor[i]), n, dim, options, 'euclidean');
}

/** Spherical (cosine) k-means on L2-normalised points. */
export function sphericalKMeans(pointsRowMajor: ArrayLike<number>, n: number, dim: number, options: KMeansOptions): KMeansResult {
  const x = Float64Array.from({ length: n * dim }, (_, i) => pointsRowMajor[i]);
  normalizeRows(x, n, dim);
  return lloyd(x, n, dim, options, 'cosine');
}

/** Distinct indices [0, n) by seeded partial Fisher–Yates. */
export function sampleDistinct(n: number, count: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng() * (n - i));
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, count);
}

function lloyd(x: Float64Array, n: number, dim: number, options: KMeansOptions, metric: Metric): KMeansResult {
  const k = Math.max(0, Math.min(options.k, n));
  const maxIter = options.maxIter ?? 100;
  const centroids = new Float64Array(k * dim);
  sampleDistinct(n, k, options.seed ?? 0).forEach((p, c) => centroids.set(x.subarray(p * dim, (p + 1) * dim), c * dim));
  const assignments = new Int32Array(n).fill(-1);
  const cost = new Float64Array(n);
  const history: number[] = [];
  let iterations = 0;
  let converged = false;
  for (;;) {
    const changed = assign(x, n, dim, centroids, k, metric, assignments, cost);
    history.push(sum(cost));
    if (!changed && iterations > 0) {
      converged = true;
      break;
    }
    if (iterations >= maxIter || k === 0) break;
    updateCentroids(x, n, dim, centroids, k, metric, assignments, cost);
    iterations++;
  }
  return {
    k,
    dim,
    centroidsRowMajor: Float32Array.from(centroids),
    assignments,
    inertia: history[history.length - 1] ?? 0,
    inertiaHistory: history,
    iterations,
    converged,
  };
}

/** Nearest-centroid pass; returns whether any assignment changed. */
function assign(
  x: Float64Array, n: number, dim: number, centroids: Float64Array, k: number, metric: Metric,
  assignments: Int32Array, cost: Float64Array,
): boolean {
  const cNorm2 = new Float64Array(k);
  for (let c = 0; c < k; c++) cNorm2[c] = dotRows(centroids, c * dim, centroids, c * dim, dim);
  const dots = new Float64Array(BLOCK * k);
  let changed = false;
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const rows = Math.min(BLOCK, n - i0);
    blockDots(x, i0, rows, centroids, k, dim, dots);
    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const xNorm2 = metric === 'euclidean' ? dotRows(x, i * dim, x, i * dim, dim) : 0;
      let best = -1, bestCost = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dots[r * k + c];
        // ‖x − c‖² = ‖x‖² − 2x·c + ‖c‖², clamped at 0 against rounding; cosine cost 1 − x·c.
        const v = metric === 'euclidean' ? Math.max(xNorm2 - 2 * d + cNorm2[c], 0) : 1 - d;
        if (v < bestCost) {
          bestCost = v;
          best = c;
        }
      }
      if (assignments[i] !== best) changed = true;
      assignments[i] = best;
      cost[i] = bestCost;
    }
  }
  return changed;
}

/** Points per block of the assignment pass. */
const BLOCK = 2;

/**
 * dots[r·k + c] = x_(i0+r) · centroid_c for r < rows, in 2×4 register tiles (measured faster
 * than 2×2 and than 4×4, whose 16 accumulators spill in V8): each coordinate read serves 2–4 products.
 * Every dot product is still summed coordinate by coordinate from 0, so it equals dotRows()
 * bit for bit.
 */
function blockDots(x: Float64Array, i0: number, rows: number, cen: Float64Array, k: number, dim: number, dots: Float64Array): void {
  if (rows < BLOCK) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < k; c++) dots[r * k + c] = dotRows(x, (i0 + r) * dim, cen, c * dim, dim);
    return;
  }
  const a0 = i0 * dim, a1 = a0 + dim;
  let c = 0;
  for (; c + 4 <= k; c += 4) {
    const b0 = c * dim, b1 = b0 + dim, b2 = b1 + dim, b3 = b2 + dim;
    let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    for (let j = 0; j < dim; j++) {
      const x0 = x[a0 + j], x1 = x[a1 + j];
      const y0 = cen[b0 + j], y1 = cen[b1 + j], y2 = cen[b2 + j], y3 = cen[b3 + j];
      s00 += x0 * y0;
      s01 += x0 * y1;
      s02 += x0 * y2;
      s03 += x0 * y3;
      s10 += x1 * y0;
      s11 += x1 * y1;
      s12 += x1 * y2;
      s13 += x1 * y3;
    }
    dots[c] = s00;
    dots[c + 1] = s01;
    dots[c + 2] = s02;
    dots[c + 3] = s03;
    dots[k + c] = s10;
    dots[k + c + 1] = s11;
    dots[k + c + 2] = s12;
    dots[k + c + 3] = s13;
  }
  for (; c < k; c++) for (let r = 0; r < BLOCK; r++) dots[r * k + c] = dotRows(x, (i0 + r) * dim, cen, c * dim, dim);
}

function updateCentroids(
  x: Float64Array, n: number, dim: number, centroids: Float64Array, k: number, metric: Metric,
  assignments: Int32Array, cost: Float64Array,
): void {
  const counts = new Int32Array(k);
  const sums = new Float64Array(k * dim);
  for (let i = 0; i < n; i++) {
    const c = assignments[i];
    counts[c]++;
    for (let j = 0; j < dim; j++) sums[c * dim + j] += x[i * dim + j];
  }
  // Worst-served points first, for re-seeding empty clusters (sorted only when one is empty).
  const order = counts.includes(0) ? Array.from({ length: n }, (_, i) => i).sort((a, b) => cost[b] - cost[a] || a - b) : [];
  let next = 0;
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) {
      const p = order[next++];
      centroids.set(x.subarray(p * dim, (p + 1) * dim), c * dim);
      continue;
    }
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j] / counts[c];
    if (metric === 'cosine') normalizeRows(centroids.subarray(c * dim, (c + 1) * dim), 1, dim);
  }
}

/** Nearest centroid for each point (Euclidean, or cosine on normalised vectors). */
export function assignToCentroids(
  pointsRowMajor: ArrayLike<number>, n: number, dim: number,
  centroidsRowMajor: ArrayLike<number>, k: number, metric: Metric = 'euclidean',
): Int32Array {
  const x = Float64Array.from({ length: n * dim }, (_, i) => pointsRowMajor[i]);
  const c = Float64Array.from({ length: k * dim }, (_, i) => centroidsRowMajor[i]);
  if (metric === 'cosine') {
    normalizeRows(x, n, dim);
    normalizeRows(c, k, dim);
  }
  return nearestCentroids(x, n, dim, c, k, metric);
}

/** The assignment pass itself on float64 rows (cosine: already normalised), as lloyd() runs it. */
export function nearestCentroids(x: Float64Array, n: number, dim: number, centroids: Float64Array, k: number, metric: Metric = 'euclidean'): Int32Array {
  const assignments = new Int32Array(n).fill(-1);
  assign(x, n, dim, centroids, k, metric, assignments, new Float64Array(n));
  return assignments;
}

function normalizeRows(x: Float64Array, n: number, dim: number): void {
  for (let i = 0; i < n; i++) {
    const norm = Math.sqrt(dotRows(x, i * dim, x, i * dim, dim));
    if (norm > 0) for (let j = 0; j < dim; j++) x[i * dim + j] /= norm;
  }
}

function dotRows(a: Float64Array, ao: number, b: Float64Array, bo: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += a[ao + j] * b[bo + j];
  return s;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
