// Panoptic pseudo labels from instance masks and a semantic map (U2Seg's merge), and the
// inference-time fusion of a trained model's outputs (detectron2 PanopticFPN defaults).
// Implements method.md §5 steps 1–2 (mergePanopticPseudoLabels) and step 3 (fusePanopticPredictions).
//
// Conventions of mergePanopticPseudoLabels, after U2Seg's generate_pseudo_panoptic.py:
//  - instance clusterId is 0-based → thing category clusterId + 1 (1..K); semantic labels are
//    0-based cluster indices c → stuff category K + c + 1 (the reference's c is 1-based);
//    labels outside [0, numSemanticClasses) are void and ignored;
//  - segment ids: instances get 1, 2, … in painting order (box area w·h descending, ties in input
//    order), including instances later dropped for having no pixel left; stuff ids continue after;
//  - a semantic class is skipped when more than maxThingCoverage (70 %) of its pixels are already
//    instance pixels — exactly 70 % is kept;
//  - area and bbox are measured on the final id map (the reference leaves stuff's empty).

import type { BboxXYWH } from '../coco/types';
import { maskBbox } from './mask-ops';
import type { SizeHW } from './upsample';

export interface ThingInstance {
  maskRowMajor: Uint8Array;
  /** 0-based instance cluster → category clusterId + 1. */
  clusterId: number;
  /** Box used for the painting order; computed from the mask when absent. */
  bbox?: BboxXYWH;
}

export interface PanopticSegment {
  id: number;
  categoryId: number;
  isThing: boolean;
  area: number;
  bbox: BboxXYWH;
  /** Index into the input instances (things only). */
  instanceIndex?: number;
  /** Input semantic label (stuff only). */
  semanticLabel?: number;
  score?: number;
}

export interface PanopticResult {
  /** Segment id per pixel, 0 = void, [height·width] row-major. */
  idsRowMajor: Uint32Array;
  segments: PanopticSegment[];
}

export interface MergeOptions {
  maxThingCoverage?: number;
}

/** method.md §5 steps 1–2. */
export function mergePanopticPseudoLabels(
  sizeHW: SizeHW,
  instances: ThingInstance[],
  semanticRowMajor: ArrayLike<number>,
  numThingClusters: number,
  numSemanticClasses: number,
  options: MergeOptions = {},
): PanopticResult {
  const { height, width } = sizeHW;
  const n = height * width;
  const ids = new Uint32Array(n);
  const boxArea = instances.map((inst) => {
    const b = inst.bbox ?? maskBbox(inst.maskRowMajor, height, width);
    return b ? b[2] * b[3] : 0;
  });
  const order = instances.map((_, i) => i).sort((a, b) => boxArea[b] - boxArea[a] || a - b);
  const pending: Omit<PanopticSegment, 'area' | 'bbox'>[] = [];
  let nextId = 1;
  for (const idx of order) {
    const mask = instances[idx].maskRowMajor;
    const id = nextId++;
    for (let i = 0; i < n; i++) if (mask[i]) ids[i] = id;
    pending.push({ id, categoryId: instances[idx].clusterId + 1, isThing: true, instanceIndex: idx });
  }
  const numClasses = numSemanticClasses;
  const maxCoverage = options.maxThingCoverage ?? 0.7;
  const classPixels = new Float64Array(numClasses);
  const coveredPixels = new Float64Array(numClasses);
  for (let i = 0; i < n; i++) {
    const c = semanticRowMajor[i];
    if (!(c >= 0 && c < numClasses)) continue;
    classPixels[c]++;
    if (ids[i] !== 0) coveredPixels[c]++;
  }
  for (let c = 0; c < numClasses; c++) {
    if (classPixels[c] === coveredPixels[c]) continue; // no free pixel of this class (or none at all)
    if (coveredPixels[c] / classPixels[c] > maxCoverage) continue; // those pixels stay void
    const id = nextId++;
    for (let i = 0; i < n; i++) if (semanticRowMajor[i] === c && ids[i] === 0) ids[i] = id;
    pending.push({ id, categoryId: numThingClusters + c + 1, isThing: false, semanticLabel: c });
  }
  return { idsRowMajor: ids, segments: measureSegments(ids, sizeHW, pending) };
}

/** Adds area and bbox from the id map and drops segments with no pixel. */
function measureSegments(ids: Uint32Array, sizeHW: SizeHW, pending: Omit<PanopticSegment, 'area' | 'bbox'>[]): PanopticSegment[] {
  const { width } = sizeHW;
  const stats = new Map<number, { area: number; x0: number; y0: number; x1: number; y1: number }>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === 0) continue;
    const x = i % width, y = (i - x) / width;
    const s = stats.get(id);
    if (!s) stats.set(id, { area: 1, x0: x, y0: y, x1: x, y1: y });
    else {
      s.area++;
      s.x0 = Math.min(s.x0, x);
      s.x1 = Math.max(s.x1, x);
      s.y0 = Math.min(s.y0, y);
      s.y1 = Math.max(s.y1, y);
    }
  }
  const out: PanopticSegment[] = [];
  for (const seg of pending) {
    const s = stats.get(seg.id);
    if (s) out.push({ ...seg, area: s.area, bbox: [s.x0, s.y0, s.x1 - s.x0 + 1, s.y1 - s.y0 + 1] });
  }
  return out;
}

