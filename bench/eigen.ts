// Benchmark of MaskCut's eigen solve (method.md §2 step 2): the Lanczos solver of
// src/core/pipeline/ncut-eigen.ts against dense generalized solvers on the same graph.
//
// Dense solvers compared with, each run once per size:
//  - "denseTs": a plain TypeScript dense solver written here (the generalized problem scaled to
//    D^-1/2 A D^-1/2 as LAPACK's sygst does for a diagonal D, Householder tridiagonalisation,
//    Sturm bisection for the eigenvalue, inverse iteration, back-transformation) — the
//    O(n³) route the reference takes (scipy eigh with subset_by_index → LAPACK sygvx), in the
//    same runtime as ours.
//  - "scipy": /usr/bin/python3 scipy.linalg.eigh(D − A, D, subset_by_index=[1, 2]) on the same
//    matrix, timing scipy's own solve (skipped when that python or scipy is missing).
// Run: npx tsx bench/eigen.ts

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gaussian, mulberry32 } from '../src/core/random';
import {
  affinityDegrees,
  getEdge,
  l2NormalizeRows,
  NCUT_AFFINITY_EPS,
  type PackedAdjacency,
  secondSmallestNcutEigenvector,
  thresholdGraph,
} from '../src/core/pipeline/ncut-eigen';

const SCIPY_PYTHON = '/usr/bin/python3';
const TAU = 0.15;
const KEY_DIM = 64;

/** Grid keys like a ViT's: two object rectangles and two background halves, plus noise. */
function syntheticKeys(grid: number, seed: number): Float32Array {
  const normal = gaussian(mulberry32(seed));
  const dirs = Array.from({ length: 4 }, () => Float64Array.from({ length: KEY_DIM }, () => normal()));
  const keys = new Float32Array(grid * grid * KEY_DIM);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const inA = r > grid * 0.2 && r < grid * 0.6 && c > grid * 0.3 && c < grid * 0.7;
      const inB = r > grid * 0.65 && r < grid * 0.9 && c > grid * 0.1 && c < grid * 0.35;
      const region = inA ? 1 : inB ? 2 : r < grid / 2 ? 0 : 3;
      const base = (r * grid + c) * KEY_DIM;
      for (let k = 0; k < KEY_DIM; k++) keys[base + k] = dirs[region][k] + 1.2 * normal();
    }
  }
  return keys;
}

// ---------- dense TypeScript generalized solver (bench only) ----------

interface Tridiagonal {
  diag: Float64Array;
  off: Float64Array;
  /** Householder vectors; reflector k acts on indices k+1..n−1. */
  reflectors: (Float64Array | null)[];
}

/** In-place Householder reduction of the symmetric row-major matrix a to tridiagonal form. */
function householderTridiagonalize(a: Float64Array, n: number): Tridiagonal {
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(n - 1, 0));
  const reflectors: (Float64Array | null)[] = [];
  for (let k = 0; k < n - 2; k++) {
    const m = n - k - 1;
    const v = new Float64Array(m);
    let norm = 0;
    for (let i = 0; i < m; i++) {
      v[i] = a[k * n + k + 1 + i];
      norm += v[i] * v[i];
    }
    norm = Math.sqrt(norm);
    diag[k] = a[k * n + k];
    if (norm === 0) {
      off[k] = 0;
      reflectors.push(null);
      continue;
    }
    const alpha = v[0] >= 0 ? -norm : norm;
    v[0] -= alpha;
    let vNorm = 0;
    for (let i = 0; i < m; i++) vNorm += v[i] * v[i];
    vNorm = Math.sqrt(vNorm);
    for (let i = 0; i < m; i++) v[i] /= vNorm;
    const p = new Float64Array(m);
    let vp = 0;
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      let s = 0;
      for (let j = 0; j < m; j++) s += a[row + j] * v[j];
      p[i] = s;
      vp += v[i] * s;
    }
    for (let i = 0; i < m; i++) p[i] -= vp * v[i]; // q = p − (vᵀp)v
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = 2 * v[i], qi = 2 * p[i];
      for (let j = 0; j < m; j++) a[row + j] -= vi * p[j] + qi * v[j];
    }
    off[k] = alpha;
    reflectors.push(v);
  }
  if (n >= 2) {
    diag[n - 2] = a[(n - 2) * n + n - 2];
    off[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) diag[n - 1] = a[(n - 1) * n + n - 1];
  return { diag, off, reflectors };
}

