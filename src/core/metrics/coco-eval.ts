// pycocotools COCOeval.evaluate/evaluateImg (bbox, segm) and the cocoEvaluate entry point.
// Method §7: greedy matching by score per image and category, crowd regions matched as ignore.

import { accumulate, summarize, type CocoAccumulation } from './coco-accumulate';
import {
  defaultCocoEvalParams,
  loadResults,
  type CocoEvalParams,
  type CocoGtAnnotation,
  type CocoGtDataset,
  type CocoResult,
  type IouType,
  type LoadedResult,
} from './coco-eval-params';
import { bboxIouMatrix, rleIouMatrix } from './iou';

/** evaluateImg's output for one (image, category, area range); T = iouThrs.length. */
export interface EvalImgResult {
  imageId: number;
  /** -1 when useCats is false. */
  categoryId: number;
  areaRng: [number, number];
  maxDet: number;
  /** Detections by descending score (stable), at most maxDet. */
  dtIds: number[];
  dtScores: number[];
  /** Ground truths with the ignored ones last (stable). */
  gtIds: number[];
  /** [t * D + d]: matched gt id, or 0. */
  dtMatches: Float64Array;
  /** [t * G + g]: matched dt id, or 0. */
  gtMatches: Float64Array;
  /** [g]: 1 where crowd or outside the area range. */
  gtIgnore: Uint8Array;
  /** [t * D + d]: 1 where matched to an ignored gt, or unmatched and outside the area range. */
  dtIgnore: Uint8Array;
}

/** Ground truths and detections of one image, grouped per category in input order. */
interface ImageCategoryGroups {
  gts: Map<string, CocoGtAnnotation[]>;
  dts: Map<string, LoadedResult[]>;
}

const groupKey = (imgId: number, catId: number): string => `${imgId}:${catId}`;

function groupByImageCategory(gt: CocoGtDataset, dts: LoadedResult[], p: CocoEvalParams): ImageCategoryGroups {
  const imgSet = new Set(p.imgIds);
  const catSet = new Set(p.catIds);
  const gts = new Map<string, CocoGtAnnotation[]>();
  const dtsByKey = new Map<string, LoadedResult[]>();
  const push = <T>(map: Map<string, T[]>, key: string, v: T): void => {
    const list = map.get(key);
    if (list) list.push(v);
    else map.set(key, [v]);
  };
  for (const g of gt.annotations) {
    if (imgSet.has(g.image_id) && catSet.has(g.category_id)) push(gts, groupKey(g.image_id, g.category_id), g);
  }
  for (const d of dts) {
    if (imgSet.has(d.image_id) && catSet.has(d.category_id)) push(dtsByKey, groupKey(d.image_id, d.category_id), d);
  }
  return { gts, dts: dtsByKey };
}

/** The gts and dts evaluated together: one category, or all of p.catIds in order (useCats=false). */
function selectGroup(groups: ImageCategoryGroups, p: CocoEvalParams, imgId: number, catId: number) {
  const cats = p.useCats ? [catId] : p.catIds;
  const gts: CocoGtAnnotation[] = [];
  const dts: LoadedResult[] = [];
  for (const c of cats) {
    gts.push(...(groups.gts.get(groupKey(imgId, c)) ?? []));
    dts.push(...(groups.dts.get(groupKey(imgId, c)) ?? []));
  }
  return { gts, dts };
}

/** Indices sorted by descending score; Array.prototype.sort is stable, like numpy's mergesort. */
function byDescendingScore(dts: { score: number }[]): number[] {
  return dts.map((_, i) => i).sort((a, b) => dts[b].score - dts[a].score);
}

/** computeIoU: top maxDets[-1] detections by score vs all gts in input order, [d * G + g]. */
function computeIou(gts: CocoGtAnnotation[], dtsSorted: LoadedResult[], iouType: IouType): Float64Array {
  const crowd = gts.map((g) => (g.iscrowd ? 1 : 0));
  if (iouType === 'bbox') {
    return bboxIouMatrix(dtsSorted.map((d) => d.bbox), gts.map((g) => g.bbox), crowd);
  }
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`segm evaluation needs an RLE segmentation on every ${what}`);
    return v;
  };
  return rleIouMatrix(
    dtsSorted.map((d) => need(d.segmentation, 'result')),
    gts.map((g) => need(g.segmentation, 'ground truth')),
    crowd,
  );
}

/**
 * The greedy matching at one IoU threshold: each detection, best score first, takes the unmatched
 * (or crowd) gt of highest IoU >= threshold; once it holds a regular gt it stops at the first
 * ignored one, so a regular match is preferred over an ignore region. Returns, per detection,
 * the index into gtOrder of its match or -1.
 */
function matchAtThreshold(
  threshold: number,
  ious: Float64Array,
  nGt: number,
  gtOrder: number[],
  gtIgnore: Uint8Array,
  gtCrowd: Uint8Array,
  dtCount: number,
): Int32Array {
  const dtToGt = new Int32Array(dtCount).fill(-1);
  const gtMatched = new Uint8Array(gtOrder.length);
  for (let d = 0; d < dtCount; d++) {
    let best = Math.min(threshold, 1 - 1e-10);
    let m = -1;
    for (let g = 0; g < gtOrder.length; g++) {
      if (gtMatched[g] && !gtCrowd[g]) continue;
      if (m > -1 && gtIgnore[m] === 0 && gtIgnore[g] === 1) break;
      const iou = ious[d * nGt + gtOrder[g]];
      if (iou < best) continue;
      best = iou;
      m = g;
    }
    if (m === -1) continue;
    dtToGt[d] = m;
    gtMatched[m] = 1;
  }
  return dtToGt;
}

