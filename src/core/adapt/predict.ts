// From the head's per-patch class scores to the pipeline's outputs: a semantic map (bilinear
// upsampling of the patch probabilities, argmax per pixel), instances (4-connected components of
// each thing class on the grid, upsampled, scored by mean class probability) and a panoptic map
// (the U2Seg merge of method.md §5 over those). Method.md §6 (re-predict after self-training).
//
// An instance's mask is its component's grid mask upsampled bilinearly (> 0.5) and kept only where
// the semantic map says its class, so instances and semantics agree pixel for pixel. Objects of one
// class that touch on the grid come out as one instance: the head has no instance cue.
import { encodeMask, rleToBbox } from '../coco/rle';
import type { BboxXYWH, Rle } from '../coco/types';
import { mergePanopticPseudoLabels, type PanopticResult } from '../pipeline/panoptic-merge';
import { bilinearTaps, type SizeHW } from '../pipeline/upsample';
import { headProbabilities, type HeadClasses, type PatchHead } from './head';
import { cellBounds } from './targets';
import { IGNORE_TARGET } from './train';

export interface PredictOptions {
  /** Components of fewer patches are not instances (default 1). */
  minPatches: number;
  /** Build the panoptic map (default true; scoring semantics and instances alone can skip it). */
  panoptic: boolean;
}

export interface PredictedInstance {
  /** Label-resolution mask. */
  rle: Rle;
  bbox: BboxXYWH;
  area: number;
  /** Mean probability of its class over the component's patches. */
  score: number;
  classIndex: number;
  patchCount: number;
}

export interface HeadPrediction {
  labelSizeHW: SizeHW;
  gridH: number;
  gridW: number;
  /** [gridH·gridW, classCount] softmax probabilities. */
  patchProbabilities: Float32Array;
  /** Argmax class per patch. */
  patchClasses: Uint8Array;
  /** Class per pixel at the label resolution. */
  semanticRowMajor: Uint8Array;
  instances: PredictedInstance[];
  /** Things are categories 1..T (class + 1), stuff classes follow (class + 1 when T ≥ 1); null when not asked for. */
  panoptic: PanopticResult | null;
}

/** Argmax per row of a [rows, cols] array (ties: lowest index). */
export function argmaxRows(values: Float32Array, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c] > values[r * cols + best]) best = c;
    out[r] = best;
  }
  return out;
}

/** Argmax per pixel of the bilinearly upsampled scores (PyTorch align_corners=False), streamed. */
export function upsampledArgmax(scores: Float32Array, gridH: number, gridW: number, classCount: number, sizeHW: SizeHW): Uint8Array {
  const { height, width } = sizeHW;
  const ty = bilinearTaps(gridH, height), tx = bilinearTaps(gridW, width);
  const out = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) {
    const r0 = ty.lo[y] * gridW, r1 = ty.hi[y] * gridW, fy = ty.frac[y];
    for (let x = 0; x < width; x++) {
      const fx = tx.frac[x];
      const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
      const p00 = (r0 + tx.lo[x]) * classCount, p01 = (r0 + tx.hi[x]) * classCount;
      const p10 = (r1 + tx.lo[x]) * classCount, p11 = (r1 + tx.hi[x]) * classCount;
      let best = 0, bestScore = -Infinity;
      for (let c = 0; c < classCount; c++) {
        const s = w00 * scores[p00 + c] + w01 * scores[p01 + c] + w10 * scores[p10 + c] + w11 * scores[p11 + c];
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      out[y * width + x] = best;
    }
  }
  return out;
}

export interface GridComponent {
  classIndex: number;
  /** Patch indices (row-major), in discovery order. */
  patches: number[];
}

