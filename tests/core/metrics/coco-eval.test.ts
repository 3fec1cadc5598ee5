// COCOeval on hand-built cases; every expected number is worked out in the comments.
import { describe, expect, it } from 'vitest';
import type { BboxXYWH } from '../../../src/core/coco/types';
import { cocoEvaluate } from '../../../src/core/metrics/coco-eval';
import {
  defaultCocoEvalParams,
  loadResults,
  type CocoGtAnnotation,
  type CocoGtDataset,
  type CocoResult,
} from '../../../src/core/metrics/coco-eval-params';
import { rectRle } from './helpers';

const box = (x: number, y: number, w: number, h: number): BboxXYWH => [x, y, w, h];

function gtAnn(id: number, imageId: number, cat: number, bbox: BboxXYWH, iscrowd = 0): CocoGtAnnotation {
  return { id, image_id: imageId, category_id: cat, iscrowd, area: bbox[2] * bbox[3], bbox };
}

function dataset(annotations: CocoGtAnnotation[], imageIds = [1], catIds = [1]): CocoGtDataset {
  return { images: imageIds.map((id) => ({ id })), categories: catIds.map((id) => ({ id })), annotations };
}

const det = (imageId: number, cat: number, score: number, bbox: BboxXYWH): CocoResult => ({
  image_id: imageId,
  category_id: cat,
  score,
  bbox,
});

describe('COCOeval parameters', () => {
  it('thresholds are numpy linspace values', () => {
    const p = defaultCocoEvalParams('bbox', dataset([]));
    expect(p.iouThrs).toHaveLength(10);
    expect(p.iouThrs[0]).toBe(0.5);
    expect(p.iouThrs[5]).toBe(0.75);
    // numpy gives 0.8999999999999999 for the 9th threshold (i * step + start).
    expect(p.iouThrs[8]).toBe(0.8999999999999999);
    expect(p.recThrs).toHaveLength(101);
    expect(p.recThrs[50]).toBe(0.5);
    expect(p.recThrs[100]).toBe(1);
  });

  it('loadRes: ids 1..n, box area for bbox results, mask area when the first result has no bbox', () => {
    const boxes = loadResults([det(1, 1, 0.5, box(0, 0, 3, 4)), det(1, 1, 0.4, box(1, 1, 2, 2))]);
    expect(boxes.map((r) => [r.id, r.area, r.iscrowd])).toEqual([
      [1, 12, 0],
      [2, 4, 0],
    ]);
    const mask = rectRle(10, 10, [2, 3, 4, 5]);
    const masks = loadResults([{ image_id: 1, category_id: 1, score: 1, segmentation: mask }]);
    expect(masks[0].area).toBe(20);
    expect(masks[0].bbox).toEqual([2, 3, 4, 5]);
  });
});

describe('COCOeval: two gts, three detections (bbox)', () => {
  // gt1 = [0,0,100,100], gt2 = [200,0,100,100]: areas 10000 > 96² = 9216, both "large".
  // d1 (0.9) = gt1 exactly: IoU 1.
  // d2 (0.8) = [200,0,60,100]: inter 6000, union 10000 → IoU 0.6 with gt2 (area 6000: medium).
  // d3 (0.7) = [0,0,100,80]: IoU 0.8 with gt1, but gt1 is already taken by d1 (area 8000: medium).
  // Thresholds 0.50, 0.55, 0.60 (0.6 ≥ 0.6 matches): TP TP FP → rc .5 1 1, pr 1 1 2/3 → AP_t = 1.
  // Thresholds 0.65 … 0.95 (7): TP FP FP → rc .5 .5 .5, pr 1 .5 1/3; the recall points 0, .01 … .50
  //   (51 of 101) read 1, the rest 0 → AP_t = 51/101.
  // AP = (3 + 7·51/101) / 10 = 660/1010.  AR100 = (3·1 + 7·0.5)/10 = 0.65; AR1 (d1 only) = 0.5.
  // Large range: d2 and d3 unmatched are outside it and ignored; same curves → APl = AP, ARl = AR.
  // Small and medium: no gt in range → -1.
  const gt = dataset([gtAnn(1, 1, 1, box(0, 0, 100, 100)), gtAnn(2, 1, 1, box(200, 0, 100, 100))]);
  const dts = [det(1, 1, 0.8, box(200, 0, 60, 100)), det(1, 1, 0.9, box(0, 0, 100, 100)), det(1, 1, 0.7, box(0, 0, 100, 80))];

  it('stats', () => {
    const r = cocoEvaluate(gt, dts, { iouType: 'bbox' });
    const ap = 660 / 1010;
    const expected = [ap, 1, 51 / 101, -1, -1, ap, 0.5, 0.65, 0.65, -1, -1, 0.65];
    r.stats.forEach((v, i) => expect(v, `stat ${i}`).toBeCloseTo(expected[i], 12));
  });

  it('the same masks as RLE give the same numbers (segm)', () => {
    const withMasks: CocoGtDataset = {
      ...gt,
      annotations: gt.annotations.map((a) => ({ ...a, segmentation: rectRle(120, 320, a.bbox) })),
    };
    const maskDts = dts.map((d) => ({ ...d, bbox: undefined, segmentation: rectRle(120, 320, d.bbox as BboxXYWH) }));
    const r = cocoEvaluate(withMasks, maskDts, { iouType: 'segm' });
    const ap = 660 / 1010;
    const expected = [ap, 1, 51 / 101, -1, -1, ap, 0.5, 0.65, 0.65, -1, -1, 0.65];
    r.stats.forEach((v, i) => expect(v, `stat ${i}`).toBeCloseTo(expected[i], 12));
  });
});