function evaluateImg(
  gtsIn: CocoGtAnnotation[],
  dtsSorted: LoadedResult[],
  ious: Float64Array | null,
  imgId: number,
  catId: number,
  aRng: [number, number],
  p: CocoEvalParams,
): EvalImgResult | null {
  if (gtsIn.length === 0 && dtsSorted.length === 0) return null;
  const maxDet = p.maxDets[p.maxDets.length - 1];
  const ignoreOf = (g: CocoGtAnnotation): number => (g.iscrowd || g.area < aRng[0] || g.area > aRng[1] ? 1 : 0);
  // Stable sort: regular gts first, then ignored, each in input order (numpy mergesort).
  const gtOrder = gtsIn.map((_, i) => i).sort((a, b) => ignoreOf(gtsIn[a]) - ignoreOf(gtsIn[b]));
  const gts = gtOrder.map((i) => gtsIn[i]);
  const dts = dtsSorted.slice(0, maxDet);
  const T = p.iouThrs.length;
  const G = gts.length;
  const D = dts.length;
  const gtIgnore = Uint8Array.from(gts, ignoreOf);
  const gtCrowd = Uint8Array.from(gts, (g) => (g.iscrowd ? 1 : 0));
  const dtMatches = new Float64Array(T * D);
  const gtMatches = new Float64Array(T * G);
  const dtIgnore = new Uint8Array(T * D);
  for (let t = 0; t < T && ious !== null; t++) {
    const dtToGt = matchAtThreshold(p.iouThrs[t], ious, gtsIn.length, gtOrder, gtIgnore, gtCrowd, D);
    for (let d = 0; d < D; d++) {
      const m = dtToGt[d];
      if (m < 0) continue;
      dtIgnore[t * D + d] = gtIgnore[m];
      dtMatches[t * D + d] = gts[m].id;
      gtMatches[t * G + m] = dts[d].id;
    }
  }
  for (let d = 0; d < D; d++) {
    const outside = dts[d].area < aRng[0] || dts[d].area > aRng[1];
    for (let t = 0; t < T; t++) if (outside && dtMatches[t * D + d] === 0) dtIgnore[t * D + d] = 1;
  }
  return {
    imageId: imgId,
    categoryId: catId,
    areaRng: aRng,
    maxDet,
    dtIds: dts.map((d) => d.id),
    dtScores: dts.map((d) => d.score),
    gtIds: gts.map((g) => g.id),
    dtMatches,
    gtMatches,
    gtIgnore,
    dtIgnore,
  };
}

/**
 * COCOeval.evaluate: evalImgs ordered category-major, then area range, then image, as in
 * pycocotools (accumulate indexes them that way). Null where an image has neither gts nor dts.
 */
export function evaluate(gt: CocoGtDataset, dts: LoadedResult[], p: CocoEvalParams): (EvalImgResult | null)[] {
  const gtImgIds = new Set(gt.images.map((im) => im.id));
  for (const d of dts) {
    if (!gtImgIds.has(d.image_id)) throw new Error('Results do not correspond to current coco set');
  }
  const groups = groupByImageCategory(gt, dts, p);
  const catIds = p.useCats ? p.catIds : [-1];
  const maxDet = p.maxDets[p.maxDets.length - 1];
  const perImageCat = new Map<string, { gts: CocoGtAnnotation[]; dts: LoadedResult[]; ious: Float64Array | null }>();
  for (const catId of catIds) {
    for (const imgId of p.imgIds) {
      const { gts, dts: rawDts } = selectGroup(groups, p, imgId, catId);
      const sorted = byDescendingScore(rawDts).slice(0, maxDet).map((i) => rawDts[i]);
      // pycocotools stores [] when either side is empty, which skips matching altogether.
      const ious = gts.length > 0 && sorted.length > 0 ? computeIou(gts, sorted, p.iouType) : null;
      perImageCat.set(groupKey(imgId, catId), { gts, dts: sorted, ious });
    }
  }
  const evalImgs: (EvalImgResult | null)[] = [];
  for (const catId of catIds) {
    for (const aRng of p.areaRng) {
      for (const imgId of p.imgIds) {
        const e = perImageCat.get(groupKey(imgId, catId));
        evalImgs.push(e ? evaluateImg(e.gts, e.dts, e.ious, imgId, catId, aRng, p) : null);
      }
    }
  }
  return evalImgs;
}

export interface CocoEvalOptions {
  iouType: IouType;
  /** false: class-agnostic, all categories pooled (CutLER's AP/AR). Default true. */
  useCats?: boolean;
  /** Override any default parameter (image ids, thresholds, maxDets, ...). */
  params?: Partial<CocoEvalParams>;
}

export interface CocoEvalResult extends CocoAccumulation {
  params: CocoEvalParams;
  /** AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl as fractions; -1 where undefined. */
  stats: number[];
}

/** loadRes + evaluate + accumulate + summarize, the usual COCOeval session. */
export function cocoEvaluate(gt: CocoGtDataset, results: CocoResult[], options: CocoEvalOptions): CocoEvalResult {
  const params: CocoEvalParams = {
    ...defaultCocoEvalParams(options.iouType, gt, options.useCats ?? true),
    ...options.params,
  };
  params.maxDets = [...params.maxDets].sort((a, b) => a - b);
  params.imgIds = [...new Set(params.imgIds)].sort((a, b) => a - b);
  if (params.useCats) params.catIds = [...new Set(params.catIds)].sort((a, b) => a - b);
  const evalImgs = evaluate(gt, loadResults(results), params);
  const acc = accumulate(evalImgs, params);
  return { ...acc, params, stats: summarize(acc, params) };
}
