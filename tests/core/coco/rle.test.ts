// RLE against the vectors of coco-formats.md, the pycocotools outputs in tests/fixtures/coco and the
// real annotations of coco-dev (polygons rasterised with frPoly, crowd RLEs round-tripped).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compressCounts,
  compressRle,
  decodeMask,
  decompressCounts,
  encodeMask,
  mergeRles,
  polygonToRle,
  polygonsToRle,
  rleArea,
  rleToBbox,
} from '../../../src/core/coco/rle';
import { polygonsArea } from '../../../src/core/coco/polygon';
import type { BboxXYWH, Rle } from '../../../src/core/coco/types';
import { describeWithData, sharedPath } from '../../helpers/shared-data';

function rowsToMask(rows: string[]): { mask: Uint8Array; h: number; w: number } {
  const h = rows.length;
  const w = rows[0].length;
  return { mask: Uint8Array.from(rows.join(''), (c) => Number(c)), h, w };
}

function boxWithHole(): { mask: Uint8Array; h: number; w: number } {
  const h = 40;
  const w = 50;
  const mask = new Uint8Array(h * w);
  for (let y = 5; y <= 34; y++) for (let x = 10; x <= 44; x++) mask[y * w + x] = 1;
  for (let y = 15; y <= 24; y++) for (let x = 20; x <= 29; x++) mask[y * w + x] = 0;
  return { mask, h, w };
}

// coco-formats.md, "Reference vectors".
const DOC_VECTORS: { name: string; make: () => { mask: Uint8Array; h: number; w: number }; counts?: number[]; countsLength?: number; string: string; area: number; bbox: BboxXYWH }[] = [
  { name: 'block', make: () => rowsToMask(['00000', '01110', '01110', '00000']), counts: [5, 2, 2, 2, 2, 2, 5], string: '5220003', area: 6, bbox: [1, 1, 3, 2] },
  { name: 'top-left pixel', make: () => rowsToMask(['100', '000', '000']), counts: [0, 1, 8], string: '018', area: 1, bbox: [0, 0, 1, 1] },
  { name: 'all ones', make: () => rowsToMask(['111', '111']), counts: [0, 6], string: '06', area: 6, bbox: [0, 0, 3, 2] },
  { name: 'empty', make: () => rowsToMask(['00', '00']), counts: [4], string: '4', area: 0, bbox: [0, 0, 0, 0] },
  {
    name: 'L + block',
    make: () => rowsToMask(['1111111', '0000001', '0110001', '0110001', '0110001', '0000001']),
    counts: [0, 1, 5, 1, 1, 3, 1, 1, 1, 3, 1, 1, 5, 1, 5, 1, 5, 6],
    string: '0150L20N020N400005',
    area: 18,
    bbox: [0, 0, 7, 6],
  },
  {
    name: 'box with hole',
    make: boxWithHole,
    countsLength: 91,
    string: String.raw`e<n0:000000000000000000\O000000000000000000000000000000000000000d00000000000000000000000000000S6`,
    area: 950,
    bbox: [10, 5, 35, 30],
  },
];

describe('RLE reference vectors (coco-formats.md)', () => {
  for (const v of DOC_VECTORS) {
    it(v.name, () => {
      const { mask, h, w } = v.make();
      const rle = encodeMask(mask, h, w);
      expect(rle.size).toEqual([h, w]);
      if (v.counts) expect(rle.counts).toEqual(v.counts);
      if (v.countsLength) expect(rle.counts).toHaveLength(v.countsLength);
      expect(compressCounts(rle.counts)).toBe(v.string);
      expect(decompressCounts(v.string)).toEqual(rle.counts);
      expect(rleArea(rle)).toBe(v.area);
      expect(rleToBbox(rle)).toEqual(v.bbox);
      expect(decodeMask(rle)).toEqual(mask);
    });
  }

  it('keeps the backslash as one character', () => {
    const s = DOC_VECTORS[5].string;
    expect(s.split('\\')).toHaveLength(2);
    expect(JSON.stringify(s)).toContain('\\\\O');
  });

  it('round-trips through the compressed object', () => {
    const { mask, h, w } = boxWithHole();
    const compressed = compressRle(encodeMask(mask, h, w));
    expect(JSON.parse(JSON.stringify(compressed))).toEqual(compressed);
  });
});

