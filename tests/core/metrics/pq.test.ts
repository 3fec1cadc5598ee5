// Panoptic quality on hand-drawn 1-row images (void, crowd, category mismatch) and the identity on
// the official coco-panoptic-2 annotations.
import { readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import {
  PqAccumulator,
  type PanopticAnnotation,
  type PanopticCategory,
  type PanopticSegmentInfo,
} from '../../../src/core/metrics/pq';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

const categories: PanopticCategory[] = [
  { id: 1, isthing: 1 },
  { id: 2, isthing: 0 },
  { id: 3, isthing: 1 },
];

/** A 1-row image from a list of segment ids per pixel. */
function ann(ids: number[], segmentsInfo: PanopticSegmentInfo[]): PanopticAnnotation {
  return { idsRowMajor: Uint32Array.from(ids), segmentsInfo };
}

// Image 1 (20 px):
//   gt   10 (cat 1) px 0–7 (8), 11 (cat 2) px 8–13 (6), 12 (cat 3, crowd) px 14–17 (4), void 18–19.
//   pred 1 (cat 1) px 0–4 + 18–19 (7: 5 on gt 10, 2 on void)
//        2 (cat 2) px 5–13 (9: 3 on gt 10, 6 on gt 11)
//        3 (cat 3) px 14–17 (4, all on the cat-3 crowd)
// pred 1 vs gt 10: inter 5, union 7 + 8 - 5 - 2 (void) = 8 → IoU 0.625 > 0.5: TP.
//   (With the plain union 10 it would be exactly 0.5, not a match: the void subtraction matters.)
// pred 2 vs gt 11: inter 6, union 9 + 6 - 6 = 9 → 2/3: TP. (vs gt 10: other category, skipped.)
// pred 3: unmatched (crowd gts never match); 4 of 4 px on its category's crowd > half → ignored.
// gt 12 is crowd → not FN.
const image1 = {
  gt: ann(
    [10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 12, 12, 12, 12, 0, 0],
    [
      { id: 10, category_id: 1, iscrowd: 0, area: 8 },
      { id: 11, category_id: 2, iscrowd: 0, area: 6 },
      { id: 12, category_id: 3, iscrowd: 1, area: 4 },
    ],
  ),
  pred: ann(
    [1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1],
    [
      { id: 1, category_id: 1 },
      { id: 2, category_id: 2 },
      { id: 3, category_id: 3 },
    ],
  ),
};

// Image 2 (10 px):
//   gt   5 (cat 1) px 0–3, 6 (cat 3, crowd) px 4–7, void 8–9.
//   pred 7 (cat 1) px 4–8 (5: 4 on the cat-3 crowd, 1 void), 8 (cat 3) px 0–3, 9 (cat 2) px 9.
// pred 7: no same-class overlap; ignored px = 1 void (+0: the crowd is another class) → 1/5: FP cat 1.
// pred 8: on gt 5 but class 3 ≠ 1 → unmatched; 0 void, 0 on cat-3 crowd → FP cat 3.
// pred 9: 1/1 px void → ignored.  gt 5 unmatched → FN cat 1.
const image2 = {
  gt: ann(
    [5, 5, 5, 5, 6, 6, 6, 6, 0, 0],
    [
      { id: 5, category_id: 1, iscrowd: 0, area: 4 },
      { id: 6, category_id: 3, iscrowd: 1, area: 4 },
    ],
  ),
  pred: ann(
    [8, 8, 8, 8, 7, 7, 7, 7, 7, 9],
    [
      { id: 7, category_id: 1 },
      { id: 8, category_id: 3 },
      { id: 9, category_id: 2 },
    ],
  ),
};

/** The evaluation's own accumulation: images added one by one, then the result. */
function panopticQuality(pairs: { gt: PanopticAnnotation; pred: PanopticAnnotation; imageLabel?: string }[], cats: PanopticCategory[]): ReturnType<PqAccumulator['result']> {
  const acc = new PqAccumulator(cats);
  for (const { gt, pred, imageLabel } of pairs) acc.add(gt, pred, imageLabel);
  return acc.result();
}

describe('PqAccumulator on crafted images', () => {
  it('image 1 alone: two TPs, crowd-covered prediction ignored', () => {
    // cat 1: PQ = SQ = 0.625, RQ 1; cat 2: 2/3; cat 3: no tp/fp/fn → not counted.
    const r = panopticQuality([image1], categories);
    expect(r.all.n).toBe(2);
    expect(r.all.pq).toBeCloseTo((0.625 + 2 / 3) / 2, 12);
    expect(r.all.rq).toBeCloseTo(1, 12);
    expect(r.things.n).toBe(1);
    expect(r.things.pq).toBeCloseTo(0.625, 12);
    expect(r.stuff.pq).toBeCloseTo(2 / 3, 12);
    expect(r.perClass.get(3)).toEqual({ pq: 0, sq: 0, rq: 0 });
  });

  it('both images: FP, FN and the other-class crowd rule', () => {
    // cat 1: tp 1 (0.625), fp 1, fn 1 → PQ 0.625/(1+.5+.5) = 0.3125, SQ 0.625, RQ 0.5.
    // cat 2: tp 1 (2/3) → 2/3, 2/3, 1.   cat 3: fp 1 → 0, 0, 0 (counted: tp+fp+fn > 0).
    const r = panopticQuality([image1, image2], categories);
    const c1 = r.perClass.get(1)!;
    expect(c1.pq).toBeCloseTo(0.3125, 12);
    expect(c1.sq).toBeCloseTo(0.625, 12);
    expect(c1.rq).toBeCloseTo(0.5, 12);
    expect(r.all.n).toBe(3);
    expect(r.all.pq).toBeCloseTo((0.3125 + 2 / 3 + 0) / 3, 12);
    expect(r.all.sq).toBeCloseTo((0.625 + 2 / 3 + 0) / 3, 12);
    expect(r.all.rq).toBeCloseTo((0.5 + 1 + 0) / 3, 12);
    expect(r.things.n).toBe(2);
    expect(r.things.pq).toBeCloseTo(0.3125 / 2, 12);
    expect(r.stuff.sq).toBeCloseTo(2 / 3, 12);
  });

  it('exactly half void is not enough to ignore a prediction', () => {
    // gt: [void, 20 (cat 2)]; pred 4 (cat 1) covers both → no same-class match; void 1/2 = 0.5,
    // not > 0.5 → FP cat 1; gt 20 → FN cat 2. Both classes PQ 0, n = 2.
    const r = panopticQuality(
      [
        {
          gt: ann([0, 20], [{ id: 20, category_id: 2, iscrowd: 0, area: 1 }]),
          pred: ann([4, 4], [{ id: 4, category_id: 1 }]),
        },
      ],
      categories,
    );
    expect(r.stats.get(1)).toEqual({ iouSum: 0, tp: 0, fp: 1, fn: 0 });
    expect(r.stats.get(2)).toEqual({ iouSum: 0, tp: 0, fp: 0, fn: 1 });
    expect(r.all).toEqual({ pq: 0, sq: 0, rq: 0, n: 2 });
  });

  it('refuses inconsistent predictions like panopticapi', () => {
    const gt = ann([0, 0], []);
    expect(() => panopticQuality([{ gt, pred: ann([5, 0], []) }], categories)).toThrow(/presented in PNG/);
    expect(() => panopticQuality([{ gt, pred: ann([0, 0], [{ id: 5, category_id: 1 }]) }], categories)).toThrow(
      /presented in JSON/,
    );
    expect(() => panopticQuality([{ gt, pred: ann([5, 5], [{ id: 5, category_id: 99 }]) }], categories)).toThrow(
      /unknown category_id/,
    );
  });
});

interface PanopticJson {
  annotations: { image_id: number; file_name: string; segments_info: PanopticSegmentInfo[] }[];
  categories: PanopticCategory[];
}

function readPanopticPng(path: string): Uint32Array {
  const png = decode(readFileSync(path));
  const { width, height, channels, data } = png;
  const ids = new Uint32Array(width * height);
  for (let i = 0; i < ids.length; i++) {
    const r = data[i * channels];
    const g = data[i * channels + 1];
    const b = data[i * channels + 2];
    ids[i] = r + 256 * g + 256 * 256 * b;
  }
  return ids;
}

describeWithData('PqAccumulator identity on coco-panoptic-2', ['coco-panoptic-2', 'panoptic_examples.json'], () => {
  const json = JSON.parse(readFileSync(sharedPath('coco-panoptic-2', 'panoptic_examples.json'), 'utf8')) as PanopticJson;
  const pairs = json.annotations.map((a) => {
    const ids = readPanopticPng(sharedPath('coco-panoptic-2', 'panoptic', a.file_name));
    const gt = { idsRowMajor: ids, segmentsInfo: a.segments_info };
    return { gt, pred: { idsRowMajor: ids, segmentsInfo: a.segments_info }, imageLabel: String(a.image_id) };
  });

  it('the PNG ids equal the JSON ids (the README says 18 and 32 segments)', () => {
    expect(pairs.map((p) => p.gt.segmentsInfo.length)).toEqual([18, 32]);
    for (const p of pairs) {
      const inPng = new Set(p.gt.idsRowMajor);
      inPng.delete(0);
      expect([...inPng].sort((a, b) => a - b)).toEqual(p.gt.segmentsInfo.map((s) => s.id).sort((a, b) => a - b));
    }
  });

  it('gt against itself: PQ = SQ = RQ = 1 for all, things and stuff', () => {
    const r = panopticQuality(pairs, json.categories);
    for (const s of [r.all, r.things, r.stuff]) {
      expect(s.pq).toBeCloseTo(1, 12);
      expect(s.sq).toBeCloseTo(1, 12);
      expect(s.rq).toBeCloseTo(1, 12);
    }
    // n = distinct categories of the non-crowd segments (crowd copies are ignored, never FP).
    const cats = new Set(json.annotations.flatMap((a) => a.segments_info.filter((s) => !s.iscrowd).map((s) => s.category_id)));
    expect(r.all.n).toBe(cats.size);
    expect(r.things.n + r.stuff.n).toBe(cats.size);
  });

  it('a prediction that merges two same-class gt segments loses exactly those matches', () => {
    // Relabel the smaller of the two largest same-class non-crowd segments of image 0 into the
    // larger: if the merged IoU with the larger stays > 0.5 the larger is a TP and the smaller FN.
    const p = pairs[0];
    const byCat = new Map<number, PanopticSegmentInfo[]>();
    for (const s of p.gt.segmentsInfo) if (!s.iscrowd) byCat.set(s.category_id, [...(byCat.get(s.category_id) ?? []), s]);
    const group = [...byCat.values()].find((g) => g.length >= 2);
    expect(group).toBeDefined();
    const [big, small] = [...group!].sort((a, b) => (b.area ?? 0) - (a.area ?? 0));
    const ids = Uint32Array.from(p.gt.idsRowMajor, (v) => (v === small.id ? big.id : v));
    const pred = { idsRowMajor: ids, segmentsInfo: p.gt.segmentsInfo.filter((s) => s.id !== small.id) };
    const r = panopticQuality([{ gt: p.gt, pred }], json.categories);
    const st = r.stats.get(big.category_id)!;
    // IoU of the merged segment with the big one: big / (big + small) (no void inside either).
    const iou = big.area! / (big.area! + small.area!);
    expect(iou).toBeGreaterThan(0.5);
    expect(st.fn).toBe(1);
    expect(st.fp).toBe(0);
    expect(st.tp).toBe(group!.length - 1);
    expect(st.iouSum).toBeCloseTo(group!.length - 2 + iou, 12);
  });
});
