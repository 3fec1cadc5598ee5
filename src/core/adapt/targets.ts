// Per-patch training targets for the adaptation head: a class per pixel (pseudo labels or COCO
// ground truth) reduced to the backbone grid by majority vote. Method.md §6 (self-training and
// few-shot targets), with the pseudo-label classes of §3–§5.
//
// Grid cells: the backbone sees the whole photo resized to its square input, so cell (gy, gx)
// covers pixel rows [⌊gy·H/gridH⌋, ⌊(gy+1)·H/gridH⌋) and likewise columns; every pixel is in one cell.
// A cell is void (IGNORE_TARGET) when more than maxVoidFraction of its pixels are void (or it has
// none); otherwise it takes the most frequent class among its labelled pixels (ties: lowest index).
//
// Ground truth (COCO instances, things only): annotations are painted largest mask first, so a
// smaller object on a larger one keeps its pixels (as the eval's panoptic maps); crowd regions are
// void; pixels of no annotation get `backgroundClass` — the 'other' class (stuff and unlabelled
// things) in this project's few-shot setting, so the head learns to say "not one of these".
import { decodeMask, rleArea } from '../coco/rle';
import type { Rle } from '../coco/types';
import type { PanopticResult } from '../pipeline/panoptic-merge';
import type { SizeHW } from '../pipeline/upsample';
import { IGNORE_TARGET } from './train';

export interface PatchTargetOptions {
  /** A cell with more void pixels than this fraction is void (default 0.5). */
  maxVoidFraction: number;
}

/** First pixel row (or column) of each of `cells` cells over `pixels`, plus the end: [cells + 1]. */
export function cellBounds(pixels: number, cells: number): Int32Array {
  return Int32Array.from({ length: cells + 1 }, (_, i) => Math.floor((i * pixels) / cells));
}

/** Majority class per grid cell of a per-pixel class map (values ≥ classCount, e.g. 255, are void). */
export function patchTargetsFromClassMap(
  classRowMajor: ArrayLike<number>, sizeHW: SizeHW, gridH: number, gridW: number, classCount: number,
  options: Partial<PatchTargetOptions> = {},
): Uint8Array {
  const { height, width } = sizeHW;
  if (classRowMajor.length !== height * width) throw new Error(`class map has ${classRowMajor.length} pixels; expected ${height}×${width}`);
  const maxVoid = options.maxVoidFraction ?? 0.5;
  const rows = cellBounds(height, gridH), cols = cellBounds(width, gridW);
  const counts = new Int32Array(classCount);
  const out = new Uint8Array(gridH * gridW).fill(IGNORE_TARGET);
  for (let gy = 0; gy < gridH; gy++) {
    for (let gx = 0; gx < gridW; gx++) {
      counts.fill(0);
      let pixels = 0, voids = 0;
      for (let y = rows[gy]; y < rows[gy + 1]; y++) {
        for (let x = cols[gx]; x < cols[gx + 1]; x++) {
          const c = classRowMajor[y * width + x];
          pixels++;
          if (c >= 0 && c < classCount) counts[c]++;
          else voids++;
        }
      }
      if (pixels === 0 || voids > maxVoid * pixels) continue;
      let best = 0;
      for (let c = 1; c < classCount; c++) if (counts[c] > counts[best]) best = c;
      out[gy * gridW + gx] = best;
    }
  }
  return out;
}

export interface PseudoClassOptions {
  /** Keep the panoptic merge's void pixels void (default false: they take their stuff cluster). */
  keepPanopticVoid: boolean;
}

/**
 * Pseudo-label class per pixel (label resolution) from the pipeline's labels: the thing cluster t of
 * the panoptic thing segment covering the pixel → class t (0..thingK−1), otherwise its stuff cluster
 * c → class thingK + c. Panoptic thing categories are t + 1 (method.md §5).
 */
export function pseudoClassMap(
  semanticRowMajor: ArrayLike<number>, panoptic: PanopticResult, thingK: number, stuffK: number,
  options: Partial<PseudoClassOptions> = {},
): Uint8Array {
  if (thingK + stuffK > IGNORE_TARGET) throw new Error(`${thingK} + ${stuffK} classes do not fit below the ignore label ${IGNORE_TARGET}`);
  const ids = panoptic.idsRowMajor;
  if (semanticRowMajor.length !== ids.length) throw new Error('semantic and panoptic maps differ in size');
  const thingOfSegment = new Map<number, number>();
  for (const s of panoptic.segments) if (s.isThing) thingOfSegment.set(s.id, s.categoryId - 1);
  const out = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const thing = ids[i] ? thingOfSegment.get(ids[i]) : undefined;
    const stuff = semanticRowMajor[i];
    if (thing !== undefined) out[i] = thing;
    else if (options.keepPanopticVoid && ids[i] === 0) out[i] = IGNORE_TARGET;
    else out[i] = stuff >= 0 && stuff < stuffK ? thingK + stuff : IGNORE_TARGET;
  }
  return out;
}

export interface GtInstance {
  /** Mask at the class map's size. */
  rle: Rle;
  /** Head class of the annotation; −1 makes its pixels void. */
  classIndex: number;
  iscrowd: number;
}

/** Class per pixel from ground-truth instances (see the header for painting order and crowds). */
export function groundTruthClassMap(instances: readonly GtInstance[], sizeHW: SizeHW, backgroundClass: number): Uint8Array {
  const { height, width } = sizeHW;
  const out = new Uint8Array(height * width).fill(backgroundClass);
  const order = instances.map((inst, i) => ({ i, area: rleArea(inst.rle) })).sort((a, b) => b.area - a.area || a.i - b.i);
  for (const { i } of order) {
    const inst = instances[i];
    if (inst.rle.size[0] !== height || inst.rle.size[1] !== width) throw new Error(`annotation ${i} is ${inst.rle.size.join('×')}, the map ${height}×${width}`);
    const value = inst.iscrowd || inst.classIndex < 0 || inst.classIndex >= IGNORE_TARGET ? IGNORE_TARGET : inst.classIndex;
    const mask = decodeMask(inst.rle);
    for (let p = 0; p < mask.length; p++) if (mask[p]) out[p] = value;
  }
  return out;
}
