// Divide-and-conquer splitting of a mask that may hold several instances: a normalized cut over the
// features inside the mask alone, recursively. Extends method.md §2 (after UnSAM's divide step).
//
// Why a graph of its own: inside one MaskCut mask almost every pair of patches is above the
// photo-level τ (that is why they ended up together), so the photo's graph has no structure left
// there. The split graph thresholds the mask's own cosines at their median instead: two instances
// with distinct features then keep their within-instance edges and lose most edges between them,
// while a uniform object gives a graph without a good cut (high λ), which is not split.
// A split is kept when its λ is below `maxEigenvalue` and each side keeps a 4-connected part of at
// least `minPatches` patches; each such part is split again down to `maxDepth`.
import { connectedComponent4 } from './mask-ops';
import { subgraphAdjacency } from './maskcut-rounds';
import { secondSmallestNcutEigenvector, type NcutEigenOptions } from './ncut-eigen';

export interface MaskSplitOptions {
  /** Keep a split only when the cut's λ is below this. */
  maxEigenvalue: number;
  /** Parts smaller than this many patches are neither kept nor split. */
  minPatches: number;
  /** Levels of splitting below the mask (1: only its direct parts). */
  maxDepth: number;
  /** Quantile of the mask's own cosines used as the split graph's threshold. */
  thresholdQuantile: number;
  eigen?: NcutEigenOptions;
}

export const MASK_SPLIT_DEFAULTS: MaskSplitOptions = { maxEigenvalue: 0.5, minPatches: 6, maxDepth: 2, thresholdQuantile: 0.5 };

export interface MaskPart {
  /** 0/1 over the grid, row-major. */
  maskRowMajor: Uint8Array;
  /** Index of the part it was split from in the returned list, or −1 for a direct part of the input mask. */
  parent: number;
  /** λ of the cut that produced it. */
  eigenvalue: number;
  depth: number;
}

/** The q-quantile of the cosines between distinct patches of `nodes`. */
function pairQuantile(cosines: Float64Array, n: number, nodes: Int32Array, q: number): number {
  const values: number[] = [];
  for (let a = 0; a < nodes.length; a++) for (let b = a + 1; b < nodes.length; b++) values.push(cosines[nodes[a] * n + nodes[b]]);
  values.sort((x, y) => x - y);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))];
}

/** The 4-connected components of a 0/1 grid mask holding at least `minPatches` patches, largest first. */
export function largeComponents(maskRowMajor: Uint8Array, gridH: number, gridW: number, minPatches: number): Uint8Array[] {
  const left = Uint8Array.from(maskRowMajor);
  const out: Uint8Array[] = [];
  for (let i = 0; i < left.length; i++) {
    if (!left[i]) continue;
    const component = connectedComponent4(left, gridH, gridW, i);
    let size = 0;
    for (let j = 0; j < component.length; j++) {
      if (component[j]) {
        left[j] = 0;
        size++;
      }
    }
    if (size >= minPatches) out.push(component);
  }
  return out.sort((a, b) => count(b) - count(a));
}

function count(mask: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < mask.length; i++) s += mask[i];
  return s;
}

/** One normalized cut of the mask's own graph: its two sides' large components, or null when the cut is poor. */
export function splitOnce(cosines: Float64Array, gridH: number, gridW: number, maskRowMajor: Uint8Array, options: MaskSplitOptions): { parts: Uint8Array[]; eigenvalue: number } | null {
  const n = gridH * gridW;
  const nodes = Int32Array.from({ length: n }, (_, i) => i).filter((i) => maskRowMajor[i] === 1);
  if (nodes.length < 2 * options.minPatches) return null;
  const tau = pairQuantile(cosines, n, nodes, options.thresholdQuantile);
  const m = nodes.length;
  const adj = subgraphAdjacency(cosines, n, nodes, tau);
  const solve = secondSmallestNcutEigenvector(adj, options.eigen);
  if (solve.eigenvalue > options.maxEigenvalue) return null;
  let mean = 0;
  for (let k = 0; k < m; k++) mean += solve.vector[k];
  mean /= m;
  const sideA = new Uint8Array(n), sideB = new Uint8Array(n);
  for (let k = 0; k < m; k++) (solve.vector[k] > mean ? sideA : sideB)[nodes[k]] = 1;
  const a = largeComponents(sideA, gridH, gridW, options.minPatches);
  const b = largeComponents(sideB, gridH, gridW, options.minPatches);
  // A cut that leaves one side with no sizeable part has found noise, not two instances.
  if (!a.length || !b.length) return null;
  return { parts: [...a, ...b], eigenvalue: solve.eigenvalue };
}

/** Recursive splitting of one grid mask (see the module comment); parts in breadth-first order. */
export function splitMask(cosines: Float64Array, gridH: number, gridW: number, maskRowMajor: Uint8Array, options: MaskSplitOptions = MASK_SPLIT_DEFAULTS): MaskPart[] {
  const out: MaskPart[] = [];
  let frontier: { mask: Uint8Array; index: number }[] = [{ mask: maskRowMajor, index: -1 }];
  for (let depth = 1; depth <= options.maxDepth && frontier.length; depth++) {
    const next: { mask: Uint8Array; index: number }[] = [];
    for (const { mask, index } of frontier) {
      const split = splitOnce(cosines, gridH, gridW, mask, options);
      if (!split) continue;
      for (const part of split.parts) {
        out.push({ maskRowMajor: part, parent: index, eigenvalue: split.eigenvalue, depth });
        next.push({ mask: part, index: out.length - 1 });
      }
    }
    frontier = next;
  }
  return out;
}
