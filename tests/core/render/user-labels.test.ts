import { describe, expect, it } from 'vitest';
import { paintUserLabels, withOutlineMargin } from '../../../src/core/render/user-labels';

describe('paintUserLabels', () => {
  const W = 8, H = 8;
  const cat = new Uint16Array(W * H);
  for (let y = 1; y < 7; y++) for (let x = 1; x < 7; x++) cat[y * W + x] = 2;
  cat[0] = 3; // hidden category
  const lut = new Uint8Array(4 * 4);
  lut.set([200, 100, 50, 255], 2 * 4);
  lut.set([1, 2, 3, 0], 3 * 4);
  const px = (o: Uint8ClampedArray, x: number, y: number) => Array.from(o.subarray((y * W + x) * 4, (y * W + x) * 4 + 4));

  it('draws a dark outline, stripes over a translucent fill, nothing where unlabelled or hidden', () => {
    const out = new Uint8ClampedArray(W * H * 4);
    paintUserLabels(cat, W, H, lut, out);
    expect(px(out, 1, 3)).toEqual([70, 35, 18, 255]);
    const inside = [px(out, 2, 2), px(out, 3, 2), px(out, 4, 2), px(out, 5, 2)];
    expect(inside.every((p) => p[0] === 200 && p[1] === 100 && p[2] === 50)).toBe(true);
    expect(new Set(inside.map((p) => p[3])).size).toBe(2);
    expect(px(out, 0, 0)[3]).toBe(0);
    expect(px(out, 7, 7)[3]).toBe(0);
  });

  it('repaints only the rectangle asked for (plus the outline margin)', () => {
    const out = new Uint8ClampedArray(W * H * 4);
    paintUserLabels(cat, W, H, lut, out, withOutlineMargin({ x0: 3, y0: 3, x1: 4, y1: 4 }, W, H));
    expect(px(out, 2, 2)[3]).toBeGreaterThan(0);
    expect(px(out, 5, 5)[3]).toBe(0);
    expect(() => paintUserLabels(cat, W, H, lut, new Uint8ClampedArray(4))).toThrow(/RGBA buffer/);
  });
});
