// Hungarian-matched mIoU / pixel accuracy on a hand-counted confusion, the COCO-Stuff-27 map, and
// the permutation identity on real COCO-Stuff label maps.
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random';
import {
  COCO_STUFF27_NAMES,
  COCO_STUFF_FINE_TO_COARSE27,
  IGNORE_LABEL,
  addToConfusion,
  cocoStuffToCoarse27,
  createConfusionMatrix,
  hungarianSemanticMetrics,
} from '../../../src/core/metrics/semantic';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

// 10 pixels, the last unlabelled (255):
//   gt   0 0 0 0 1 1 1 2 2 255
//   pred 2 2 2 1 0 0 1 1 1 0
// counts[cluster][class]: cluster 0 = [0 2 0], cluster 1 = [1 1 2], cluster 2 = [3 0 0].
// Best one-to-one: 2→0 (3) + 0→1 (2) + 1→2 (2) = 7 of 9 counted pixels.
// Rows reordered by class: [3 0 0] [0 2 0] [1 1 2]; tp 3 2 2; column sums 4 3 2; row sums 3 2 4.
// IoU = tp / (col + row - tp): 3/4, 2/3, 2/4 → mIoU = (3/4 + 2/3 + 1/2)/3; accuracy 7/9.
const gt = [0, 0, 0, 0, 1, 1, 1, 2, 2, 255];
const pred = [2, 2, 2, 1, 0, 0, 1, 1, 1, 0];

describe('hungarianSemanticMetrics', () => {
  it('square confusion (STEGO with extra_clusters = 0)', () => {
    const cm = createConfusionMatrix(3, 3);
    addToConfusion(cm, pred, gt);
    expect(Array.from(cm.counts)).toEqual([0, 2, 0, 1, 1, 2, 3, 0, 0]);
    const m = hungarianSemanticMetrics(cm);
    expect(Array.from(m.clusterToClass)).toEqual([1, 2, 0]);
    expect(Array.from(m.perClassIoU)).toEqual([3 / 4, 2 / 3, 2 / 4]);
    expect(m.mIoU).toBeCloseTo((3 / 4 + 2 / 3 + 1 / 2) / 3, 12);
    expect(m.pixelAccuracy).toBeCloseTo(7 / 9, 12);
  });

  it('an extra cluster joins STEGO\'s "unmatched" row with IoU 0', () => {
    // One more pixel: gt 0, cluster 3 → cluster 3 = [1 0 0], unmatched (the 7-pixel match stays).
    // 4×4 histogram: rows [3 0 0 0] [0 2 0 0] [1 1 2 0] [1 0 0 0]; column sums 5 3 2 0; row sums 3 2 4 1.
    // IoU: 3/(5+3-3) = 3/5, 2/3, 1/2, 0/(0+1-0) = 0 → mIoU = (3/5 + 2/3 + 1/2 + 0)/4; accuracy 7/10.
    const cm = createConfusionMatrix(4, 3);
    addToConfusion(cm, [...pred, 3], [...gt, 0]);
    const m = hungarianSemanticMetrics(cm);
    expect(Array.from(m.clusterToClass)).toEqual([1, 2, 0, -1]);
    expect(m.perClassIoU[0]).toBeCloseTo(3 / 5, 12);
    expect(m.perClassIoU[3]).toBe(0);
    expect(m.mIoU).toBeCloseTo((3 / 5 + 2 / 3 + 1 / 2) / 4, 12);
    expect(m.pixelAccuracy).toBeCloseTo(7 / 10, 12);
  });

  it('absent classes (0/0) are left out of the mean', () => {
    // Only class 0 present, predicted perfectly by cluster 1: IoU [1, NaN, NaN] → mIoU 1.
    const cm = createConfusionMatrix(3, 3);
    addToConfusion(cm, [1, 1], [0, 0]);
    const m = hungarianSemanticMetrics(cm);
    expect(m.perClassIoU[0]).toBe(1);
    expect(Number.isNaN(m.perClassIoU[1])).toBe(true);
    expect(m.mIoU).toBe(1);
    expect(m.pixelAccuracy).toBe(1);
  });
});

describe('COCO-Stuff-27 map (STEGO fine_to_coarse)', () => {
  it('covers label values 0..181 with coarse classes 0..26', () => {
    expect(COCO_STUFF_FINE_TO_COARSE27).toHaveLength(182);
    expect(new Set(COCO_STUFF_FINE_TO_COARSE27).size).toBe(27);
    expect(COCO_STUFF27_NAMES).toHaveLength(27);
  });

  it('spot values by name (value v = COCO-Stuff class v + 1)', () => {
    const name = (v: number) => COCO_STUFF27_NAMES[COCO_STUFF_FINE_TO_COARSE27[v]];
    expect(name(0)).toBe('person'); // class 1 person
    expect(name(2)).toBe('vehicle'); // class 3 car
    expect(name(61)).toBe('furniture'); // class 62 chair (README)
    expect(name(171)).toBe('wall'); // class 172 wall-concrete (README)
    expect(name(156)).toBe('sky'); // class 157 sky-other
    expect(name(105)).toBe('sky'); // class 106 clouds
    expect(name(155)).toBe('furniture'); // class 156 shelf
    expect(name(147)).toBe('water'); // class 148 river
  });

  it('unlabelled stays ignored', () => {
    expect(Array.from(cocoStuffToCoarse27([0, 255, 171, 200]))).toEqual([9, IGNORE_LABEL, 18, IGNORE_LABEL]);
  });
});

describeWithData('semantic identity on coco-stuff-10', ['coco-stuff-10', 'index.json'], () => {
  const index = JSON.parse(readFileSync(sharedPath('coco-stuff-10', 'index.json'), 'utf8')) as {
    label: string;
    label_values: number[];
  }[];

  it('a permuted copy of the coarse labels scores mIoU = accuracy = 1', () => {
    const rng = mulberry32(11);
    // A random permutation of the 27 coarse classes as cluster ids.
    const perm = Array.from({ length: 27 }, (_, i) => i);
    for (let i = 26; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    const cm = createConfusionMatrix(27, 27);
    const present = new Set<number>();
    for (const entry of index) {
      const png = decode(readFileSync(sharedPath('coco-stuff-10', entry.label)));
      expect(png.channels).toBe(1);
      const values = new Set(png.data);
      expect([...values].sort((a, b) => a - b)).toEqual(entry.label_values);
      const coarse = cocoStuffToCoarse27(png.data);
      // Unlabelled pixels get an arbitrary cluster: they must not count.
      const clusters = Uint8Array.from(coarse, (c) => (c === IGNORE_LABEL ? 5 : perm[c]));
      coarse.forEach((c) => c !== IGNORE_LABEL && present.add(c));
      addToConfusion(cm, clusters, coarse);
    }
    const m = hungarianSemanticMetrics(cm);
    expect(m.mIoU).toBe(1);
    expect(m.pixelAccuracy).toBe(1);
    for (const c of present) expect(m.clusterToClass[perm[c]]).toBe(c);
    const defined = Array.from(m.perClassIoU).filter((v) => !Number.isNaN(v));
    expect(defined).toHaveLength(present.size);
  });
});