/**
 * The things of a panoptic map from overlapping, scored proposals (the multi-view stage's wholes
 * and parts): detectron2's rule of step 3 without its score threshold. In score order, a mask is
 * skipped when more than `overlapMax` of its pixels are taken by the masks kept before it, and a
 * kept mask keeps only its free pixels. U2Seg's merge paints every pseudo mask, which is right for
 * MaskCut's disjoint masks but lets every part cut its whole into pieces.
 * Returns, per input mask, its pixels in the panoptic map, or null when skipped.
 */
export function disjointThings(masksRowMajor: readonly Uint8Array[], scores: readonly number[], overlapMax = 0.5): (Uint8Array | null)[] {
  const out: (Uint8Array | null)[] = masksRowMajor.map(() => null);
  if (!masksRowMajor.length) return out;
  const taken = new Uint8Array(masksRowMajor[0].length);
  const order = masksRowMajor.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  for (const idx of order) {
    const mask = masksRowMajor[idx];
    let area = 0, overlap = 0;
    for (let i = 0; i < mask.length; i++) {
      area += mask[i];
      overlap += mask[i] & taken[i];
    }
    if (area === 0 || overlap / area > overlapMax) continue;
    const free = new Uint8Array(mask.length);
    for (let i = 0; i < mask.length; i++) {
      free[i] = mask[i] & (taken[i] ^ 1);
      taken[i] |= mask[i];
    }
    out[idx] = free;
  }
  return out;
}

/**
 * The masks a panoptic merge paints for a proposal stage: every one of MaskCut's (U2Seg's merge as
 * published); of the multi-view stage's overlapping wholes and parts, disjointThings' set, a
 * skipped mask becoming empty so that instance indices still name the input masks.
 */
export function panopticMasks(masksRowMajor: readonly Uint8Array[], scores: readonly number[], proposals: 'reference' | 'multi' | undefined): Uint8Array[] {
  if (proposals !== 'multi') return [...masksRowMajor];
  const empty = new Uint8Array(masksRowMajor[0]?.length ?? 0);
  return disjointThings(masksRowMajor, scores).map((m) => m ?? empty);
}

export interface ScoredInstance {
  maskRowMajor: Uint8Array;
  score: number;
  categoryId: number;
}

export interface FusionOptions {
  scoreThreshold?: number;
  overlapThreshold?: number;
  stuffAreaMin?: number;
  /** Semantic label that means "thing" in the semantic head's output; never a stuff segment. */
  thingSemanticLabel?: number;
}

/**
 * method.md §5 step 3, detectron2's combine_semantic_and_instance_outputs: instances by score
 * (stop below 0.5), skip one whose pixels are > 50 % taken, keep its free pixels; then each
 * semantic label (ascending, except the thing label 0) fills the free pixels unless fewer than
 * 4096. Stuff categoryId is the semantic label itself.
 */
export function fusePanopticPredictions(
  sizeHW: SizeHW,
  instances: ScoredInstance[],
  semanticRowMajor: ArrayLike<number>,
  options: FusionOptions = {},
): PanopticResult {
  const n = sizeHW.height * sizeHW.width;
  const scoreMin = options.scoreThreshold ?? 0.5;
  const overlapMax = options.overlapThreshold ?? 0.5;
  const stuffMin = options.stuffAreaMin ?? 4096;
  const thingLabel = options.thingSemanticLabel ?? 0;
  const ids = new Uint32Array(n);
  const pending: Omit<PanopticSegment, 'area' | 'bbox'>[] = [];
  let nextId = 1;
  const order = instances.map((_, i) => i).sort((a, b) => instances[b].score - instances[a].score || a - b);
  for (const idx of order) {
    const inst = instances[idx];
    if (inst.score < scoreMin) break;
    let area = 0, taken = 0;
    for (let i = 0; i < n; i++) {
      if (!inst.maskRowMajor[i]) continue;
      area++;
      if (ids[i] !== 0) taken++;
    }
    if (area === 0 || taken / area > overlapMax) continue;
    const id = nextId++;
    for (let i = 0; i < n; i++) if (inst.maskRowMajor[i] && ids[i] === 0) ids[i] = id;
    pending.push({ id, categoryId: inst.categoryId, isThing: true, instanceIndex: idx, score: inst.score });
  }
  const labels = [...new Set(Array.from({ length: n }, (_, i) => semanticRowMajor[i]))].sort((a, b) => a - b);
  for (const label of labels) {
    if (label === thingLabel) continue;
    let free = 0;
    for (let i = 0; i < n; i++) if (semanticRowMajor[i] === label && ids[i] === 0) free++;
    if (free < stuffMin) continue;
    const id = nextId++;
    for (let i = 0; i < n; i++) if (semanticRowMajor[i] === label && ids[i] === 0) ids[i] = id;
    pending.push({ id, categoryId: label, isThing: false, semanticLabel: label });
  }
  return { idsRowMajor: ids, segments: measureSegments(ids, sizeHW, pending) };
}
