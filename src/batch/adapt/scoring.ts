// Scores of the adaptation experiment against COCO ground truth (method.md §7): mask AP with
// categories (cluster predictions mapped one-to-one by Hungarian matching of box votes, class
// predictions as they are) and semantic mIoU / pixel accuracy over the 80 COCO thing classes plus
// one 'other' class (every unannotated pixel; crowd regions ignored), and mIoU over the 12 COCO
// thing supercategories plus 'other' (13 classes, steadier on a few hundred photos).
//
// Cluster → class votes here count every prediction (minScore 0, box IoU > 0.7): the heads' scores
// are mean softmax probabilities, not detector scores calibrated at U2Seg's 0.6.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { groundTruthClassMap } from '../../core/adapt/targets';
import { readInstancesDataset } from '../../core/coco/instances-reader';
import { encodeMask, decodeMask } from '../../core/coco/rle';
import type { Rle } from '../../core/coco/types';
import { resizeNearestLabels } from '../../core/export/session-export';
import { applyClusterMapping, countClusterClassVotes, hungarianClusterMapping } from '../../core/metrics/cluster-mapping';
import { cocoEvaluate } from '../../core/metrics/coco-eval';
import type { CocoGtDataset } from '../../core/metrics/coco-eval-params';
import { addToConfusion, createConfusionMatrix, hungarianSemanticMetrics, type ConfusionMatrix } from '../../core/metrics/semantic';
import type { SizeHW } from '../../core/pipeline/upsample';
import { gtForEval, type PredInstance } from '../eval/instance-scores';

export interface EvalGroundTruth {
  coco: CocoGtDataset;
  /** COCO category id per semantic class index [0, 80); class 80 is 'other'. */
  categoryIds: number[];
  classNames: string[];
  otherClass: number;
  /** Supercategory index of every class (81 → 13; 'other' last). */
  superOfClass: Uint8Array;
  superNames: string[];
  imageIdOfKey: Map<string, number>;
  /** Photo-size class map per image id (crowd = 255). */
  classMaps: Map<number, Uint8Array>;
  annotations: Map<number, { rle: Rle; categoryId: number; iscrowd: number }[]>;
}

export async function loadEvalGroundTruth(instancesPath: string, keys: readonly string[]): Promise<EvalGroundTruth> {
  const parsed = readInstancesDataset(new Uint8Array(await readFile(instancesPath)));
  const { dataset } = parsed;
  const categoryIds = dataset.categories.map((c) => c.id);
  const classOf = new Map(categoryIds.map((id, i) => [id, i]));
  const byName = new Map(dataset.images.map((im) => [path.posix.basename(im.file_name), im]));
  const imageIdOfKey = new Map<string, number>();
  for (const key of keys) {
    const im = byName.get(path.posix.basename(key));
    if (!im) throw new Error(`${key} is not in ${instancesPath}`);
    imageIdOfKey.set(key, im.id);
  }
  const annotations = new Map<number, { rle: Rle; categoryId: number; iscrowd: number }[]>();
  dataset.annotations.forEach((a, i) => {
    const list = annotations.get(a.image_id) ?? [];
    list.push({ rle: parsed.masks[i], categoryId: a.category_id, iscrowd: a.iscrowd });
    annotations.set(a.image_id, list);
  });
  const otherClass = categoryIds.length;
  const classMaps = new Map<number, Uint8Array>();
  const wanted = new Set(imageIdOfKey.values());
  for (const im of dataset.images) {
    if (!wanted.has(im.id)) continue;
    const anns = (annotations.get(im.id) ?? []).map((a) => ({ rle: a.rle, classIndex: classOf.get(a.categoryId) ?? -1, iscrowd: a.iscrowd }));
    classMaps.set(im.id, groundTruthClassMap(anns, { height: im.height, width: im.width }, otherClass));
  }
  const classNames = [...dataset.categories.map((c) => c.name), 'other'];
  const supers = [...new Set(dataset.categories.map((c) => c.supercategory ?? c.name))];
  const superNames = [...supers, 'other'];
  const superOfClass = Uint8Array.from(classNames, (_, i) => (i < otherClass ? supers.indexOf(dataset.categories[i].supercategory ?? dataset.categories[i].name) : supers.length));
  return { coco: gtForEval(parsed), categoryIds, classNames, otherClass, superOfClass, superNames, imageIdOfKey, classMaps, annotations };
}

