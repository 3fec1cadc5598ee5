// The evaluator that `npm run eval -- --pred … --gt …` runs (loadPredictions → gtForEval → COCOeval),
// against pycocotools' own COCOeval on a real prediction file: MaskCut's output on 24 coco-dev photos
// (fixtures/coco/make-cocoeval-reference.py made the golden), class-agnostic and per class.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { readInstancesDataset } from '../../../src/core/coco/instances-reader';
import { loadPredictions } from '../../../src/batch/eval/predictions';
import { agnosticStats, boxMaskStats, gtForEval } from '../../../src/batch/eval/instance-scores';
import { cocoEvaluate } from '../../../src/core/metrics/coco-eval';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

const FIXTURES = path.resolve(__dirname, '../../fixtures/coco');
const PREDICTIONS = path.join(FIXTURES, 'maskcut-results-coco-dev-24.json');

interface Golden {
  generator: string;
  imgIds: number[];
  classOf: number[];
  agnostic: { bbox: number[]; segm: number[] };
  agnosticSegmWithBoxAreas: number[];
  withClasses: { bbox: number[]; segm: number[] };
}

const GOLDEN = JSON.parse(readFileSync(path.join(FIXTURES, 'cocoeval-reference.json'), 'utf8')) as Golden;
const STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'];

function expectStats(ours: number[], golden: number[], what: string): void {
  expect(ours).toHaveLength(12);
  ours.forEach((v, i) => expect(v, `${what} ${STAT_NAMES[i]}`).toBeCloseTo(golden[i], 10));
}

describeWithData(`COCOeval against ${GOLDEN.generator} on MaskCut's predictions`, ['coco-dev', 'instances.json'], () => {
  const gtParsed = readInstancesDataset(new Uint8Array(readFileSync(sharedPath('coco-dev', 'instances.json'))));
  const gt = gtForEval(gtParsed);

  it('class-agnostic (CutLER\'s protocol): box and mask AP/AR as pycocotools', async () => {
    const { preds } = await loadPredictions(PREDICTIONS, gtParsed);
    expect(preds).toHaveLength(GOLDEN.classOf.length);
    expect([...new Set(preds.map((p) => p.image_id))].sort((a, b) => a - b)).toEqual(GOLDEN.imgIds);
    const r = agnosticStats(gt, preds, GOLDEN.imgIds);
    expectStats(r.box, GOLDEN.agnostic.bbox, 'bbox');
    expectStats(r.mask, GOLDEN.agnostic.segm, 'segm');
  });

  it('masks that carry their boxes: the areas are the boxes\' (pycocotools loadRes), as pycocotools', async () => {
    const { preds } = await loadPredictions(PREDICTIONS, gtParsed);
    const anyCategory = gt.categories[0].id;
    const results = preds.map((p) => ({ image_id: p.image_id, category_id: anyCategory, score: p.score, bbox: p.bbox, segmentation: p.rle }));
    const r = cocoEvaluate(gt, results, { iouType: 'segm', useCats: false, params: { imgIds: GOLDEN.imgIds } });
    expectStats(r.stats, GOLDEN.agnosticSegmWithBoxAreas, 'segm');
  });

  it('per class (each prediction given its best-overlapping class): box and mask AP/AR as pycocotools', async () => {
    const { preds } = await loadPredictions(PREDICTIONS, gtParsed);
    const classed = preds.map((p, i) => ({ ...p, category_id: GOLDEN.classOf[i] }));
    const r = boxMaskStats(gt, classed, true, GOLDEN.imgIds);
    expectStats(r.box, GOLDEN.withClasses.bbox, 'bbox');
    expectStats(r.mask, GOLDEN.withClasses.segm, 'segm');
  });
});
