// Box/mask IoU with maskApi semantics: reference vectors from coco-formats.md, hand arithmetic,
// and a dense re-computation on real COCO crowd masks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BboxXYWH, Rle } from '../../../src/core/coco/types';
import { bboxIouMatrix, rleArea, rleIouMatrix, rleToBbox } from '../../../src/core/metrics/iou';
import { describeWithData, sharedPath } from '../../helpers/shared-data';
import { decodeRle, rectRle, rleFromRows } from './helpers';

describe('rleArea / rleToBbox on the coco-formats.md reference vectors', () => {
  const cases: { name: string; rle: Rle; area: number; bbox: BboxXYWH }[] = [
    { name: 'block', rle: { size: [4, 5], counts: [5, 2, 2, 2, 2, 2, 5] }, area: 6, bbox: [1, 1, 3, 2] },
    { name: 'top-left pixel', rle: { size: [3, 3], counts: [0, 1, 8] }, area: 1, bbox: [0, 0, 1, 1] },
    { name: 'all ones', rle: { size: [2, 3], counts: [0, 6] }, area: 6, bbox: [0, 0, 3, 2] },
    { name: 'empty', rle: { size: [2, 2], counts: [4] }, area: 0, bbox: [0, 0, 0, 0] },
    {
      name: 'L + block',
      rle: { size: [6, 7], counts: [0, 1, 5, 1, 1, 3, 1, 1, 1, 3, 1, 1, 5, 1, 5, 1, 5, 6] },
      area: 18,
      bbox: [0, 0, 7, 6],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(rleArea(c.rle)).toBe(c.area);
      expect(rleToBbox(c.rle)).toEqual(c.bbox);
    });
  }

  it('box with hole (40×50, ones rows 5–34 cols 10–44, hole rows 15–24 cols 20–29)', () => {
    const rows: string[] = [];
    for (let y = 0; y < 40; y++) {
      let row = '';
      for (let x = 0; x < 50; x++) {
        const inBox = y >= 5 && y <= 34 && x >= 10 && x <= 44;
        const inHole = y >= 15 && y <= 24 && x >= 20 && x <= 29;
        row += inBox && !inHole ? '1' : '0';
      }
      rows.push(row);
    }
    const rle = rleFromRows(rows);
    expect(rle.counts.length).toBe(91);
    // 30×35 box minus 10×10 hole = 1050 - 100.
    expect(rleArea(rle)).toBe(950);
    expect(rleToBbox(rle)).toEqual([10, 5, 35, 30]);
  });

  it('a run that crosses a column boundary widens the box to the full height (current maskApi)', () => {
    // h=4, w=2: ones at (x0,y2), (x0,y3), (x1,y0) form one column-major run, indices 2..4.
    // Its ends are (x0,y2) and (x1,y0), yet the mask covers rows 0..3: tight box [0, 0, 2, 4].
    const rle = rleFromRows(['01', '00', '10', '10']);
    expect(rle.counts).toEqual([2, 3, 3]);
    expect(rleToBbox(rle)).toEqual([0, 0, 2, 4]);
  });
});

describe('bboxIouMatrix (bbIou)', () => {
  it('regular and crowd unions, dt-major layout', () => {
    // gt0 = [0,0,10,10] (area 100), gt1 = same box but crowd.
    // dt0 = [5,0,10,10]: inter 5×10 = 50; union 100+100-50 = 150 → 1/3; crowd union = dt area 100 → 0.5.
    // dt1 = [2,2,4,4]: inter 16; union 100+16-16 = 100 → 0.16; crowd: 16/16 = 1.
    // dt2 = [10,0,5,5]: touches the edge only, width 0 → 0.
    const gt: BboxXYWH[] = [
      [0, 0, 10, 10],
      [0, 0, 10, 10],
    ];
    const dt: BboxXYWH[] = [
      [5, 0, 10, 10],
      [2, 2, 4, 4],
      [10, 0, 5, 5],
    ];
    const iou = bboxIouMatrix(dt, gt, [0, 1]);
    expect(Array.from(iou)).toEqual([50 / 150, 0.5, 16 / 100, 1, 0, 0]);
  });

  it('fractional boxes', () => {
    // [0,0,2.5,2] vs [1.5,0,2,2]: inter 1×2 = 2, union 5+4-2 = 7.
    expect(bboxIouMatrix([[0, 0, 2.5, 2]], [[1.5, 0, 2, 2]], [0])[0]).toBeCloseTo(2 / 7, 15);
  });
});

