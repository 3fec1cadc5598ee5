// Panoptic quality of pseudo labels on things (method.md §7, Panoptic): ground-truth panoptic maps
// rasterised from COCO instances, prediction maps reduced to their thing segments, PQ accumulated.
//
// Ground truth from instances.json: each image's annotations are painted in order of decreasing
// mask area (ties: file order), so a smaller object lying on a larger one keeps its pixels, as
// COCO's own panoptic conversion resolves overlaps; segment ids are 1..n in painting order, a
// segment left with no pixel is dropped, and crowd annotations are segments with iscrowd 1 (the
// evaluator ignores predictions lying mostly on them). There is no stuff: other pixels are void.
import { decodeMask, rleArea } from '../../core/coco/rle';
import type { IdMap, PanopticSegmentInfo as CocoSegmentInfo } from '../../core/coco/panoptic';
import type { Rle } from '../../core/coco/types';
import type { PanopticAnnotation as PqAnnotation } from '../../core/metrics/pq';

export interface GtInstanceMask {
  rle: Rle;
  categoryId: number;
  iscrowd: number;
}

/** Category of a segment after relabelling; −1 turns the segment into void. */
export type Relabel = (categoryId: number) => number;

export function gtPanopticFromInstances(masks: readonly GtInstanceMask[], height: number, width: number, relabel: Relabel): PqAnnotation {
  const ids = new Uint32Array(height * width);
  const order = masks.map((m, i) => ({ i, area: rleArea(m.rle) })).sort((a, b) => b.area - a.area || a.i - b.i);
  order.forEach(({ i }, paintIndex) => {
    const mask = decodeMask(masks[i].rle);
    for (let p = 0; p < mask.length; p++) if (mask[p]) ids[p] = paintIndex + 1;
  });
  const areas = new Map<number, number>();
  for (let p = 0; p < ids.length; p++) if (ids[p]) areas.set(ids[p], (areas.get(ids[p]) ?? 0) + 1);
  const segmentsInfo = order
    .map(({ i }, paintIndex) => ({ id: paintIndex + 1, category_id: relabel(masks[i].categoryId), iscrowd: masks[i].iscrowd, area: areas.get(paintIndex + 1) ?? 0 }))
    .filter((s) => s.area > 0 && s.category_id !== -1);
  const kept = new Set(segmentsInfo.map((s) => s.id));
  for (let p = 0; p < ids.length; p++) if (ids[p] && !kept.has(ids[p])) ids[p] = 0;
  return { idsRowMajor: ids, segmentsInfo };
}

/** The prediction's segments with new categories; those relabelled −1 (stuff, unmapped clusters) become void. */
export function relabelPrediction(idMap: IdMap, segments: readonly CocoSegmentInfo[], relabel: Relabel): PqAnnotation {
  const categoryOf = new Map<number, number>();
  for (const s of segments) categoryOf.set(s.id, relabel(s.category_id));
  const ids = new Uint32Array(idMap.idsRowMajor.length);
  for (let p = 0; p < ids.length; p++) {
    const id = idMap.idsRowMajor[p];
    if (id && (categoryOf.get(id) ?? -1) !== -1) ids[p] = id;
  }
  const segmentsInfo = segments
    .filter((s) => categoryOf.get(s.id) !== -1)
    .map((s) => ({ id: s.id, category_id: categoryOf.get(s.id) as number, iscrowd: s.iscrowd }));
  return { idsRowMajor: ids, segmentsInfo };
}

