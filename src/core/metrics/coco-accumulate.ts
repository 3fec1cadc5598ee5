// pycocotools COCOeval.accumulate (101-point interpolated precision, recall) and summarize (12 stats).
// Method §7: precision is made monotone from the right before sampling at the recall thresholds.

import type { CocoEvalParams } from './coco-eval-params';
import type { EvalImgResult } from './coco-eval';

/** numpy's np.spacing(1): added to tp+fp so that 0/0 precision reads 0. */
const EPS = Number.EPSILON;

export interface CocoAccumulation {
  /** [T, R, K, A, M] row-major; -1 where a setting has no non-ignored gt. */
  precision: Float64Array;
  /** [T, K, A, M] row-major; -1 where a setting has no non-ignored gt. */
  recall: Float64Array;
  /** [T, R, K, A, M]: detection score at each sampled recall point. */
  scores: Float64Array;
  /** [T, R, K, A, M]. */
  counts: [number, number, number, number, number];
}

/** The detections of one (category, area, maxDet) setting pooled over images, by score. */
interface PooledDetections {
  scoresSorted: number[];
  /** [t][k-th detection by score]: matched (not 0) and ignore flags. */
  matched: Uint8Array[];
  ignored: Uint8Array[];
  nonIgnoredGt: number;
}

function poolDetections(evals: EvalImgResult[], maxDet: number, T: number): PooledDetections {
  const scores: number[] = [];
  const source: [EvalImgResult, number][] = [];
  let nonIgnoredGt = 0;
  for (const e of evals) {
    const D = e.dtIds.length;
    for (let d = 0; d < Math.min(D, maxDet); d++) {
      scores.push(e.dtScores[d]);
      source.push([e, d]);
    }
    for (const ig of e.gtIgnore) if (ig === 0) nonIgnoredGt++;
  }
  // Stable by descending score, as numpy's mergesort on -score.
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const matched: Uint8Array[] = [];
  const ignored: Uint8Array[] = [];
  for (let t = 0; t < T; t++) {
    const mt = new Uint8Array(order.length);
    const it = new Uint8Array(order.length);
    order.forEach((src, k) => {
      const [e, d] = source[src];
      const D = e.dtIds.length;
      mt[k] = e.dtMatches[t * D + d] !== 0 ? 1 : 0;
      it[k] = e.dtIgnore[t * D + d];
    });
    matched.push(mt);
    ignored.push(it);
  }
  return { scoresSorted: order.map((i) => scores[i]), matched, ignored, nonIgnoredGt };
}

/**
 * One precision/recall curve: cumulative tp and fp over detections by score, the precision
 * envelope made non-increasing from the right, then sampled at the first detection whose recall
 * reaches each threshold (searchsorted 'left'); thresholds beyond the final recall read 0.
 */
function precisionAtRecallThresholds(
  matched: Uint8Array,
  ignored: Uint8Array,
  nonIgnoredGt: number,
  scoresSorted: number[],
  recThrs: number[],
): { precisionAtR: Float64Array; scoreAtR: Float64Array; finalRecall: number } {
  const rc: number[] = [];
  const pr: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < matched.length; k++) {
    if (!ignored[k]) {
      if (matched[k]) tp++;
      else fp++;
    }
    rc.push(tp / nonIgnoredGt);
    pr.push(tp / (fp + tp + EPS));
  }
  const nd = rc.length;
  const finalRecall = nd > 0 ? rc[nd - 1] : 0;
  for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
  const precisionAtR = new Float64Array(recThrs.length);
  const scoreAtR = new Float64Array(recThrs.length);
  let pi = 0;
  for (let r = 0; r < recThrs.length; r++) {
    while (pi < nd && rc[pi] < recThrs[r]) pi++;
    if (pi >= nd) break;
    precisionAtR[r] = pr[pi];
    scoreAtR[r] = scoresSorted[pi];
  }
  return { precisionAtR, scoreAtR, finalRecall };
}

