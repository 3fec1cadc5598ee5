// Cluster → class maps: U2Seg's majority vote and the one-to-one Hungarian, on hand-counted votes.
import { describe, expect, it } from 'vitest';
import {
  applyClusterMapping,
  countClusterClassVotes,
  hungarianClusterMapping,
  majorityClusterMapping,
  type ClassGroundTruth,
  type ClusterDetection,
} from '../../../src/core/metrics/cluster-mapping';

// Image 1: gt A (class 10) [0,0,100,100], gt B (class 20) [200,0,100,100].
// Image 2: gt C (class 20) [0,0,100,100].
const gts: ClassGroundTruth[] = [
  { image_id: 1, category_id: 10, bbox: [0, 0, 100, 100] },
  { image_id: 1, category_id: 20, bbox: [200, 0, 100, 100] },
  { image_id: 2, category_id: 20, bbox: [0, 0, 100, 100] },
];

describe('countClusterClassVotes (score ≥ 0.6, IoU > 0.7)', () => {
  it('counts only confident, well-overlapping detections', () => {
    const dets: ClusterDetection[] = [
      // cluster 0 on A, IoU 1 → vote (0, 10).
      { image_id: 1, category_id: 0, score: 0.9, bbox: [0, 0, 100, 100] },
      // cluster 0 on B with score exactly 0.6 → kept → vote (0, 20).
      { image_id: 1, category_id: 0, score: 0.6, bbox: [200, 0, 100, 100] },
      // cluster 0 on C → vote (0, 20).
      { image_id: 2, category_id: 0, score: 0.99, bbox: [0, 0, 100, 100] },
      // cluster 1 on A at IoU exactly 0.7 ([0,0,70,100]: 7000/10000) → not > 0.7 → no vote.
      { image_id: 1, category_id: 1, score: 0.9, bbox: [0, 0, 70, 100] },
      // cluster 1 on A at IoU 0.8 but score 0.59 → no vote.
      { image_id: 1, category_id: 1, score: 0.59, bbox: [0, 0, 80, 100] },
      // cluster 2 on A at IoU 0.8 ([0,0,80,100]) → vote (2, 10).
      { image_id: 1, category_id: 2, score: 0.7, bbox: [0, 0, 80, 100] },
    ];
    const v = countClusterClassVotes(dets, gts, 3, [10, 20]);
    // rows = clusters 0..2, columns = classes [10, 20].
    expect(Array.from(v.votes)).toEqual([1, 2, 0, 0, 1, 0]);
    // Majority: cluster 0 → 20 (2 votes vs 1), cluster 1 → dropped, cluster 2 → 10.
    expect(Array.from(majorityClusterMapping(v))).toEqual([20, -1, 10]);
    // Hungarian maximises total votes one-to-one: (0→20) + (2→10) = 3 beats (0→10)+(x→20) = 1.
    expect(Array.from(hungarianClusterMapping(v))).toEqual([20, -1, 10]);
  });

  it('one detection overlapping two gts votes twice', () => {
    // Two identical gt boxes of different classes: one detection votes for both.
    const twin: ClassGroundTruth[] = [
      { image_id: 1, category_id: 10, bbox: [0, 0, 50, 50] },
      { image_id: 1, category_id: 20, bbox: [0, 0, 50, 50] },
    ];
    const v = countClusterClassVotes([{ image_id: 1, category_id: 0, score: 1, bbox: [0, 0, 50, 50] }], twin, 1, [10, 20]);
    expect(Array.from(v.votes)).toEqual([1, 1]);
    // Tie → the class listed first, as np.argmax.
    expect(Array.from(majorityClusterMapping(v))).toEqual([10]);
  });
});

describe('majority vs Hungarian', () => {
  it('many-to-one keeps both clusters on one class; one-to-one moves the weaker one', () => {
    // votes: cluster 0: {10: 5, 20: 0}; cluster 1: {10: 4, 20: 1}; cluster 2: {10: 0, 20: 0}.
    // Majority: 0 → 10, 1 → 10, 2 → dropped.
    // Hungarian (3×2, maximise): (0→10)+(1→20) = 6 beats (1→10)+(0→20) = 4; cluster 2 unassigned.
    const v = { votes: Float64Array.from([5, 0, 4, 1, 0, 0]), clusterCount: 3, classIds: [10, 20] };
    expect(Array.from(majorityClusterMapping(v))).toEqual([10, 10, -1]);
    expect(Array.from(hungarianClusterMapping(v))).toEqual([10, 20, -1]);
  });

  it('applyClusterMapping relabels and drops', () => {
    const mapped = applyClusterMapping(
      [
        { category_id: 0, score: 1 },
        { category_id: 1, score: 0.5 },
        { category_id: 2, score: 0.2 },
      ],
      Int32Array.from([10, -1, 20]),
    );
    expect(mapped).toEqual([
      { category_id: 10, score: 1 },
      { category_id: 20, score: 0.2 },
    ]);
  });
});