describe('COCOeval: crowd regions', () => {
  it('detections inside a crowd region are ignored, not false positives', () => {
    // gt = [0,0,100,100]; crowd = [200,0,200,200]. d1 (0.9) = [210,10,50,50] lies in the crowd:
    // IoU = 2500 / dt area 2500 = 1 → matched to an ignored gt → ignored. d2 (0.8) = gt → TP.
    // d3 (0.7) = [300,100,50,50] also in the crowd (a crowd can absorb many) → ignored.
    // Counted sequence: TP only → AP = 1 at every threshold, AR = 1 (npig = 1: the crowd is not a gt).
    const gt = dataset([gtAnn(1, 1, 1, box(0, 0, 100, 100)), gtAnn(2, 1, 1, box(200, 0, 200, 200), 1)]);
    const dts = [det(1, 1, 0.9, box(210, 10, 50, 50)), det(1, 1, 0.8, box(0, 0, 100, 100)), det(1, 1, 0.7, box(300, 100, 50, 50))];
    const r = cocoEvaluate(gt, dts, { iouType: 'bbox' });
    expect(r.stats[0]).toBeCloseTo(1, 12);
    expect(r.stats[8]).toBeCloseTo(1, 12);
  });

  it('a regular match is kept even when a crowd region overlaps more (the break on ignored gts)', () => {
    // gt = [0,0,100,100]; crowd = [50,0,200,100]. One detection d = [20,0,100,100]:
    //   IoU with gt: inter 80·100 = 8000, union 12000 → 0.667; with the crowd: 70·100 / 10000 = 0.7.
    // t = .50 … .65 (4): d matches the regular gt first, then stops at the ignored crowd → TP → AP_t 1.
    // t = .70: 0.667 < .7, the crowd's 0.7 ≥ .7 → matched to the crowd → ignored → nothing counted: 0.
    // t = .75 … .95 (5): no match → FP → 0.   AP = 4/10; AR100 = 4/10.
    const gt = dataset([gtAnn(1, 1, 1, box(0, 0, 100, 100)), gtAnn(2, 1, 1, box(50, 0, 200, 100), 1)]);
    const r = cocoEvaluate(gt, [det(1, 1, 0.9, box(20, 0, 100, 100))], { iouType: 'bbox' });
    expect(r.stats[0]).toBeCloseTo(0.4, 12);
    expect(r.stats[1]).toBeCloseTo(1, 12);
    expect(r.stats[2]).toBeCloseTo(0, 12);
    expect(r.stats[8]).toBeCloseTo(0.4, 12);
  });
});