/** Number of eigenvalues of T below x (Sturm sequence via LDLᵀ pivots). */
function countBelow(t: Tridiagonal, x: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < t.diag.length; i++) {
    const e2 = i > 0 ? t.off[i - 1] * t.off[i - 1] : 0;
    q = t.diag[i] - x - (i > 0 ? e2 / q : 0);
    if (q === 0) q = -1e-300;
    if (q < 0) count++;
  }
  return count;
}

/** k-th largest eigenvalue (k = 1 is the largest) by bisection on [lo, hi]. */
function kthLargestEigenvalue(t: Tridiagonal, k: number, lo: number, hi: number): number {
  const n = t.diag.length;
  for (let it = 0; it < 200 && hi - lo > 1e-15; it++) {
    const mid = 0.5 * (lo + hi);
    if (countBelow(t, mid) >= n - k + 1) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/** Solves (T − σI)x = b by tridiagonal LU with partial pivoting (LAPACK gttrf/gtts2 layout). */
function solveTridiagonalPivoted(t: Tridiagonal, sigma: number, b: Float64Array): void {
  const n = t.diag.length;
  const dl = t.off.slice(), du = t.off.slice(), du2 = new Float64Array(Math.max(n - 2, 0));
  const dd = t.diag.map((x) => x - sigma);
  const swapped = new Uint8Array(n);
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(dd[i]) >= Math.abs(dl[i])) {
      const fact = dd[i] !== 0 ? dl[i] / dd[i] : 0;
      dl[i] = fact;
      dd[i + 1] -= fact * du[i];
    } else {
      const fact = dd[i] / dl[i];
      dd[i] = dl[i];
      dl[i] = fact;
      const temp = du[i];
      du[i] = dd[i + 1];
      dd[i + 1] = temp - fact * dd[i + 1];
      if (i < n - 2) {
        du2[i] = du[i + 1];
        du[i + 1] = -fact * du[i + 1];
      }
      swapped[i] = 1;
    }
  }
  for (let i = 0; i < n; i++) if (dd[i] === 0) dd[i] = 1e-300;
  for (let i = 0; i < n - 1; i++) {
    if (!swapped[i]) b[i + 1] -= dl[i] * b[i];
    else {
      const temp = b[i];
      b[i] = b[i + 1];
      b[i + 1] = temp - dl[i] * b[i];
    }
  }
  b[n - 1] /= dd[n - 1];
  if (n > 1) b[n - 2] = (b[n - 2] - du[n - 2] * b[n - 1]) / dd[n - 2];
  for (let i = n - 3; i >= 0; i--) b[i] = (b[i] - du[i] * b[i + 1] - du2[i] * b[i + 2]) / dd[i];
}

/** Dense generalized solve of (D − A)y = λDy for the second-smallest pair; returns y with yᵀDy = 1. */
export function denseGeneralizedSecondSmallest(adj: PackedAdjacency, eps = NCUT_AFFINITY_EPS): { vector: Float64Array; eigenvalue: number } {
  const n = adj.n;
  const deg = affinityDegrees(adj, eps);
  const inv = deg.map((d) => 1 / Math.sqrt(d));
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = inv[i] * (eps + (1 - eps) * getEdge(adj, i, j)) * inv[j];
  const t = householderTridiagonalize(m, n);
  const theta = kthLargestEigenvalue(t, 2, -1.5, 1.5);
  const s = Float64Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(0.9 * i + 0.2));
  for (let it = 0; it < 3; it++) {
    solveTridiagonalPivoted(t, theta + 1e-14, s);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += s[i] * s[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) s[i] /= norm;
  }
  for (let k = t.reflectors.length - 1; k >= 0; k--) {
    const v = t.reflectors[k];
    if (!v) continue;
    let c = 0;
    for (let i = 0; i < v.length; i++) c += v[i] * s[k + 1 + i];
    for (let i = 0; i < v.length; i++) s[k + 1 + i] -= 2 * c * v[i];
  }
  const y = s.map((z, i) => z * inv[i]);
  return { vector: y, eigenvalue: 1 - theta };
}

