// Unsupervised semantic metrics: cluster×class confusion, Hungarian-matched mIoU and pixel accuracy
// (STEGO's UnsupervisedMetrics), and STEGO's COCO-Stuff-171 → 27 coarse class map. Method §7 (Semantic).

import { linearSumAssignment } from './hungarian';

/** Label value for pixels without a class (COCO-Stuff stuffthingmaps use 255). */
export const IGNORE_LABEL = 255;

/** Pixel counts [cluster * nClasses + class]; STEGO's `stats` (n_classes + extra) × n_classes. */
export interface ConfusionMatrix {
  counts: Float64Array;
  nClusters: number;
  nClasses: number;
}

export function createConfusionMatrix(nClusters: number, nClasses: number): ConfusionMatrix {
  if (nClusters < nClasses) throw new Error(`need at least as many clusters (${nClusters}) as classes (${nClasses})`);
  return { counts: new Float64Array(nClusters * nClasses), nClusters, nClasses };
}

/**
 * Add one image: pixels whose class is outside [0, nClasses) (the ignore label included) or whose
 * cluster is outside [0, nClusters) are skipped, as STEGO's update() masks them.
 */
export function addToConfusion(
  cm: ConfusionMatrix,
  clusterMap: ArrayLike<number>,
  classMap: ArrayLike<number>,
): void {
  if (clusterMap.length !== classMap.length) {
    throw new Error(`cluster map has ${clusterMap.length} pixels, class map ${classMap.length}`);
  }
  const { counts, nClusters, nClasses } = cm;
  for (let i = 0; i < classMap.length; i++) {
    const cls = classMap[i];
    const cluster = clusterMap[i];
    if (cls < 0 || cls >= nClasses || cluster < 0 || cluster >= nClusters) continue;
    counts[cluster * nClasses + cls] += 1;
  }
}

export interface SemanticMetrics {
  /** Mean over classes whose IoU is defined (not 0/0); with extra clusters also the 'rest' row. */
  mIoU: number;
  pixelAccuracy: number;
  /** IoU per class index (NaN where 0/0). */
  perClassIoU: Float64Array;
  /** clusterToClass[cluster] = class index, or -1 for clusters left unmatched. */
  clusterToClass: Int32Array;
}

/**
 * STEGO's UnsupervisedMetrics.compute with compute_hungarian: a one-to-one linear sum assignment
 * maximising matched pixels, then per class tp = pixels of its cluster labelled with it, IoU =
 * tp / (tp + fp + fn), accuracy = Σtp / all counted pixels. With more clusters than classes
 * STEGO adds a row of all unmatched clusters' pixels and a zero column; that extra entry has IoU
 * 0 (or 0/0 when those clusters are empty) and counts in the mean.
 */
export function hungarianSemanticMetrics(cm: ConfusionMatrix): SemanticMetrics {
  const { counts, nClusters, nClasses } = cm;
  const { rowIndices, colIndices } = linearSumAssignment(counts, nClusters, nClasses, true);
  const clusterToClass = new Int32Array(nClusters).fill(-1);
  const clusterOfClass = new Int32Array(nClasses).fill(-1);
  for (let i = 0; i < rowIndices.length; i++) {
    clusterToClass[rowIndices[i]] = colIndices[i];
    clusterOfClass[colIndices[i]] = rowIndices[i];
  }
  const extra = nClusters > nClasses;
  const n = extra ? nClasses + 1 : nClasses;
  // histogram[row k][col c]: row k is the cluster matched to class k; STEGO's reordered stats.
  const histogram = new Float64Array(n * n);
  for (let k = 0; k < nClasses; k++) {
    for (let c = 0; c < nClasses; c++) histogram[k * n + c] = counts[clusterOfClass[k] * nClasses + c];
  }
  if (extra) {
    for (let cluster = 0; cluster < nClusters; cluster++) {
      if (clusterToClass[cluster] !== -1) continue;
      for (let c = 0; c < nClasses; c++) histogram[nClasses * n + c] += counts[cluster * nClasses + c];
    }
  }
  return metricsFromHistogram(histogram, n, clusterToClass);
}

function metricsFromHistogram(histogram: Float64Array, n: number, clusterToClass: Int32Array): SemanticMetrics {
  const perClassIoU = new Float64Array(n);
  let tpSum = 0;
  let total = 0;
  let iouSum = 0;
  let iouCount = 0;
  for (let k = 0; k < n; k++) {
    const tp = histogram[k * n + k];
    let colSum = 0;
    let rowSum = 0;
    for (let j = 0; j < n; j++) {
      colSum += histogram[j * n + k];
      rowSum += histogram[k * n + j];
      total += histogram[k * n + j];
    }
    const iou = tp / (tp + (colSum - tp) + (rowSum - tp));
    perClassIoU[k] = iou;
    tpSum += tp;
    if (!Number.isNaN(iou)) {
      iouSum += iou;
      iouCount++;
    }
  }
  return { mIoU: iouSum / iouCount, pixelAccuracy: tpSum / total, perClassIoU, clusterToClass };
}

/**
 * STEGO's Coco.fine_to_coarse: index = stuffthingmaps label value v (COCO-Stuff class id v + 1,
 * 0..181), value = COCO-Stuff-27 coarse class. Values for the 11 ids COCO never uses (e.g. 11 =
 * "street sign") are kept as STEGO lists them; they never occur in the maps.
 */
export const COCO_STUFF_FINE_TO_COARSE27: readonly number[] = [
  9, 11, 11, 11, 11, 11, 11, 11, 11, 8, 8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6,
  10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5, 5, 5, 5, 5, 5, 5, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3,
  3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 4, 17, 17, 22, 20, 20, 22, 15, 25,
  16, 13, 12, 12, 17, 17, 23, 15, 15, 17, 15, 21, 15, 25, 13, 13, 13, 13, 13, 22, 26, 14, 14, 15, 22, 21, 21,
  24, 20, 22, 15, 17, 16, 15, 22, 24, 21, 17, 25, 16, 21, 17, 22, 16, 21, 21, 25, 21, 26, 21, 24, 20, 17, 14,
  21, 26, 15, 23, 20, 21, 24, 15, 24, 22, 25, 15, 20, 17, 17, 22, 14, 18, 18, 18, 18, 18, 18, 18, 26, 26, 19,
  19, 24,
];

/** STEGO's COCOSTUFF27 class names, index = coarse class. */
export const COCO_STUFF27_NAMES: readonly string[] = [
  'electronic', 'appliance', 'food', 'furniture', 'indoor', 'kitchen', 'accessory', 'animal', 'outdoor',
  'person', 'sports', 'vehicle', 'ceiling', 'floor', 'food', 'furniture', 'rawmaterial', 'textile', 'wall',
  'window', 'building', 'ground', 'plant', 'sky', 'solid', 'structural', 'water',
];

/**
 * Map a stuffthingmaps label map (value v = COCO-Stuff class v + 1, 255 unlabelled) to the 27
 * coarse classes; unlabelled and any value outside 0..181 become IGNORE_LABEL. (STEGO would put
 * 182..254 into class 0, but those values do not occur in the maps.)
 */
export function cocoStuffToCoarse27(labelValues: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(labelValues.length);
  for (let i = 0; i < labelValues.length; i++) {
    const v = labelValues[i];
    out[i] = v >= 0 && v < COCO_STUFF_FINE_TO_COARSE27.length ? COCO_STUFF_FINE_TO_COARSE27[v] : IGNORE_LABEL;
  }
  return out;
}
