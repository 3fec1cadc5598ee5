// MaskCut (CutLER): up to N instance masks per image on the patch grid from the last block's keys.
// Implements method.md §2 steps 1–5 (step 6–7 live in upsample.ts and refine.ts).
//
// Details follow CutLER's maskcut/maskcut.py:
//  - bipartition = y > mean(y); seed = argmax|y|;
//  - 3 or 4 foreground grid corners → flip; otherwise flip when the seed is not foreground;
//    after a flip y is negated and the seed becomes argmax of the negated y (argmax y otherwise);
//  - only the 4-connected foreground component containing the seed is kept;
//  - from the second round on, a mask is discarded (replaced by an empty mask) when its IoU with
//    the previous round's mask is > 0.5 or its area is ≤ 1 % of the grid; the first mask is never
//    discarded. Since a discarded round leaves the keys unchanged, the next round sees the same
//    graph and yields the same candidate, now compared with an empty previous mask — the
//    reference behaves so and this module reproduces it (reusing the solve rather than repeating it).
// Sign convention: y comes from ncut-eigen with y[argmax|y|] > 0, so the seed is always in the
// initial foreground and only the corner rule flips. (With scipy's arbitrary sign the reference
// sometimes starts from −y, and then flips whenever the seed is background: same result unless
// the seed's side holds 3+ corners.)

import {
  isolateNodes,
  l2NormalizeRows,
  type NcutEigenOptions,
  type NcutEigenResult,
  secondSmallestNcutEigenvector,
  thresholdGraph,
} from './ncut-eigen';
import { connectedComponent4, maskArea, maskIou } from './mask-ops';

export interface MaskCutOptions {
  /** Affinity threshold τ on key cosines (backbone dependent, see the model manifest). */
  tau?: number;
  /** N: rounds, i.e. the most masks per image. */
  maxMasks?: number;
  /** Discard a mask whose IoU with the previous round's mask exceeds this. */
  maxIouWithPrevious?: number;
  /** Discard a mask whose area is at most this fraction of the grid. */
  minAreaFraction?: number;
  eigen?: NcutEigenOptions;
}

export const MASKCUT_DEFAULTS = { tau: 0.15, maxMasks: 3, maxIouWithPrevious: 0.5, minAreaFraction: 0.01 } as const;

export interface MaskCutRound {
  /** The seed's component, [gridH·gridW] 0/1, before the IoU/area rules. */
  candidateRowMajor: Uint8Array;
  /** This round's mask: the candidate, or all zeros when discarded. */
  maskRowMajor: Uint8Array;
  discarded: 'iou' | 'area' | null;
  /** Patch index (row·gridW + col) of the seed after any flip. */
  seedIndex: number;
  /** Foreground grid corners of y > mean(y), before any flip. */
  cornerCount: number;
  flipped: boolean;
  /** y with the module's sign convention, before any flip (yᵀDy = 1). */
  eigenvector: Float64Array;
  eigenvalue: number;
}

export interface MaskCutResult {
  gridH: number;
  gridW: number;
  rounds: MaskCutRound[];
  /** Masks of the rounds that were not discarded, in round order. */
  masks: Uint8Array[];
}

/** Runs MaskCut on keys [gridH·gridW, keyDim] row-major over the grid. */
export function maskCut(keysRowMajor: ArrayLike<number>, gridH: number, gridW: number, keyDim: number, options: MaskCutOptions = {}): MaskCutResult {
  const tau = options.tau ?? MASKCUT_DEFAULTS.tau;
  const maxMasks = options.maxMasks ?? MASKCUT_DEFAULTS.maxMasks;
  const maxIou = options.maxIouWithPrevious ?? MASKCUT_DEFAULTS.maxIouWithPrevious;
  const minArea = options.minAreaFraction ?? MASKCUT_DEFAULTS.minAreaFraction;
  const n = gridH * gridW;
  // The Gram matrix is built once; later rounds only isolate the patches of the previous mask.
  const adj = thresholdGraph(l2NormalizeRows(keysRowMajor, n, keyDim), n, keyDim, tau);
  const rounds: MaskCutRound[] = [];
  let previous: Uint8Array | null = null;
  let solve: NcutEigenResult | null = null;
  for (let round = 0; round < maxMasks; round++) {
    if (previous && maskArea(previous) > 0) {
      isolateNodes(adj, previous, tau);
      solve = null;
    }
    solve = solve ?? secondSmallestNcutEigenvector(adj, options.eigen);
    const cut = bipartitionFromEigenvector(solve.vector, gridH, gridW);
    const candidate = connectedComponent4(cut.foreground, gridH, gridW, cut.seedIndex);
    let discarded: MaskCutRound['discarded'] = null;
    if (previous) {
      if (maskIou(previous, candidate) > maxIou) discarded = 'iou';
      else if (maskArea(candidate) / n <= minArea) discarded = 'area';
    }
    const mask = discarded ? new Uint8Array(n) : candidate;
    rounds.push({
      candidateRowMajor: candidate,
      maskRowMajor: mask,
      discarded,
      seedIndex: cut.seedIndex,
      cornerCount: cut.cornerCount,
      flipped: cut.flipped,
      eigenvector: solve.vector,
      eigenvalue: solve.eigenvalue,
    });
    previous = mask;
  }
  return { gridH, gridW, rounds, masks: rounds.filter((r) => !r.discarded).map((r) => r.maskRowMajor) };
}

export interface Bipartition {
  /** 0/1 per patch, after any flip. */
  foreground: Uint8Array;
  seedIndex: number;
  cornerCount: number;
  flipped: boolean;
}

/** Steps 3 of method.md §2: mean split, corner rule, seed rule (see the module comment). */
export function bipartitionFromEigenvector(y: Float64Array, gridH: number, gridW: number): Bipartition {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  const foreground = new Uint8Array(n);
  for (let i = 0; i < n; i++) foreground[i] = y[i] > mean ? 1 : 0;
  const seedByMagnitude = argmax(n, (i) => Math.abs(y[i]));
  const corners = [0, gridW - 1, (gridH - 1) * gridW, gridH * gridW - 1];
  const cornerCount = corners.reduce((s, p) => s + foreground[p], 0);
  const flipped = cornerCount >= 3 || !foreground[seedByMagnitude];
  if (flipped) for (let i = 0; i < n; i++) foreground[i] = 1 - foreground[i];
  const seedIndex = flipped ? argmax(n, (i) => -y[i]) : argmax(n, (i) => y[i]);
  return { foreground, seedIndex, cornerCount, flipped };
}

/** First index of the maximum, like numpy.argmax. */
function argmax(n: number, value: (i: number) => number): number {
  let best = 0;
  let bestValue = value(0);
  for (let i = 1; i < n; i++) {
    const v = value(i);
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}
