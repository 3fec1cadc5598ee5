// Panoptic quality PQ = SQ × RQ as panopticapi's pq_compute (per-image matching, per-class averages).
// Method §7 (Panoptic): a match needs IoU > 0.5; segments more than half void or crowd are ignored.

/** Segment id of unlabelled pixels. */
export const VOID = 0;
/** gtId * OFFSET + predId keys one (gt, pred) overlap; ids are below 256³ (RGB-encoded). */
const OFFSET = 256 * 256 * 256;

export interface PanopticSegmentInfo {
  id: number;
  category_id: number;
  iscrowd?: number;
  /** Used for ground truth as panopticapi does (the JSON area); counted from the map if absent. */
  area?: number;
}

/** One image's panoptic annotation: segment ids row-major (id = R + 256 G + 256² B). */
export interface PanopticAnnotation {
  idsRowMajor: Uint32Array;
  segmentsInfo: PanopticSegmentInfo[];
}

export interface PanopticCategory {
  id: number;
  /** 1 for things, 0 for stuff. */
  isthing: number;
}

export interface PqClassStat {
  iouSum: number;
  tp: number;
  fp: number;
  fn: number;
}

/** Per-category sums over images (PQStat). */
export type PqStats = Map<number, PqClassStat>;

function statOf(stats: PqStats, categoryId: number): PqClassStat {
  let s = stats.get(categoryId);
  if (!s) {
    s = { iouSum: 0, tp: 0, fp: 0, fn: 0 };
    stats.set(categoryId, s);
  }
  return s;
}

function countPixels(ids: Uint32Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) counts.set(ids[i], (counts.get(ids[i]) ?? 0) + 1);
  return counts;
}

/** Predicted areas from the map, with panopticapi's sanity checks (ids in PNG ⇔ ids in JSON). */
function predictedAreas(pred: PanopticAnnotation, categoryIds: Set<number>, imageLabel: string): Map<number, number> {
  const infoById = new Map(pred.segmentsInfo.map((s) => [s.id, s]));
  const areas = new Map<number, number>();
  for (const [id, count] of countPixels(pred.idsRowMajor)) {
    const info = infoById.get(id);
    if (!info) {
      if (id === VOID) continue;
      throw new Error(`In the image ${imageLabel} segment with ID ${id} is presented in PNG and not presented in JSON.`);
    }
    if (!categoryIds.has(info.category_id)) {
      throw new Error(`In the image ${imageLabel} segment with ID ${id} has unknown category_id ${info.category_id}.`);
    }
    areas.set(id, count);
  }
  const missing = pred.segmentsInfo.filter((s) => !areas.has(s.id)).map((s) => s.id);
  if (missing.length > 0) {
    throw new Error(`In the image ${imageLabel} the following segment IDs ${missing} are presented in JSON and not presented in PNG.`);
  }
  return areas;
}