/** COCOeval.accumulate over evaluate()'s evalImgs, laid out category, area range, image. */
export function accumulate(evalImgs: (EvalImgResult | null)[], p: CocoEvalParams): CocoAccumulation {
  const T = p.iouThrs.length;
  const R = p.recThrs.length;
  const K = p.useCats ? p.catIds.length : 1;
  const A = p.areaRng.length;
  const M = p.maxDets.length;
  const I = p.imgIds.length;
  if (evalImgs.length !== K * A * I) throw new Error(`expected ${K * A * I} evalImgs, got ${evalImgs.length}`);
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const scores = new Float64Array(T * R * K * A * M).fill(-1);
  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const evals = evalImgs.slice(k * A * I + a * I, k * A * I + a * I + I).filter((e) => e !== null);
      if (evals.length === 0) continue;
      for (let m = 0; m < M; m++) {
        const pooled = poolDetections(evals, p.maxDets[m], T);
        if (pooled.nonIgnoredGt === 0) continue;
        for (let t = 0; t < T; t++) {
          const curve = precisionAtRecallThresholds(
            pooled.matched[t],
            pooled.ignored[t],
            pooled.nonIgnoredGt,
            pooled.scoresSorted,
            p.recThrs,
          );
          recall[((t * K + k) * A + a) * M + m] = curve.finalRecall;
          for (let r = 0; r < R; r++) {
            const idx = (((t * R + r) * K + k) * A + a) * M + m;
            precision[idx] = curve.precisionAtR[r];
            scores[idx] = curve.scoreAtR[r];
          }
        }
      }
    }
  }
  return { precision, recall, scores, counts: [T, R, K, A, M] };
}

/** Mean of the entries > -1 of one slice (_summarize); -1 when there are none. */
function summarizeOne(
  acc: CocoAccumulation,
  p: CocoEvalParams,
  ap: boolean,
  iouThr: number | null,
  areaLbl: string,
  maxDets: number,
): number {
  const [T, R, K, A, M] = acc.counts;
  const a = p.areaRngLbl.indexOf(areaLbl);
  const m = p.maxDets.indexOf(maxDets);
  if (a < 0 || m < 0) return -1;
  let sum = 0;
  let n = 0;
  for (let t = 0; t < T; t++) {
    // Exact equality, as np.where(iouThr == p.iouThrs).
    if (iouThr !== null && p.iouThrs[t] !== iouThr) continue;
    for (let k = 0; k < K; k++) {
      if (ap) {
        for (let r = 0; r < R; r++) {
          const v = acc.precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (v > -1) {
            sum += v;
            n++;
          }
        }
      } else {
        const v = acc.recall[((t * K + k) * A + a) * M + m];
        if (v > -1) {
          sum += v;
          n++;
        }
      }
    }
  }
  return n === 0 ? -1 : sum / n;
}

/** COCOeval.summarize for bbox/segm: the 12 standard numbers. */
export function summarize(acc: CocoAccumulation, p: CocoEvalParams): number[] {
  if (p.maxDets.length < 3) throw new Error('summarize needs three maxDets (e.g. 1, 10, 100)');
  const [m0, m1, m2] = p.maxDets;
  return [
    // pycocotools' first AP reads maxDets=100 literally, not maxDets[2].
    summarizeOne(acc, p, true, null, 'all', 100),
    summarizeOne(acc, p, true, 0.5, 'all', m2),
    summarizeOne(acc, p, true, 0.75, 'all', m2),
    summarizeOne(acc, p, true, null, 'small', m2),
    summarizeOne(acc, p, true, null, 'medium', m2),
    summarizeOne(acc, p, true, null, 'large', m2),
    summarizeOne(acc, p, false, null, 'all', m0),
    summarizeOne(acc, p, false, null, 'all', m1),
    summarizeOne(acc, p, false, null, 'all', m2),
    summarizeOne(acc, p, false, null, 'small', m2),
    summarizeOne(acc, p, false, null, 'medium', m2),
    summarizeOne(acc, p, false, null, 'large', m2),
  ];
}