describe('rleIouMatrix (rleIou)', () => {
  it('hand-counted masks', () => {
    const gt = rleFromRows(['0110', '0110', '0000']); // 4 px
    const dtHalf = rleFromRows(['0011', '0011', '0000']); // 4 px, 2 shared → 2/6
    const dtInside = rleFromRows(['0100', '0000', '0000']); // 1 px inside → 1/4; crowd → 1/1
    const dtApart = rleFromRows(['0000', '0000', '1001']); // boxes overlap? no (row 2 only) → 0
    const iou = rleIouMatrix([dtHalf, dtInside, dtApart], [gt, gt], [0, 1]);
    expect(Array.from(iou)).toEqual([2 / 6, 2 / 4, 1 / 4, 1, 0, 0]);
  });

  it('L-shaped masks whose boxes overlap but pixels do not give 0', () => {
    const a = rleFromRows(['1000', '1000', '1111']);
    const b = rleFromRows(['0111', '0001', '0000']);
    expect(rleIouMatrix([a], [b], [0])[0]).toBe(0);
  });

  it('size mismatch gives -1 as in maskApi', () => {
    expect(rleIouMatrix([rectRle(4, 4, [0, 0, 2, 2])], [rectRle(4, 5, [0, 0, 2, 2])], [0])[0]).toBe(-1);
  });

  it('agrees with bbIou for rectangles', () => {
    // [1,1,4,3] vs [3,2,4,4] in 10×10: inter x 3..4 (2) × y 2..3 (2) = 4; union 12+16-4 = 24.
    const m = rleIouMatrix([rectRle(10, 10, [1, 1, 4, 3])], [rectRle(10, 10, [3, 2, 4, 4])], [0]);
    expect(m[0]).toBeCloseTo(4 / 24, 15);
  });
});

interface RawAnn {
  id: number;
  iscrowd: number;
  segmentation: { size: [number, number]; counts: number[] } | number[][];
}

describeWithData('rleIou / rleToBbox on real COCO crowd masks', ['coco-dev', 'instances.json'], () => {
  const data = JSON.parse(readFileSync(sharedPath('coco-dev', 'instances.json'), 'utf8')) as { annotations: RawAnn[] };
  const crowds = data.annotations.filter((a) => a.iscrowd === 1).map((a) => a.segmentation as Rle);

  it('area and box match a dense decode of every crowd mask', () => {
    expect(crowds.length).toBeGreaterThan(10);
    for (const rle of crowds) {
      const dense = decodeRle(rle);
      const h = rle.size[0];
      let area = 0;
      let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
      dense.forEach((v, i) => {
        if (!v) return;
        area++;
        const x = Math.floor(i / h);
        const y = i % h;
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      });
      expect(rleArea(rle)).toBe(area);
      expect(rleToBbox(rle)).toEqual([x0, y0, x1 - x0 + 1, y1 - y0 + 1]);
    }
  });

  it('IoU of each mask with itself is 1, and with a dense-counted shifted copy matches', () => {
    for (const rle of crowds.slice(0, 5)) {
      expect(rleIouMatrix([rle], [rle], [0])[0]).toBe(1);
      // Shift by one column: drop the first h pixels, pad h zeros at the end.
      const h = rle.size[0];
      const dense = decodeRle(rle);
      const shifted = new Uint8Array(dense.length);
      shifted.set(dense.subarray(0, dense.length - h), h);
      let inter = 0;
      let union = 0;
      for (let i = 0; i < dense.length; i++) {
        inter += dense[i] & shifted[i];
        union += dense[i] | shifted[i];
      }
      const counts: number[] = [];
      let cur = 0;
      let run = 0;
      for (const v of shifted) {
        if (v !== cur) {
          counts.push(run);
          run = 0;
          cur = v;
        }
        run++;
      }
      counts.push(run);
      const iou = rleIouMatrix([{ size: rle.size, counts }], [rle], [0])[0];
      expect(iou).toBeCloseTo(inter / union, 14);
    }
  });
});
