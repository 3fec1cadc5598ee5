import { describe, expect, it } from 'vitest';
import { fitWithin, resizeToChw, toNormalisedNchw, type RgbaImage } from '../../../src/core/image/resize';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([...f(x, y), 255], (y * w + x) * 4);
  return { data, width: w, height: h };
}

describe('resizeToChw', () => {
  it('keeps a constant image constant at any scale', () => {
    const img = image(37, 23, () => [10, 200, 77]);
    for (const [w, h] of [[8, 8], [100, 61], [37, 23]]) {
      const out = resizeToChw(img, w, h);
      expect(Math.max(...out.subarray(0, w * h).map((v) => Math.abs(v - 10)))).toBeLessThan(1e-3);
      expect(Math.max(...out.subarray(2 * w * h).map((v) => Math.abs(v - 77)))).toBeLessThan(1e-3);
    }
  });
  it('is the identity at the same size', () => {
    const img = image(5, 4, (x, y) => [x * 40, y * 50, (x + y) * 20]);
    const out = resizeToChw(img, 5, 4);
    expect(out[2 * 5 + 3]).toBeCloseTo(3 * 40, 4);
    expect(out[20 + 3 * 5 + 1]).toBeCloseTo(3 * 50, 4);
  });
  it('halving averages 2×2 blocks (PIL bilinear downscale by 2 is a box of the pair)', () => {
    // Triangle filter with support 2 centred between pixels weights the two nearest pixels 3/4·…;
    // by hand: taps at distances 0.5 and 1.5 (scaled 0.25, 0.75) get 0.75 and 0.25 → normalised 3:1:1:3.
    const img = image(4, 1, (x) => [[0, 40, 80, 120][x], 0, 0]);
    const out = resizeToChw(img, 2, 1);
    expect(out[0]).toBeCloseTo((0.75 * 0 + 0.75 * 40 + 0.25 * 80) / 1.75, 3);
    expect(out[1]).toBeCloseTo((0.25 * 40 + 0.75 * 80 + 0.75 * 120) / 1.75, 3);
  });
  it('normalises with mean and std', () => {
    const img = image(2, 2, () => [255, 0, 128]);
    const out = toNormalisedNchw(img, 2, [0.5, 0.5, 0.5], [0.5, 0.25, 1]);
    expect(out[0]).toBeCloseTo(1, 5);
    expect(out[4]).toBeCloseTo(-2, 5);
    expect(out[8]).toBeCloseTo(128 / 255 - 0.5, 5);
  });
  it('fits huge photos within a side', () => {
    expect(fitWithin([6000, 8000], 2048)).toEqual([1536, 2048]);
    expect(fitWithin([100, 50], 2048)).toEqual([100, 50]);
  });
});
