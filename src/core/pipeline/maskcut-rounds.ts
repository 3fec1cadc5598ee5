// MaskCut with as many rounds as the graph has structure: each round cuts the patches no earlier
// round took, and the rounds stop when the best normalized cut of what is left is poor. Extends method.md §2 steps 1–5.
//
// Differences from the reference (maskcut.ts), each for more masks per photo:
//  - a round's graph holds only the patches that no earlier candidate took (the reference keeps
//    them as zero keys, so from round 2 on its cheapest cut is often "the removed patches vs the
//    rest" and the round repeats the previous mask); the graph is the same thresholded cosine
//    graph (τ, ε) restricted to those nodes;
//  - every candidate leaves the graph, also when it is kept out of the output (small), so the
//    next round always sees new structure;
//  - stop criterion: the round's generalized eigenvalue λ (the relaxed normalized cut of the best
//    split of what is left) above `maxEigenvalue`, fewer than `minActiveFraction` of the patches
//    left, or `maxRounds` (a safety cap, not the intended stop).
// Bipartition, corner rule, seed and 4-connected component are the reference's (maskcut.ts),
// evaluated over the remaining patches only (removed patches are never foreground).
import { connectedComponent4, maskArea } from './mask-ops';
import { createPackedAdjacency, l2NormalizeRows, secondSmallestNcutEigenvector, setEdge, type NcutEigenOptions } from './ncut-eigen';

export interface MaskCutRoundsOptions {
  tau: number;
  /** Stop when the round's λ exceeds this: what is left has no well separated part. */
  maxEigenvalue: number;
  /** Safety cap on rounds. */
  maxRounds: number;
  /** Keep a candidate as a mask only when it holds more than this fraction of the grid. */
  minAreaFraction: number;
  /** Stop when fewer than this fraction of the grid's patches are left. */
  minActiveFraction: number;
  eigen?: NcutEigenOptions;
}

export const MASKCUT_ROUNDS_DEFAULTS: Omit<MaskCutRoundsOptions, 'tau'> = {
  maxEigenvalue: 0.6,
  maxRounds: 12,
  minAreaFraction: 0.005,
  minActiveFraction: 0.05,
};

export interface GridCandidate {
  /** 0/1 over the view's grid, row-major. */
  maskRowMajor: Uint8Array;
  round: number;
  /** λ of the round that produced it. */
  eigenvalue: number;
}

/** Cosines of unit rows, [n, n] row-major (symmetric). */
export function cosineMatrix(unitRowsRowMajor: Float64Array, n: number, dim: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = i * dim;
    for (let j = i; j < n; j++) {
      const b = j * dim;
      let s = 0;
      for (let c = 0; c < dim; c++) s += unitRowsRowMajor[a + c] * unitRowsRowMajor[b + c];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** The thresholded graph [cos > τ] on a subset of nodes (node k of the result is nodes[k]). */
export function subgraphAdjacency(cosines: Float64Array, n: number, nodes: Int32Array, tau: number) {
  const m = nodes.length;
  const adj = createPackedAdjacency(m);
  for (let a = 0; a < m; a++) {
    const row = nodes[a] * n;
    for (let b = a; b < m; b++) {
      if (cosines[row + nodes[b]] > tau) {
        setEdge(adj, a, b, true);
        setEdge(adj, b, a, true);
      }
    }
  }
  return adj;
}

/**
 * The reference's split rules over the active patches: foreground = y > mean(y); flip when 3+
 * grid corners are foreground or the seed argmax|y| is not; the seed's 4-connected component.
 */
export function activeBipartition(y: Float64Array, nodes: Int32Array, gridH: number, gridW: number): Uint8Array {
  const n = gridH * gridW;
  let mean = 0;
  for (let k = 0; k < y.length; k++) mean += y[k];
  mean /= y.length;
  const fg = new Uint8Array(n);
  let seedK = 0;
  for (let k = 0; k < y.length; k++) {
    if (y[k] > mean) fg[nodes[k]] = 1;
    if (Math.abs(y[k]) > Math.abs(y[seedK])) seedK = k;
  }
  const corners = [0, gridW - 1, (gridH - 1) * gridW, n - 1].reduce((s, p) => s + fg[p], 0);
  const flip = corners >= 3 || !fg[nodes[seedK]];
  let seed = nodes[0];
  let best = -Infinity;
  for (let k = 0; k < y.length; k++) {
    if (flip) fg[nodes[k]] = 1 - fg[nodes[k]];
    const v = flip ? -y[k] : y[k];
    if (v > best) {
      best = v;
      seed = nodes[k];
    }
  }
  return connectedComponent4(fg, gridH, gridW, seed);
}

/** MaskCut rounds on one view's keys [gridH·gridW, dim] until the stop criterion holds. */
export function maskCutRounds(keysRowMajor: ArrayLike<number>, gridH: number, gridW: number, dim: number, options: MaskCutRoundsOptions): GridCandidate[] {
  const n = gridH * gridW;
  const cosines = cosineMatrix(l2NormalizeRows(keysRowMajor, n, dim), n, dim);
  return maskCutRoundsOnCosines(cosines, gridH, gridW, options);
}

export function maskCutRoundsOnCosines(cosines: Float64Array, gridH: number, gridW: number, options: MaskCutRoundsOptions): GridCandidate[] {
  const n = gridH * gridW;
  const active = new Uint8Array(n).fill(1);
  const out: GridCandidate[] = [];
  for (let round = 0; round < options.maxRounds; round++) {
    const nodes = Int32Array.from({ length: n }, (_, i) => i).filter((i) => active[i] === 1);
    if (nodes.length < Math.max(2, options.minActiveFraction * n)) break;
    const solve = secondSmallestNcutEigenvector(subgraphAdjacency(cosines, n, nodes, options.tau), options.eigen);
    if (round > 0 && solve.eigenvalue > options.maxEigenvalue) break;
    const candidate = activeBipartition(solve.vector, nodes, gridH, gridW);
    const area = maskArea(candidate);
    if (area === 0) break;
    for (let i = 0; i < n; i++) if (candidate[i]) active[i] = 0;
    if (area / n > options.minAreaFraction) out.push({ maskRowMajor: candidate, round, eigenvalue: solve.eigenvalue });
  }
  return out;
}