describe('RLE helpers', () => {
  it('refuses a mask of the wrong length and counts that do not cover it', () => {
    expect(() => encodeMask(new Uint8Array(5), 2, 3)).toThrow(/expected 2×3/);
    expect(() => decodeMask({ size: [2, 3], counts: [1, 2] })).toThrow(/sum to 3/);
  });

  it('refuses invalid RLE characters and a truncated group', () => {
    expect(() => decompressCounts('5 2')).toThrow(/invalid character/);
    expect(() => decompressCounts('5p')).toThrow(/invalid character/);
    expect(() => decompressCounts('5P')).toThrow(/ends inside a count/);
  });

  it('compresses long count lists and large deltas', () => {
    const counts = Array.from({ length: 50_001 }, (_, i) => (i % 7) * 100_003 + 1);
    expect(decompressCounts(compressCounts(counts))).toEqual(counts);
  });

  it('merge refuses differing sizes', () => {
    expect(() => mergeRles([{ size: [2, 2], counts: [4] }, { size: [2, 3], counts: [6] }])).toThrow(/size/);
  });
});

interface RefRle {
  counts: string;
  area: number;
  bbox: BboxXYWH;
}
const REFERENCE = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../fixtures/coco/pycocotools-reference.json'), 'utf8'),
) as {
  generator: string;
  polygons: ({ h: number; w: number; xy: number[] } & RefRle)[];
  boxes: ({ h: number; w: number; box: BboxXYWH } & RefRle)[];
  masks: { h: number; w: number; aRows: string[]; bRows: string[]; a: RefRle; b: RefRle; union: string; intersection: string }[];
  cocoDev: { annotations: number; sha256OfIdColonCountsLines: string; totalArea: number };
};

function expectMatches(rle: Rle, ref: RefRle): void {
  expect(compressCounts(rle.counts)).toBe(ref.counts);
  expect(rleArea(rle)).toBe(ref.area);
  expect(rleToBbox(rle)).toEqual(ref.bbox);
}

describe(`RLE against the reference C implementation (${REFERENCE.generator})`, () => {
  it.each(REFERENCE.polygons.map((p, i) => [i, p] as const))('frPoly case %i', (_i, p) => {
    expectMatches(polygonToRle(p.xy, p.h, p.w), p);
  });

  it.each(REFERENCE.boxes.map((b, i) => [i, b] as const))('frBbox case %i', (_i, b) => {
    // rleFrBbox is frPoly of the box's corners, in this order.
    const [xs, ys, bw, bh] = b.box;
    expectMatches(polygonToRle([xs, ys, xs, ys + bh, xs + bw, ys + bh, xs + bw, ys], b.h, b.w), b);
  });

  it.each(REFERENCE.masks.map((m, i) => [i, m] as const))('encode, toBbox, merge case %i', (_i, m) => {
    const a = encodeMask(rowsToMask(m.aRows).mask, m.h, m.w);
    const b = encodeMask(rowsToMask(m.bRows).mask, m.h, m.w);
    expectMatches(a, m.a);
    expectMatches(b, m.b);
    expect(compressCounts(mergeRles([a, b]).counts)).toBe(m.union);
    expect(compressCounts(mergeRles([a, b], true).counts)).toBe(m.intersection);
  });
});

interface DevAnnotation {
  id: number;
  image_id: number;
  segmentation: number[][] | Rle;
  area: number;
  bbox: BboxXYWH;
  iscrowd: number;
}