/** Pixel counts of every (gt id, pred id) overlap, keyed gtId * OFFSET + predId. */
function overlapCounts(gt: Uint32Array, pred: Uint32Array): Map<number, number> {
  if (gt.length !== pred.length) throw new Error(`gt has ${gt.length} pixels, prediction ${pred.length}`);
  const counts = new Map<number, number>();
  for (let i = 0; i < gt.length; i++) {
    const key = gt[i] * OFFSET + pred[i];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * One image's contribution (pq_compute_single_core), added into stats. Matching pairs share a
 * category, the gt is not crowd, and IoU > 0.5 where the union leaves out the prediction's void
 * pixels. Unmatched non-crowd gts are FN; unmatched predictions are FP unless more than half of
 * them lies on void plus the crowd region of their own category.
 */
export function accumulatePqImage(
  stats: PqStats,
  gt: PanopticAnnotation,
  pred: PanopticAnnotation,
  categoryIds: Set<number>,
  imageLabel = '?',
): void {
  const gtArea = countPixels(gt.idsRowMajor);
  const gtSegs = new Map(gt.segmentsInfo.map((s) => [s.id, { ...s, area: s.area ?? gtArea.get(s.id) ?? 0 }]));
  const predArea = predictedAreas(pred, categoryIds, imageLabel);
  const predSegs = new Map(pred.segmentsInfo.map((s) => [s.id, s]));
  const overlaps = overlapCounts(gt.idsRowMajor, pred.idsRowMajor);
  const voidOverlap = (predId: number): number => overlaps.get(VOID * OFFSET + predId) ?? 0;

  const gtMatched = new Set<number>();
  const predMatched = new Set<number>();
  for (const [key, intersection] of overlaps) {
    const gtId = Math.floor(key / OFFSET);
    const predId = key - gtId * OFFSET;
    const g = gtSegs.get(gtId);
    const p = predSegs.get(predId);
    if (!g || !p || g.iscrowd === 1 || g.category_id !== p.category_id) continue;
    const union = (predArea.get(predId) ?? 0) + g.area - intersection - voidOverlap(predId);
    const iou = intersection / union;
    if (iou > 0.5) {
      const s = statOf(stats, g.category_id);
      s.tp += 1;
      s.iouSum += iou;
      gtMatched.add(gtId);
      predMatched.add(predId);
    }
  }

  // The last crowd segment of a category stands for that category's crowd region.
  const crowdIdByCategory = new Map<number, number>();
  for (const [gtId, g] of gtSegs) {
    if (gtMatched.has(gtId)) continue;
    if (g.iscrowd === 1) {
      crowdIdByCategory.set(g.category_id, gtId);
      continue;
    }
    statOf(stats, g.category_id).fn += 1;
  }
  for (const [predId, p] of predSegs) {
    if (predMatched.has(predId)) continue;
    let ignoredPixels = voidOverlap(predId);
    const crowdId = crowdIdByCategory.get(p.category_id);
    if (crowdId !== undefined) ignoredPixels += overlaps.get(crowdId * OFFSET + predId) ?? 0;
    if (ignoredPixels / (predArea.get(predId) ?? 0) > 0.5) continue;
    statOf(stats, p.category_id).fp += 1;
  }
}

export interface PqSummary {
  pq: number;
  sq: number;
  rq: number;
  /** Classes with any tp, fp or fn; the averages are over these. NaN averages when n = 0. */
  n: number;
}

export interface PqClassResult {
  pq: number;
  sq: number;
  rq: number;
}

/**
 * PQStat.pq_average: per class PQ = Σiou / (tp + fp/2 + fn/2), SQ = Σiou / tp, RQ = tp / (tp +
 * fp/2 + fn/2); classes with no tp, fp or fn report 0 and are left out of n and the means.
 */
export function pqAverage(
  stats: PqStats,
  categories: PanopticCategory[],
  isthing: boolean | null,
): { summary: PqSummary; perClass: Map<number, PqClassResult> } {
  let pq = 0;
  let sq = 0;
  let rq = 0;
  let n = 0;
  const perClass = new Map<number, PqClassResult>();
  for (const cat of categories) {
    if (isthing !== null && (cat.isthing === 1) !== isthing) continue;
    const s = stats.get(cat.id) ?? { iouSum: 0, tp: 0, fp: 0, fn: 0 };
    if (s.tp + s.fp + s.fn === 0) {
      perClass.set(cat.id, { pq: 0, sq: 0, rq: 0 });
      continue;
    }
    n++;
    const denominator = s.tp + 0.5 * s.fp + 0.5 * s.fn;
    const c = { pq: s.iouSum / denominator, sq: s.tp !== 0 ? s.iouSum / s.tp : 0, rq: s.tp / denominator };
    perClass.set(cat.id, c);
    pq += c.pq;
    sq += c.sq;
    rq += c.rq;
  }
  return { summary: { pq: pq / n, sq: sq / n, rq: rq / n, n }, perClass };
}

export interface PanopticQualityResult {
  all: PqSummary;
  things: PqSummary;
  stuff: PqSummary;
  /** Per category id, from the 'All' average as panopticapi reports it. */
  perClass: Map<number, PqClassResult>;
  stats: PqStats;
  images: number;
}

/**
 * pq_compute over matched (gt, prediction) pairs of images, one image at a time (the evaluation
 * never holds every map): statistics summed over images, then averaged per class as panopticapi does.
 */
export class PqAccumulator {
  private readonly stats: PqStats = new Map();
  private readonly categoryIds: Set<number>;
  private images = 0;

  /** Categories as in the GT JSON (isthing splits the things and stuff averages). */
  constructor(private readonly categories: PanopticCategory[]) {
    this.categoryIds = new Set(categories.map((c) => c.id));
  }

  /** Adds one image; throws, as panopticapi does, on a prediction inconsistent with its PNG or categories. */
  add(gt: PanopticAnnotation, pred: PanopticAnnotation, imageLabel?: string): void {
    accumulatePqImage(this.stats, gt, pred, this.categoryIds, imageLabel);
    this.images++;
  }

  result(): PanopticQualityResult {
    const all = pqAverage(this.stats, this.categories, null);
    return {
      all: all.summary,
      things: pqAverage(this.stats, this.categories, true).summary,
      stuff: pqAverage(this.stats, this.categories, false).summary,
      perClass: all.perClass,
      stats: new Map([...this.stats].map(([id, st]) => [id, { ...st }])),
      images: this.images,
    };
  }
}