/** 4-connected components of equal labels on the grid, for labels where keep(label) holds, in raster order of their first patch. */
export function gridComponents(labels: ArrayLike<number>, gridH: number, gridW: number, keep: (label: number) => boolean): GridComponent[] {
  const seen = new Uint8Array(gridH * gridW);
  const out: GridComponent[] = [];
  for (let start = 0; start < gridH * gridW; start++) {
    const label = labels[start];
    if (seen[start] || !keep(label)) continue;
    const patches = [start];
    seen[start] = 1;
    for (let k = 0; k < patches.length; k++) {
      const p = patches[k], x = p % gridW;
      const next = [x > 0 ? p - 1 : -1, x < gridW - 1 ? p + 1 : -1, p - gridW, p + gridW];
      for (const q of next) {
        if (q < 0 || q >= gridH * gridW || seen[q] || labels[q] !== label) continue;
        seen[q] = 1;
        patches.push(q);
      }
    }
    out.push({ classIndex: label, patches });
  }
  return out;
}

/**
 * The component's 0/1 grid mask upsampled bilinearly (> 0.5), kept where the semantic map says its
 * class. Only pixels within one cell of the component's grid box can pass 0.5, so only they are visited.
 */
function componentMask(comp: GridComponent, gridH: number, gridW: number, semantic: Uint8Array, sizeHW: SizeHW): Uint8Array {
  const { height, width } = sizeHW;
  const grid = new Uint8Array(gridH * gridW);
  let gy0 = gridH, gy1 = 0, gx0 = gridW, gx1 = 0;
  for (const p of comp.patches) {
    grid[p] = 1;
    const gy = Math.floor(p / gridW), gx = p - gy * gridW;
    gy0 = Math.min(gy0, gy);
    gy1 = Math.max(gy1, gy);
    gx0 = Math.min(gx0, gx);
    gx1 = Math.max(gx1, gx);
  }
  const rows = cellBounds(height, gridH), cols = cellBounds(width, gridW);
  const ty = bilinearTaps(gridH, height), tx = bilinearTaps(gridW, width);
  const mask = new Uint8Array(height * width);
  for (let y = rows[Math.max(gy0 - 1, 0)]; y < rows[Math.min(gy1 + 2, gridH)]; y++) {
    const r0 = ty.lo[y] * gridW, r1 = ty.hi[y] * gridW, fy = ty.frac[y];
    for (let x = cols[Math.max(gx0 - 1, 0)]; x < cols[Math.min(gx1 + 2, gridW)]; x++) {
      const c0 = tx.lo[x], c1 = tx.hi[x], fx = tx.frac[x];
      const v = (grid[r0 + c0] * (1 - fx) + grid[r0 + c1] * fx) * (1 - fy) + (grid[r1 + c0] * (1 - fx) + grid[r1 + c1] * fx) * fy;
      if (v > 0.5 && semantic[y * width + x] === comp.classIndex) mask[y * width + x] = 1;
    }
  }
  return mask;
}

function componentInstance(
  comp: GridComponent, probs: Float32Array, classCount: number, gridH: number, gridW: number,
  semantic: Uint8Array, sizeHW: SizeHW,
): { instance: PredictedInstance; maskRowMajor: Uint8Array } | null {
  const mask = componentMask(comp, gridH, gridW, semantic, sizeHW);
  let area = 0;
  for (let i = 0; i < mask.length; i++) area += mask[i];
  if (area === 0) return null;
  let probSum = 0;
  for (const p of comp.patches) probSum += probs[p * classCount + comp.classIndex];
  const rle = encodeMask(mask, sizeHW.height, sizeHW.width);
  const instance = { rle, bbox: rleToBbox(rle), area, score: probSum / comp.patches.length, classIndex: comp.classIndex, patchCount: comp.patches.length };
  return { instance, maskRowMajor: mask };
}

/** All outputs of one image from its per-patch probabilities [gridH·gridW, classCount]. */
export function predictFromProbabilities(
  probs: Float32Array, gridH: number, gridW: number, classes: HeadClasses, labelSizeHW: SizeHW,
  options: Partial<PredictOptions> = {},
): HeadPrediction {
  const classCount = classes.names.length, thingCount = classes.thingCount;
  if (probs.length !== gridH * gridW * classCount) throw new Error(`scores hold ${probs.length} values; expected ${gridH}×${gridW}×${classCount}`);
  const minPatches = options.minPatches ?? 1;
  const patchClasses = argmaxRows(probs, gridH * gridW, classCount);
  const semantic = upsampledArgmax(probs, gridH, gridW, classCount, labelSizeHW);
  const made = gridComponents(patchClasses, gridH, gridW, (c) => c < thingCount)
    .filter((comp) => comp.patches.length >= minPatches)
    .map((comp) => componentInstance(comp, probs, classCount, gridH, gridW, semantic, labelSizeHW))
    .filter((m): m is NonNullable<typeof m> => m !== null);
  const panoptic = options.panoptic === false ? null : panopticOf(made, semantic, classes, labelSizeHW);
  return {
    labelSizeHW, gridH, gridW, patchProbabilities: probs, patchClasses, semanticRowMajor: semantic,
    instances: made.map((m) => m.instance), panoptic,
  };
}