describeWithData('RLE on the real coco-dev annotations', ['coco-dev', 'instances.json'], () => {
  const dev = JSON.parse(readFileSync(sharedPath('coco-dev', 'instances.json'), 'utf8')) as {
    images: { id: number; height: number; width: number }[];
    annotations: DevAnnotation[];
  };
  const images = new Map(dev.images.map((im) => [im.id, im]));
  const rleOf = (a: DevAnnotation): Rle => {
    const im = images.get(a.image_id)!;
    return Array.isArray(a.segmentation) ? polygonsToRle(a.segmentation, im.height, im.width) : a.segmentation;
  };
  const polygonAnns = dev.annotations.filter((a) => Array.isArray(a.segmentation));
  const crowdAnns = dev.annotations.filter((a) => !Array.isArray(a.segmentation));

  it('every annotation matches pycocotools annToRLE (hash of all compressed strings, total area)', () => {
    const hash = createHash('sha256');
    let totalArea = 0;
    for (const a of dev.annotations) {
      const rle = rleOf(a);
      hash.update(`${a.id}:${compressRle(rle).counts}\n`);
      totalArea += rleArea(rle);
    }
    expect(dev.annotations).toHaveLength(REFERENCE.cocoDev.annotations);
    expect(totalArea).toBe(REFERENCE.cocoDev.totalArea);
    expect(hash.digest('hex')).toBe(REFERENCE.cocoDev.sha256OfIdColonCountsLines);
  });

  // COCO's polygon `area` is the polygon's own (shoelace) area, not a pixel count, so rasterised
  // areas cannot equal it exactly; they must agree closely.
  it('polygon areas: the file holds the shoelace area; rasterised areas agree closely', () => {
    let exact = 0;
    let within5 = 0;
    let shoelaceSame = 0;
    let sumRaster = 0;
    let sumFile = 0;
    for (const a of polygonAnns) {
      const area = rleArea(rleOf(a));
      if (area === a.area) exact++;
      if (Math.abs(area - a.area) <= 0.05 * a.area) within5++;
      if (Math.abs(polygonsArea(a.segmentation as number[][]) - a.area) < 1e-6) shoelaceSame++;
      sumRaster += area;
      sumFile += a.area;
    }
    const n = polygonAnns.length;
    console.info(
      `coco-dev polygons: ${n}; rasterised area === file area: ${exact}/${n}; within 5%: ${within5}/${n} ` +
        `(${((100 * within5) / n).toFixed(1)}%); file area === shoelace: ${shoelaceSame}/${n}; ` +
        `total rasterised/file: ${(sumRaster / sumFile).toFixed(6)}`,
    );
    expect(n).toBeGreaterThan(1900);
    expect(shoelaceSame).toBe(n);
    expect(within5 / n).toBeGreaterThan(0.95);
    expect(Math.abs(sumRaster / sumFile - 1)).toBeLessThan(0.001);
  });

  // The file's polygon boxes are the vertices' extent; pixels count when their centre is inside, so
  // thin spikes can reach far beyond the pixels and the rasterised box only has to lie inside.
  it('polygon bboxes: file box is the vertex extent; the rasterised box lies within it', () => {
    let edgesWithinOne = 0;
    for (const a of polygonAnns) {
      const xs = (a.segmentation as number[][]).flatMap((p) => p.filter((_, k) => k % 2 === 0));
      const ys = (a.segmentation as number[][]).flatMap((p) => p.filter((_, k) => k % 2 === 1));
      const [fx, fy, fw, fh] = a.bbox;
      expect(Math.min(...xs)).toBeCloseTo(fx, 6);
      expect(Math.min(...ys)).toBeCloseTo(fy, 6);
      expect(Math.max(...xs)).toBeCloseTo(fx + fw, 4);
      expect(Math.max(...ys)).toBeCloseTo(fy + fh, 4);
      const [x, y, w, h] = rleToBbox(rleOf(a));
      expect(x).toBeGreaterThanOrEqual(Math.floor(fx));
      expect(y).toBeGreaterThanOrEqual(Math.floor(fy));
      expect(x + w).toBeLessThanOrEqual(Math.ceil(fx + fw));
      expect(y + h).toBeLessThanOrEqual(Math.ceil(fy + fh));
      const gap = Math.max(x - fx, y - fy, fx + fw - (x + w), fy + fh - (y + h));
      if (gap <= 1) edgesWithinOne++;
    }
    console.info(`coco-dev polygon boxes: all four edges within 1 px of the file box: ${edgesWithinOne}/${polygonAnns.length}`);
  });

  it('crowd RLEs decode, re-encode and compress back to the same counts', () => {
    expect(crowdAnns.length).toBeGreaterThan(10);
    for (const a of crowdAnns) {
      const rle = a.segmentation as Rle;
      const [h, w] = rle.size;
      const again = encodeMask(decodeMask(rle), h, w);
      expect(again.counts).toEqual(rle.counts);
      const compressed = compressRle(rle).counts;
      expect(decompressCounts(compressed)).toEqual(rle.counts);
      expect(compressCounts(again.counts)).toBe(compressed);
      // The file's crowd boxes use the old [x, y, x1 - x0, y1 - y0] convention: one less than toBbox.
      const [x, y, bw, bh] = rleToBbox(rle);
      expect([x, y, bw - 1, bh - 1]).toEqual(a.bbox);
    }
  });
});
