// Shoelace area and mask → polygons: the traced polygons must rasterise (pycocotools frPoly) back to
// the mask with its holes filled, which an independent flood fill computes here.
import { describe, expect, it } from 'vitest';
import { maskToPolygons, polygonsArea } from '../../../src/core/coco/polygon';
import { decodeMask, polygonToRle, polygonsToRle, rleArea } from '../../../src/core/coco/rle';
import { mulberry32 } from '../../../src/core/random';

function rows(...lines: string[]): { mask: Uint8Array; h: number; w: number } {
  return { mask: Uint8Array.from(lines.join(''), (c) => Number(c)), h: lines.length, w: lines[0].length };
}

/** Mask with holes filled: background not 8-connected to the outside becomes foreground. */
function fillHoles(mask: Uint8Array, h: number, w: number): Uint8Array {
  const outside = new Uint8Array(h * w);
  const stack: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((x === 0 || y === 0 || x === w - 1 || y === h - 1) && mask[y * w + x] === 0) {
        outside[y * w + x] = 1;
        stack.push(y * w + x);
      }
    }
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const px = p % w;
    const py = (p - px) / w;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = px + dx;
        const y = py + dy;
        if (x < 0 || y < 0 || x >= w || y >= h) continue;
        const q = y * w + x;
        if (mask[q] === 0 && outside[q] === 0) {
          outside[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return outside.map((o) => 1 - o);
}

describe('polygonsArea (shoelace)', () => {
  it('measures known shapes whatever the orientation', () => {
    expect(polygonsArea([[0, 0, 4, 0, 4, 3, 0, 3]])).toBe(12);
    expect(polygonsArea([[0, 0, 0, 3, 4, 3, 4, 0]])).toBe(12);
    expect(polygonsArea([[0, 0, 4, 0, 0, 2]])).toBe(4);
    expect(polygonsArea([[0, 0, 1, 0, 1, 1], [5, 5, 7, 5, 7, 7, 5, 7]])).toBe(4.5);
  });
});

describe('maskToPolygons', () => {
  it('traces one pixel as its four corners', () => {
    const { mask, h, w } = rows('000', '010', '000');
    expect(maskToPolygons(mask, h, w)).toEqual([[1, 1, 2, 1, 2, 2, 1, 2]]);
  });

  it('gives separate polygons for separate components and for corner contact', () => {
    const { mask, h, w } = rows('1111111', '0000001', '0110001', '0110001', '0110001', '0000001');
    const polygons = maskToPolygons(mask, h, w);
    expect(polygons).toHaveLength(2);
    expect(rleArea(polygonsToRle(polygons, h, w))).toBe(18);
    const diagonal = rows('10', '01');
    expect(maskToPolygons(diagonal.mask, 2, 2)).toHaveLength(2);
  });

  it('fills holes (documented limit) and every polygon has at least 6 numbers', () => {
    const h = 40;
    const w = 50;
    const mask = new Uint8Array(h * w);
    for (let y = 5; y <= 34; y++) for (let x = 10; x <= 44; x++) mask[y * w + x] = 1;
    for (let y = 15; y <= 24; y++) for (let x = 20; x <= 29; x++) mask[y * w + x] = 0;
    const polygons = maskToPolygons(mask, h, w);
    expect(polygons).toEqual([[10, 5, 45, 5, 45, 35, 10, 35]]);
    expect(rleArea(polygonsToRle(polygons, h, w))).toBe(35 * 30);
  });

  it('round-trips random masks through frPoly (holes filled), shoelace = pixel count', () => {
    const rng = mulberry32(11);
    for (let trial = 0; trial < 300; trial++) {
      const h = 1 + Math.floor(rng() * 14);
      const w = 1 + Math.floor(rng() * 14);
      const density = rng();
      const mask = Uint8Array.from({ length: h * w }, () => (rng() < density ? 1 : 0));
      const polygons = maskToPolygons(mask, h, w);
      for (const p of polygons) expect(p.length).toBeGreaterThanOrEqual(8);
      const filled = fillHoles(mask, h, w);
      const rle = polygonsToRle(polygons, h, w);
      expect(decodeMask(rle)).toEqual(filled);
      // Pixel-edge polygons enclose whole pixels, so shoelace area = rasterised pixel count.
      for (const p of polygons) expect(polygonsArea([p])).toBe(rleArea(polygonToRle(p, h, w)));
    }
  });

  it('handles an empty mask and refuses a wrong length', () => {
    expect(maskToPolygons(new Uint8Array(6), 2, 3)).toEqual([]);
    expect(() => maskToPolygons(new Uint8Array(5), 2, 3)).toThrow(/expected 2×3/);
  });
});