export function toPhotoSize<T extends Uint8Array | Uint16Array | Uint32Array>(labels: T, labelSizeHW: SizeHW, photoSizeHW: SizeHW): T {
  return resizeNearestLabels(labels, labelSizeHW, photoSizeHW.height, photoSizeHW.width);
}

export function rleToPhotoSize(rle: Rle, labelSizeHW: SizeHW, photoSizeHW: SizeHW): Rle {
  if (rle.size[0] === photoSizeHW.height && rle.size[1] === photoSizeHW.width) return rle;
  return encodeMask(toPhotoSize(decodeMask(rle), labelSizeHW, photoSizeHW), photoSizeHW.height, photoSizeHW.width);
}

export interface SemanticScore {
  mIoU: number;
  pixelAccuracy: number;
}

/** Confusion of predicted labels (clusters or classes) against the GT classes, accumulated over photos. */
export class SemanticAccumulator {
  private readonly cm: ConfusionMatrix;

  /** 'hungarian': labels are clusters, matched one-to-one; 'direct': labels are GT class indices. */
  constructor(readonly labelCount: number, readonly classCount: number, readonly mode: 'hungarian' | 'direct') {
    this.cm = createConfusionMatrix(Math.max(labelCount, classCount), classCount);
  }

  add(predPhotoSize: ArrayLike<number>, gtClassMap: Uint8Array): void {
    addToConfusion(this.cm, predPhotoSize, gtClassMap);
  }

  result(): SemanticScore {
    if (this.mode === 'hungarian') {
      const m = hungarianSemanticMetrics(this.cm);
      return { mIoU: m.mIoU, pixelAccuracy: m.pixelAccuracy };
    }
    return directMetrics(this.cm);
  }
}

/** IoU per class with prediction = class (no matching); mean over classes whose IoU is defined. */
function directMetrics(cm: ConfusionMatrix): SemanticScore {
  const { counts, nClusters, nClasses } = cm;
  let iouSum = 0, iouCount = 0, tpSum = 0, total = 0;
  for (let c = 0; c < nClasses; c++) {
    const tp = counts[c * nClasses + c];
    let predicted = 0, actual = 0;
    for (let j = 0; j < nClasses; j++) predicted += counts[c * nClasses + j];
    for (let k = 0; k < nClusters; k++) actual += counts[k * nClasses + c];
    total += actual;
    tpSum += tp;
    const union = predicted + actual - tp;
    if (union > 0) {
      iouSum += tp / union;
      iouCount++;
    }
  }
  return { mIoU: iouCount ? iouSum / iouCount : 0, pixelAccuracy: total ? tpSum / total : 0 };
}

export interface InstanceScore {
  /** Mask AP and AP50 with categories (fractions; −1 where undefined). */
  maskAP: number;
  maskAP50: number;
}

function maskStats(gt: CocoGtDataset, preds: readonly PredInstance[], imageIds: number[]): InstanceScore {
  const results = preds.map((p) => ({ image_id: p.image_id, category_id: p.category_id, score: p.score, segmentation: p.rle }));
  const stats = cocoEvaluate(gt, results, { iouType: 'segm', useCats: true, params: { imgIds: imageIds } }).stats;
  return { maskAP: stats[0], maskAP50: stats[1] };
}

/** Predictions labelled with GT category ids. */
export function classInstanceScores(gt: CocoGtDataset, preds: readonly PredInstance[], imageIds: number[]): InstanceScore {
  const inSet = new Set(imageIds);
  return maskStats(gt, preds.filter((p) => inSet.has(p.image_id)), imageIds);
}

/** Predictions labelled with cluster indices [0, clusterCount): Hungarian-mapped on these images' GT first. */
export function clusterInstanceScores(gt: CocoGtDataset, preds: readonly PredInstance[], clusterCount: number, imageIds: number[]): InstanceScore {
  const inSet = new Set(imageIds);
  const own = preds.filter((p) => inSet.has(p.image_id));
  const gts = gt.annotations.filter((a) => inSet.has(a.image_id));
  const classIds = gt.categories.map((c) => c.id);
  const votes = countClusterClassVotes(own, gts, clusterCount, classIds, { minScore: 0 });
  return maskStats(gt, applyClusterMapping(own, hungarianClusterMapping(votes)), imageIds);
}