/** method.md §5's merge over the predicted instances and the stuff classes of the semantic map. */
function panopticOf(made: { instance: PredictedInstance; maskRowMajor: Uint8Array }[], semantic: Uint8Array, classes: HeadClasses, sizeHW: SizeHW): PanopticResult {
  const thingCount = classes.thingCount;
  const stuffOfPixel = new Uint8Array(semantic.length);
  for (let i = 0; i < semantic.length; i++) stuffOfPixel[i] = semantic[i] >= thingCount ? semantic[i] - thingCount : IGNORE_TARGET;
  const things = made.map((m) => ({ maskRowMajor: m.maskRowMajor, clusterId: m.instance.classIndex, bbox: m.instance.bbox }));
  const panoptic = mergePanopticPseudoLabels(sizeHW, things, stuffOfPixel, Math.max(thingCount, 1), classes.names.length - thingCount);
  for (const seg of panoptic.segments) if (seg.instanceIndex !== undefined) seg.score = made[seg.instanceIndex].instance.score;
  return panoptic;
}

/** Runs the head on one image's tokens and makes every output. */
export function predictImage(
  head: PatchHead, tokensRowMajor: Float32Array, gridH: number, gridW: number, labelSizeHW: SizeHW,
  options: Partial<PredictOptions> = {},
): HeadPrediction {
  const probs = headProbabilities(head, tokensRowMajor, gridH * gridW);
  return predictFromProbabilities(probs, gridH, gridW, head.classes, labelSizeHW, options);
}

export interface MaskClass {
  /** Best class (a thing class unless asked for all) by mean probability, −1 when none fits or the mask is empty. */
  classIndex: number;
  /** Its mean probability over the mask's pixels. */
  score: number;
}

/**
 * Classifies given masks (e.g. MaskCut's, label resolution) with the head: the mean of the patch
 * probabilities over the mask's pixels (each pixel takes its grid cell's vector), best thing class
 * (or best of all classes, so that a mask the head calls stuff can be dropped).
 */
export function classifyMasks(
  probs: Float32Array, gridH: number, gridW: number, classes: HeadClasses, masksRowMajor: readonly Uint8Array[], sizeHW: SizeHW,
  among: 'things' | 'all' = 'things',
): MaskClass[] {
  const candidates = among === 'all' ? classes.names.length : classes.thingCount;
  const classCount = classes.names.length;
  const rows = cellBounds(sizeHW.height, gridH), cols = cellBounds(sizeHW.width, gridW);
  const cellOfRow = new Int32Array(sizeHW.height), cellOfCol = new Int32Array(sizeHW.width);
  for (let g = 0; g < gridH; g++) cellOfRow.fill(g, rows[g], rows[g + 1]);
  for (let g = 0; g < gridW; g++) cellOfCol.fill(g, cols[g], cols[g + 1]);
  return masksRowMajor.map((mask) => {
    const perCell = new Float64Array(gridH * gridW);
    let pixels = 0;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const y = Math.floor(i / sizeHW.width), x = i - y * sizeHW.width;
      perCell[cellOfRow[y] * gridW + cellOfCol[x]]++;
      pixels++;
    }
    let best = -1, bestScore = 0;
    for (let c = 0; c < candidates && pixels > 0; c++) {
      let s = 0;
      for (let p = 0; p < perCell.length; p++) if (perCell[p]) s += perCell[p] * probs[p * classCount + c];
      if (best < 0 || s / pixels > bestScore) {
        best = c;
        bestScore = s / pixels;
      }
    }
    return { classIndex: best, score: bestScore };
  });
}
