// COCOeval inputs: ground truth and result types, default Params, and COCO.loadRes semantics.
// Method §7 (COCO AP follows pycocotools): 10 IoU thresholds, 101 recall points, maxDets 1/10/100.

import type { BboxXYWH, Rle } from '../coco/types';
import { rleArea, rleToBbox } from './iou';

export type IouType = 'bbox' | 'segm';

/** One ground-truth instance as in instances.json; segmentation (as RLE) is needed for 'segm'. */
export interface CocoGtAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  iscrowd: number;
  /** The annotation's own area field: pycocotools uses it (not the mask's) for the area ranges. */
  area: number;
  bbox: BboxXYWH;
  segmentation?: Rle;
}

export interface CocoGtDataset {
  images: { id: number }[];
  categories: { id: number }[];
  annotations: CocoGtAnnotation[];
}

/** One entry of a results file: bbox for 'bbox', segmentation for 'segm'. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  score: number;
  bbox?: BboxXYWH;
  segmentation?: Rle;
}

/** A result after loadRes: id, area and iscrowd filled in. */
export interface LoadedResult {
  id: number;
  image_id: number;
  category_id: number;
  score: number;
  area: number;
  bbox: BboxXYWH;
  segmentation?: Rle;
  iscrowd: 0;
}

export interface CocoEvalParams {
  iouType: IouType;
  /** Sorted, unique. */
  imgIds: number[];
  /** Sorted, unique; with useCats=false they still select which annotations take part. */
  catIds: number[];
  iouThrs: number[];
  recThrs: number[];
  /** Ascending; summarize needs three (AR1, AR10, AR100 and the AP limit). */
  maxDets: number[];
  /** [min, max] in pixels², inclusive on both ends. */
  areaRng: [number, number][];
  areaRngLbl: string[];
  useCats: boolean;
}

/** numpy.linspace(start, stop, num): i * step + start with the last point set to stop exactly. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  out[num - 1] = stop;
  return out;
}

function sortedUnique(ids: number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/**
 * Params.setDetParams. The thresholds are built exactly as numpy builds them (e.g. the 9th IoU
 * threshold is 0.8999999999999999), so an IoU of exactly 0.9 passes it as in pycocotools.
 */
export function defaultCocoEvalParams(
  iouType: IouType,
  gt: Pick<CocoGtDataset, 'images' | 'categories'>,
  useCats = true,
): CocoEvalParams {
  return {
    iouType,
    imgIds: sortedUnique(gt.images.map((im) => im.id)),
    catIds: sortedUnique(gt.categories.map((c) => c.id)),
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0 ** 2, 1e5 ** 2],
      [0 ** 2, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
    useCats,
  };
}

/**
 * COCO.loadRes for bbox and segm results: ids 1..n in input order, iscrowd 0. As in pycocotools
 * the branch is chosen by the first result: if it has a non-empty bbox, every area is the box's
 * w*h (even when evaluating masks; omit bbox, as detectron2 does, to get mask areas); otherwise
 * area and bbox come from the RLE.
 */
export function loadResults(results: CocoResult[]): LoadedResult[] {
  if (results.length === 0) return [];
  const first = results[0];
  const boxBranch = first.bbox !== undefined && first.bbox.length > 0;
  return results.map((r, i) => {
    let area: number;
    let bbox: BboxXYWH;
    if (boxBranch) {
      if (r.bbox === undefined) throw new Error(`result ${i} has no bbox while result 0 has one`);
      bbox = [r.bbox[0], r.bbox[1], r.bbox[2], r.bbox[3]];
      area = bbox[2] * bbox[3];
    } else {
      if (r.segmentation === undefined) throw new Error(`result ${i} has neither bbox nor segmentation`);
      area = rleArea(r.segmentation);
      bbox = r.bbox ?? rleToBbox(r.segmentation);
    }
    return {
      id: i + 1,
      image_id: r.image_id,
      category_id: r.category_id,
      score: r.score,
      area,
      bbox,
      segmentation: r.segmentation,
      iscrowd: 0,
    };
  });
}
