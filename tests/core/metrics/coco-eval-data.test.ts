// Identity checks of COCOeval on the real coco-dev annotations (215 images, 2035 instances).
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { BboxXYWH, Rle } from '../../../src/core/coco/types';
import { cocoEvaluate } from '../../../src/core/metrics/coco-eval';
import type { CocoGtDataset, CocoResult } from '../../../src/core/metrics/coco-eval-params';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

interface RawAnn {
  id: number;
  image_id: number;
  category_id: number;
  iscrowd: number;
  area: number;
  bbox: BboxXYWH;
  segmentation: Rle | number[][];
}

describeWithData('COCOeval identity on coco-dev', ['coco-dev', 'instances.json'], () => {
  const raw = JSON.parse(readFileSync(sharedPath('coco-dev', 'instances.json'), 'utf8')) as {
    images: { id: number }[];
    categories: { id: number }[];
    annotations: RawAnn[];
  };
  const gt: CocoGtDataset = {
    images: raw.images,
    categories: raw.categories,
    annotations: raw.annotations.map(({ segmentation: _s, ...a }) => a),
  };
  // Every non-crowd gt as a detection of its own class with score 1 (results never hold crowds).
  const selfDetections: CocoResult[] = raw.annotations
    .filter((a) => a.iscrowd === 0)
    .map((a) => ({ image_id: a.image_id, category_id: a.category_id, score: 1, bbox: a.bbox }));

  it('bbox, per class: every AP and AR100 is 1', () => {
    const r = cocoEvaluate(gt, selfDetections, { iouType: 'bbox' });
    for (const i of [0, 1, 2, 3, 4, 5, 8, 9, 10, 11]) expect(r.stats[i], `stat ${i}`).toBeCloseTo(1, 12);
    // AR1 < 1: images with two or more instances of a class keep only one detection.
    expect(r.stats[6]).toBeLessThan(1);
  });

  it('bbox, class-agnostic: AP and AR100 are 1', () => {
    const r = cocoEvaluate(gt, selfDetections, { iouType: 'bbox', useCats: false });
    expect(r.stats[0]).toBeCloseTo(1, 12);
    expect(r.stats[8]).toBeCloseTo(1, 12);
  });

  it('dropping every other detection halves nothing but recall: AP50 = precision 1 up to recall', () => {
    // Class-agnostic, all scores 1 and every kept detection a TP: precision is 1 wherever recall
    // is reached, so AR100 = kept/total regular gts and AP50 = (recall points ≤ that recall)/101.
    const kept = selfDetections.filter((_, i) => i % 2 === 0);
    const regular = selfDetections.length;
    const r = cocoEvaluate(gt, kept, { iouType: 'bbox', useCats: false });
    const recall = kept.length / regular;
    expect(r.stats[8]).toBeCloseTo(recall, 12);
    let points = 0;
    for (let i = 0; i <= 100; i++) if (i * 0.01 <= recall) points++;
    expect(r.stats[1]).toBeCloseTo(points / 101, 12);
  });

  it('segm on the crowd RLE masks taken as regular instances: AP = 1', () => {
    const crowds = raw.annotations.filter((a) => a.iscrowd === 1);
    const maskGt: CocoGtDataset = {
      images: raw.images,
      categories: raw.categories,
      annotations: crowds.map((a) => ({ ...a, iscrowd: 0, segmentation: a.segmentation as Rle })),
    };
    const dets: CocoResult[] = crowds.map((a) => ({
      image_id: a.image_id,
      category_id: a.category_id,
      score: 1,
      segmentation: a.segmentation as Rle,
    }));
    const r = cocoEvaluate(maskGt, dets, { iouType: 'segm', useCats: false });
    expect(r.stats[0]).toBeCloseTo(1, 12);
    expect(r.stats[8]).toBeCloseTo(1, 12);
  });
});
