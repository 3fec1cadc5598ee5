// Box and mask IoU matrices with pycocotools' maskApi semantics (bbIou, rleIou, rleArea, rleToBbox).
// Method §7 (COCO AP follows pycocotools): crowd ground truth uses the detection's area as union.

import { rleArea, rleToBbox } from '../coco/rle';
import type { BboxXYWH, Rle } from '../coco/types';

// Area and box come from the COCO RLE module: one implementation of maskApi's rleArea/rleToBbox.
export { rleArea, rleToBbox };

/**
 * IoU of every detection box with every ground-truth box, layout [d * nGt + g] (dt-major, as
 * pycocotools' iou(dt, gt) returns). For a crowd gt the union is the detection's area, so a
 * detection lying inside a crowd region scores 1 however large the region.
 */
export function bboxIouMatrix(dtBoxes: BboxXYWH[], gtBoxes: BboxXYWH[], gtIsCrowd: ArrayLike<number>): Float64Array {
  const nDt = dtBoxes.length;
  const nGt = gtBoxes.length;
  const iou = new Float64Array(nDt * nGt);
  for (let g = 0; g < nGt; g++) {
    const gb = gtBoxes[g];
    const gtArea = gb[2] * gb[3];
    const crowd = gtIsCrowd[g] ? true : false;
    for (let d = 0; d < nDt; d++) {
      const db = dtBoxes[d];
      const dtArea = db[2] * db[3];
      const iw = Math.min(db[2] + db[0], gb[2] + gb[0]) - Math.max(db[0], gb[0]);
      if (iw <= 0) continue;
      const ih = Math.min(db[3] + db[1], gb[3] + gb[1]) - Math.max(db[1], gb[1]);
      if (ih <= 0) continue;
      const inter = iw * ih;
      const union = crowd ? dtArea : dtArea + gtArea - inter;
      iou[d * nGt + g] = inter / union;
    }
  }
  return iou;
}

/** Intersection and union pixel counts of two RLEs of the same size, by walking both run lists. */
function rleIntersectionUnion(a: Rle, b: Rle): { intersection: number; union: number } {
  const ac = a.counts;
  const bc = b.counts;
  let ia = 0;
  let ib = 0;
  let remA = ac.length > 0 ? ac[0] : 0;
  let remB = bc.length > 0 ? bc[0] : 0;
  let onA = false;
  let onB = false;
  let intersection = 0;
  let union = 0;
  for (;;) {
    // Skip exhausted (zero-length) runs so each step advances by a positive amount.
    while (remA === 0 && ia + 1 < ac.length) {
      remA = ac[++ia];
      onA = !onA;
    }
    while (remB === 0 && ib + 1 < bc.length) {
      remB = bc[++ib];
      onB = !onB;
    }
    if (remA === 0 || remB === 0) break;
    const step = Math.min(remA, remB);
    if (onA || onB) {
      union += step;
      if (onA && onB) intersection += step;
    }
    remA -= step;
    remB -= step;
  }
  // Whatever one mask still covers after the other ended (malformed lengths) joins the union.
  if (onA && remA > 0) union += remA;
  if (onB && remB > 0) union += remB;
  return { intersection, union };
}

/**
 * Mask IoU of every detection with every ground truth, layout [d * nGt + g]. Pairs whose boxes
 * do not overlap are 0 without walking the runs (as rleIou's bbIou prefilter); size mismatches
 * give -1 as in maskApi; a crowd gt's union is the detection's area.
 */
export function rleIouMatrix(dtMasks: Rle[], gtMasks: Rle[], gtIsCrowd: ArrayLike<number>): Float64Array {
  const nGt = gtMasks.length;
  const dtBoxes = dtMasks.map(rleToBbox);
  const gtBoxes = gtMasks.map(rleToBbox);
  const iou = bboxIouMatrix(dtBoxes, gtBoxes, gtIsCrowd);
  const dtAreas = dtMasks.map(rleArea);
  for (let d = 0; d < dtMasks.length; d++) {
    for (let g = 0; g < nGt; g++) {
      const k = d * nGt + g;
      if (!(iou[k] > 0)) continue;
      const dt = dtMasks[d];
      const gt = gtMasks[g];
      if (dt.size[0] !== gt.size[0] || dt.size[1] !== gt.size[1]) {
        iou[k] = -1;
        continue;
      }
      const { intersection, union } = rleIntersectionUnion(dt, gt);
      if (intersection === 0) iou[k] = 0;
      else iou[k] = intersection / (gtIsCrowd[g] ? dtAreas[d] : union);
    }
  }
  return iou;
}
