// Largest eigenpair of a small symmetric tridiagonal matrix (the Lanczos projection T_m).
// Supports method.md §2 step 2 (iterative eigen solve); O(m²) per call, no dense m×m work.

export interface TridiagonalEigenpair {
  value: number;
  /** Unit eigenvector, length m. */
  vector: Float64Array;
}

/**
 * All eigenvalues of the tridiagonal (diag[0..m-1], off[0..m-2]) by implicit QL with Wilkinson
 * shifts, values only. Returned unsorted.
 */
export function tridiagonalEigenvalues(diag: ArrayLike<number>, off: ArrayLike<number>, m: number): Float64Array {
  const d = Float64Array.from({ length: m }, (_, i) => diag[i]);
  const e = new Float64Array(m);
  for (let i = 0; i < m - 1; i++) e[i] = off[i];
  for (let l = 0; l < m; l++) {
    for (let iter = 0; iter < 100; iter++) {
      let mm = l;
      // Find the first negligible off-diagonal at or after l: the block l..mm is unreduced.
      for (; mm < m - 1; mm++) {
        const dd = Math.abs(d[mm]) + Math.abs(d[mm + 1]);
        if (Math.abs(e[mm]) <= Number.EPSILON * dd) break;
      }
      if (mm === l) break;
      qlSweep(d, e, l, mm);
    }
  }
  return d;
}

/** One implicit-shift QL sweep over the unreduced block l..mm (plane rotations chased upward). */
function qlSweep(d: Float64Array, e: Float64Array, l: number, mm: number): void {
  let g = (d[l + 1] - d[l]) / (2 * e[l]);
  let r = Math.hypot(g, 1);
  g = d[mm] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
  let s = 1, c = 1, p = 0;
  for (let i = mm - 1; i >= l; i--) {
    const f = s * e[i];
    const b = c * e[i];
    r = Math.hypot(f, g);
    e[i + 1] = r;
    if (r === 0) {
      // Underflow split: the block decouples here; redo from l with the corrected diagonal.
      d[i + 1] -= p;
      e[mm] = 0;
      return;
    }
    s = f / r;
    c = g / r;
    g = d[i + 1] - p;
    r = (d[i] - g) * s + 2 * c * b;
    p = s * r;
    d[i + 1] = g + p;
    g = c * r - b;
  }
  d[l] -= p;
  e[l] = g;
  e[mm] = 0;
}

/**
 * Largest eigenvalue and its eigenvector. The vector comes from inverse iteration with a shift
 * just above the top eigenvalue, where T − σI is negative definite, so the pivot-free LDLᵀ
 * solve is stable.
 */
export function largestTridiagonalEigenpair(diag: ArrayLike<number>, off: ArrayLike<number>, m: number): TridiagonalEigenpair {
  const values = tridiagonalEigenvalues(diag, off, m);
  let value = -Infinity;
  for (let i = 0; i < m; i++) value = Math.max(value, values[i]);
  let scale = 0;
  for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(diag[i]), i < m - 1 ? Math.abs(off[i]) : 0);
  const sigma = value + Math.max(scale, 1e-300) * 1e-10;
  // A fixed, non-symmetric start so no eigenvector of a symmetric T is orthogonal to it.
  let x: Float64Array = Float64Array.from({ length: m }, (_, i) => 1 + 0.5 * Math.sin(1.7 * i + 0.3));
  for (let it = 0; it < 3; it++) {
    x = solveShiftedTridiagonal(diag, off, m, sigma, x);
    let norm = 0;
    for (let i = 0; i < m; i++) norm += x[i] * x[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) x[i] /= norm;
  }
  return { value, vector: x };
}

/** Solves (T − σI)x = rhs by the Thomas algorithm (T − σI is definite here). */
function solveShiftedTridiagonal(
  diag: ArrayLike<number>,
  off: ArrayLike<number>,
  m: number,
  sigma: number,
  rhs: Float64Array,
): Float64Array {
  const cPrime = new Float64Array(m);
  const dPrime = new Float64Array(m);
  let denom = diag[0] - sigma;
  cPrime[0] = m > 1 ? off[0] / denom : 0;
  dPrime[0] = rhs[0] / denom;
  for (let i = 1; i < m; i++) {
    denom = diag[i] - sigma - off[i - 1] * cPrime[i - 1];
    cPrime[i] = i < m - 1 ? off[i] / denom : 0;
    dPrime[i] = (rhs[i] - off[i - 1] * dPrime[i - 1]) / denom;
  }
  const x = new Float64Array(m);
  x[m - 1] = dPrime[m - 1];
  for (let i = m - 2; i >= 0; i--) x[i] = dPrime[i] - cPrime[i] * x[i + 1];
  return x;
}