// ---------- scipy ----------

const SCIPY_SCRIPT = `
import json, sys, time
import numpy as np
from scipy.linalg import eigh
path, n, eps, out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
b = np.fromfile(path, dtype=np.uint8).reshape(n, n)
a = np.where(b > 0, 1.0, eps)
d = np.diag(a.sum(axis=1))
t = time.perf_counter()
w, v = eigh(d - a, d, subset_by_index=[1, 2])
ms = (time.perf_counter() - t) * 1000
np.ascontiguousarray(v[:, 0]).astype('<f8').tofile(out)
print(json.dumps({"ms": ms, "eigenvalue": float(w[0])}))
`;

function scipySolve(adj: PackedAdjacency): { vector: Float64Array; ms: number } | string {
  if (!existsSync(SCIPY_PYTHON)) return `${SCIPY_PYTHON} missing`;
  const dir = mkdtempSync(path.join(tmpdir(), 'eigen-bench-'));
  try {
    const n = adj.n;
    const dense = new Uint8Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dense[i * n + j] = getEdge(adj, i, j);
    writeFileSync(path.join(dir, 'b.u8'), dense);
    writeFileSync(path.join(dir, 'solve.py'), SCIPY_SCRIPT);
    const outPath = path.join(dir, 'v.f64');
    const stdout = execFileSync(SCIPY_PYTHON, [path.join(dir, 'solve.py'), path.join(dir, 'b.u8'), String(n), String(NCUT_AFFINITY_EPS), outPath], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const { ms } = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { ms: number };
    const buf = readFileSync(outPath);
    return { vector: new Float64Array(buf.buffer, buf.byteOffset, n), ms };
  } catch (err) {
    return `scipy failed: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- driver ----------

function absCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return Math.abs(ab) / Math.sqrt(aa * bb);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchEigen(): Promise<Record<string, number | string>[]> {
  const rows: Record<string, number | string>[] = [];
  for (const grid of [30, 60]) {
    const n = grid * grid;
    let t0 = performance.now();
    const adj = thresholdGraph(l2NormalizeRows(syntheticKeys(grid, 7), n, KEY_DIM), n, KEY_DIM, TAU);
    const graphMs = performance.now() - t0;
    // Ours: one warm-up (JIT), then the median of three timed runs.
    secondSmallestNcutEigenvector(adj);
    const times: number[] = [];
    let ours = secondSmallestNcutEigenvector(adj);
    for (let r = 0; r < 3; r++) {
      t0 = performance.now();
      ours = secondSmallestNcutEigenvector(adj);
      times.push(performance.now() - t0);
    }
    const lanczosMs = median(times);
    t0 = performance.now();
    const dense = denseGeneralizedSecondSmallest(adj); // once per size, by design
    const denseTsMs = performance.now() - t0;
    const row: Record<string, number | string> = {
      n,
      keyDim: KEY_DIM,
      tau: TAU,
      graphBuildMs: round(graphMs),
      lanczosMs: round(lanczosMs),
      lanczosMatVecs: ours.matVecs,
      denseTsMs: round(denseTsMs),
      speedupVsDenseTs: round(denseTsMs / lanczosMs),
      absCosineVsDenseTs: absCosine(ours.vector, dense.vector).toFixed(9),
      eigenvalue: ours.eigenvalue.toPrecision(8),
      eigenvalueDenseTs: dense.eigenvalue.toPrecision(8),
    };
    const scipy = scipySolve(adj);
    if (typeof scipy === 'string') row.scipy = scipy;
    else {
      row.scipyMs = round(scipy.ms);
      row.speedupVsScipy = round(scipy.ms / lanczosMs);
      row.absCosineVsScipy = absCosine(ours.vector, scipy.vector).toFixed(9);
    }
    rows.push(row);
  }
  return rows;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchEigen().then((rows) => console.log(JSON.stringify(rows, null, 2)));
}
