// Instance metrics of pseudo labels against COCO ground truth (method.md §7): class-agnostic AP/AR
// as CutLER reports them (useCats false), and class AP after mapping clusters to classes (U2Seg's
// many-to-one majority vote, or a one-to-one Hungarian match).
//
// As detectron2 does, mask AP is computed from results without their box, so loadRes takes each
// result's area from its mask; box AP uses the box of the mask.
import type { ParsedInstancesDataset } from '../../core/coco/instances-reader';
import type { BboxXYWH, Rle } from '../../core/coco/types';
import {
  applyClusterMapping,
  countClusterClassVotes,
  hungarianClusterMapping,
  majorityClusterMapping,
  type ClusterMapping,
} from '../../core/metrics/cluster-mapping';
import { cocoEvaluate } from '../../core/metrics/coco-eval';
import type { CocoGtDataset, CocoResult } from '../../core/metrics/coco-eval-params';

export interface PredInstance {
  image_id: number;
  category_id: number;
  score: number;
  bbox: BboxXYWH;
  rle: Rle;
}

/** pycocotools summary: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl (fractions, −1 = undefined). */
export interface BoxMaskStats {
  box: number[];
  mask: number[];
}

export type MappingKind = 'majority' | 'hungarian';

export function gtForEval(parsed: ParsedInstancesDataset): CocoGtDataset {
  return {
    images: parsed.dataset.images.map((im) => ({ id: im.id })),
    categories: parsed.dataset.categories.map((c) => ({ id: c.id })),
    annotations: parsed.dataset.annotations.map((a, i) => ({
      id: a.id, image_id: a.image_id, category_id: a.category_id, iscrowd: a.iscrowd, area: a.area, bbox: a.bbox, segmentation: parsed.masks[i],
    })),
  };
}

/** Box and mask COCOeval of the predictions over `imageIds` (all ground-truth images when absent). */
export function boxMaskStats(gt: CocoGtDataset, preds: PredInstance[], useCats: boolean, imageIds?: number[]): BoxMaskStats {
  const params = imageIds ? { imgIds: imageIds } : {};
  const boxes: CocoResult[] = preds.map((p) => ({ image_id: p.image_id, category_id: p.category_id, score: p.score, bbox: p.bbox }));
  const masks: CocoResult[] = preds.map((p) => ({ image_id: p.image_id, category_id: p.category_id, score: p.score, segmentation: p.rle }));
  return {
    box: cocoEvaluate(gt, boxes, { iouType: 'bbox', useCats, params }).stats,
    mask: cocoEvaluate(gt, masks, { iouType: 'segm', useCats, params }).stats,
  };
}

/** CutLER's class-agnostic scores: every prediction gets one ground-truth category, useCats false. */
export function agnosticStats(gt: CocoGtDataset, preds: PredInstance[], imageIds?: number[]): BoxMaskStats {
  const anyCategory = gt.categories[0]?.id ?? 1;
  return boxMaskStats(gt, preds.map((p) => ({ ...p, category_id: anyCategory })), false, imageIds);
}

/**
 * Cluster → class map from the predictions' votes (score ≥ 0.6, box IoU > 0.7 with a ground truth
 * of that class). `clusterIds` lists the prediction category ids; cluster index = position in it.
 */
export function clusterMapping(gt: CocoGtDataset, preds: PredInstance[], clusterIds: number[], kind: MappingKind, imageIds?: number[]): Map<number, number> {
  const index = new Map(clusterIds.map((id, i) => [id, i]));
  const inImages = imageIds ? new Set(imageIds) : null;
  const detections = preds.map((p) => ({ image_id: p.image_id, category_id: index.get(p.category_id) ?? -1, score: p.score, bbox: p.bbox }));
  if (detections.some((d) => d.category_id < 0)) throw new Error('a prediction has a category outside its category list');
  const gts = gt.annotations.filter((a) => !inImages || inImages.has(a.image_id));
  const classIds = gt.categories.map((c) => c.id);
  const votes = countClusterClassVotes(detections, gts, clusterIds.length, classIds);
  const mapping: ClusterMapping = kind === 'majority' ? majorityClusterMapping(votes) : hungarianClusterMapping(votes);
  return new Map(clusterIds.map((id, i) => [id, mapping[i]]));
}

/** Class AP after relabelling each prediction with its cluster's class (unmapped clusters dropped). */
export function mappedStats(gt: CocoGtDataset, preds: PredInstance[], mapping: Map<number, number>, imageIds?: number[]): BoxMaskStats {
  const clusterIds = [...mapping.keys()];
  const asArray = Int32Array.from(clusterIds.map((id) => mapping.get(id) ?? -1));
  const index = new Map(clusterIds.map((id, i) => [id, i]));
  const indexed = preds.map((p) => ({ ...p, category_id: index.get(p.category_id) ?? -1 }));
  return boxMaskStats(gt, applyClusterMapping(indexed, asArray), true, imageIds);
}

/** How many clusters the mapping keeps and how many distinct classes they cover. */
export function mappingCoverage(mapping: Map<number, number>): { mappedClusters: number; classes: number } {
  const kept = [...mapping.values()].filter((c) => c !== -1);
  return { mappedClusters: kept.length, classes: new Set(kept).size };
}
