// Cluster-id → ground-truth class maps for class-aware evaluation of unsupervised detections.
// Method §7: U2Seg's many-to-one majority vote (score ≥ 0.6, box IoU > 0.7) and a one-to-one Hungarian.

import type { BboxXYWH } from '../coco/types';
import { bboxIouMatrix } from './iou';
import { linearSumAssignment } from './hungarian';

export interface ClusterDetection {
  image_id: number;
  /** Cluster index in [0, clusterCount). */
  category_id: number;
  score: number;
  bbox: BboxXYWH;
}

export interface ClassGroundTruth {
  image_id: number;
  category_id: number;
  bbox: BboxXYWH;
}

export interface ClusterVoteOptions {
  /** Detections scoring below this do not vote (U2Seg: 0.6). */
  minScore?: number;
  /** A vote needs box IoU strictly above this (U2Seg: 0.7). */
  minIou?: number;
}

/** Vote counts [cluster * classIds.length + classIndex]. */
export interface ClusterClassVotes {
  votes: Float64Array;
  clusterCount: number;
  /** Column order; also the tie-break order of the majority vote. */
  classIds: number[];
}

/**
 * U2Seg's do_hangarain_mapping votes: each detection with score ≥ minScore votes once for every
 * gt box of its image (crowds included, all treated as non-crowd) with IoU > minIou, so one
 * detection can vote several times.
 */
export function countClusterClassVotes(
  detections: ClusterDetection[],
  groundTruths: ClassGroundTruth[],
  clusterCount: number,
  classIds: number[],
  options: ClusterVoteOptions = {},
): ClusterClassVotes {
  const minScore = options.minScore ?? 0.6;
  const minIou = options.minIou ?? 0.7;
  const classIndex = new Map(classIds.map((id, i) => [id, i]));
  const gtByImage = new Map<number, ClassGroundTruth[]>();
  for (const g of groundTruths) {
    const list = gtByImage.get(g.image_id);
    if (list) list.push(g);
    else gtByImage.set(g.image_id, [g]);
  }
  const votes = new Float64Array(clusterCount * classIds.length);
  for (const det of detections) {
    if (det.score < minScore) continue;
    const gts = gtByImage.get(det.image_id);
    if (!gts) continue;
    if (!Number.isInteger(det.category_id) || det.category_id < 0 || det.category_id >= clusterCount) {
      throw new Error(`cluster id ${det.category_id} outside [0, ${clusterCount})`);
    }
    const ious = bboxIouMatrix([det.bbox], gts.map((g) => g.bbox), new Uint8Array(gts.length));
    gts.forEach((g, gi) => {
      const c = classIndex.get(g.category_id);
      if (c === undefined) throw new Error(`ground-truth class ${g.category_id} not in classIds`);
      if (ious[gi] > minIou) votes[det.category_id * classIds.length + c] += 1;
    });
  }
  return { votes, clusterCount, classIds };
}

/** clusterToClass[cluster] = class id, or -1 where the cluster is dropped. */
export type ClusterMapping = Int32Array;

/**
 * Many-to-one: each cluster takes the class it matched most often (ties → earliest in classIds,
 * as np.argmax); clusters that never matched map to -1 and are dropped.
 */
export function majorityClusterMapping(v: ClusterClassVotes): ClusterMapping {
  const nClasses = v.classIds.length;
  const mapping = new Int32Array(v.clusterCount).fill(-1);
  for (let k = 0; k < v.clusterCount; k++) {
    let best = -1;
    let bestCount = 0;
    for (let c = 0; c < nClasses; c++) {
      const n = v.votes[k * nClasses + c];
      if (n > bestCount) {
        bestCount = n;
        best = c;
      }
    }
    if (best >= 0) mapping[k] = v.classIds[best];
  }
  return mapping;
}

/**
 * One-to-one: the cluster×class assignment maximising the total vote count (linear sum
 * assignment). Every pair the assignment makes is kept, even one with no votes, as a Hungarian
 * match does; clusters left without a class map to -1.
 */
export function hungarianClusterMapping(v: ClusterClassVotes): ClusterMapping {
  const mapping = new Int32Array(v.clusterCount).fill(-1);
  const { rowIndices, colIndices } = linearSumAssignment(v.votes, v.clusterCount, v.classIds.length, true);
  for (let i = 0; i < rowIndices.length; i++) mapping[rowIndices[i]] = v.classIds[colIndices[i]];
  return mapping;
}

/** Relabel detections with their mapped class, dropping those whose cluster maps to -1. */
export function applyClusterMapping<T extends { category_id: number }>(detections: T[], mapping: ClusterMapping): T[] {
  const out: T[] = [];
  for (const d of detections) {
    const cls = d.category_id >= 0 && d.category_id < mapping.length ? mapping[d.category_id] : -1;
    if (cls !== -1) out.push({ ...d, category_id: cls });
  }
  return out;
}