describe('COCOeval: pooling over images', () => {
  it('interleaved scores across two images', () => {
    // Image 1: gt a; detections 0.9 = a (TP), 0.6 elsewhere (FP).
    // Image 2: gts b, c; detections 0.8 elsewhere (FP), 0.7 = b (TP).
    // Pooled by score: TP FP TP FP, npig = 3 → tp 1 1 2 2, fp 0 1 1 2,
    //   rc 1/3 1/3 2/3 2/3, pr 1 .5 2/3 .5 → envelope 1 2/3 2/3 .5.
    // Recall points 0 … .33 (34) read 1, .34 … .66 (33) read 2/3, the rest 0:
    //   AP = (34 + 33·2/3)/101 = 56/101 at every threshold; AR100 = 2/3.
    const gt = dataset(
      [gtAnn(1, 1, 1, box(0, 0, 50, 50)), gtAnn(2, 2, 1, box(0, 0, 50, 50)), gtAnn(3, 2, 1, box(100, 100, 50, 50))],
      [1, 2],
    );
    const dts = [
      det(1, 1, 0.9, box(0, 0, 50, 50)),
      det(1, 1, 0.6, box(200, 200, 50, 50)),
      det(2, 1, 0.8, box(200, 200, 50, 50)),
      det(2, 1, 0.7, box(0, 0, 50, 50)),
    ];
    const r = cocoEvaluate(gt, dts, { iouType: 'bbox' });
    expect(r.stats[0]).toBeCloseTo(56 / 101, 12);
    expect(r.stats[8]).toBeCloseTo(2 / 3, 12);
    // AR1: one detection per image: image 1 keeps its TP, image 2 its FP → 1/3.
    expect(r.stats[6]).toBeCloseTo(1 / 3, 12);
  });
});

describe('COCOeval: class-aware vs class-agnostic (useCats)', () => {
  // gt A (cat 1) = [0,0,100,100], gt B (cat 2) = [200,0,100,100].
  // x (cat 2, 0.9) lies on A; y (cat 1, 0.8) lies on B; z (cat 7, 0.95, unknown category) on A.
  // With categories: per class one FP and one missed gt → AP 0 for both → 0. z is dropped.
  // Class-agnostic: z is still dropped (its category is not among catIds, as in pycocotools);
  //   x and y both match → AP 1, AR 1.
  const gt = dataset([gtAnn(1, 1, 1, box(0, 0, 100, 100)), gtAnn(2, 1, 2, box(200, 0, 100, 100))], [1], [1, 2]);
  const dts = [det(1, 2, 0.9, box(0, 0, 100, 100)), det(1, 1, 0.8, box(200, 0, 100, 100)), det(1, 7, 0.95, box(0, 0, 100, 100))];

  it('useCats=true', () => {
    const r = cocoEvaluate(gt, dts, { iouType: 'bbox' });
    expect(r.stats[0]).toBe(0);
    expect(r.stats[8]).toBe(0);
  });

  it('useCats=false', () => {
    const r = cocoEvaluate(gt, dts, { iouType: 'bbox', useCats: false });
    expect(r.counts[2]).toBe(1);
    expect(r.stats[0]).toBeCloseTo(1, 12);
    expect(r.stats[8]).toBeCloseTo(1, 12);
  });
});

describe('COCOeval: edge cases', () => {
  it('no detections: AP 0 and AR 0 where gts exist', () => {
    const r = cocoEvaluate(dataset([gtAnn(1, 1, 1, box(0, 0, 10, 10))]), [], { iouType: 'bbox' });
    // gt area 100 is small: small AP 0, medium/large -1.
    expect(r.stats).toEqual([0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
  });

  it('a detection on an image outside the ground truth is refused like loadRes', () => {
    expect(() => cocoEvaluate(dataset([]), [det(9, 1, 1, box(0, 0, 1, 1))], { iouType: 'bbox' })).toThrow(
      /do not correspond/,
    );
  });

  it('IoU exactly on a threshold counts as a match (0.75 ≥ 0.75)', () => {
    // gt [0,0,100,100]; d = [0,0,75,100]: IoU 7500/10000 = 0.75 → matches at .50 … .75 (6 of 10).
    const r = cocoEvaluate(dataset([gtAnn(1, 1, 1, box(0, 0, 100, 100))]), [det(1, 1, 1, box(0, 0, 75, 100))], {
      iouType: 'bbox',
    });
    expect(r.stats[2]).toBeCloseTo(1, 12);
    expect(r.stats[0]).toBeCloseTo(0.6, 12);
  });
});
