import { describe, expect, it } from 'vitest';
import {
  centreCrop,
  instanceTokenFeature,
  maskCoverageOnGrid,
  maskedInstanceCrop,
  meanTokenFeature,
  resizeRgbaAntialiased,
} from '../../../src/core/pipeline/instance-features';
import type { BackboneOutput } from '../../../src/core/backbone/types';

describe('cheap instance feature (mean patch token)', () => {
  it('coverage per patch: full, half and empty cells', () => {
    // 8×8 image, 2×2 grid of 4×4 cells; the mask covers the left cell column fully and the
    // top-right cell's left half.
    const mask = new Uint8Array(64);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 4; x++) mask[y * 8 + x] = 1;
    for (let y = 0; y < 4; y++) for (let x = 4; x < 6; x++) mask[y * 8 + x] = 1;
    expect(Array.from(maskCoverageOnGrid(mask, { height: 8, width: 8 }, 2, 2))).toEqual([1, 0.5, 1, 0]);
  });

  it('weighted mean by hand', () => {
    const tokens = new Float32Array([1, 0, 3, 2, 5, 5, 100, 100]);
    const mean = meanTokenFeature(tokens, 2, new Float32Array([1, 0.5, 1, 0]));
    expect(mean[0]).toBeCloseTo((1 + 1.5 + 5) / 2.5, 6);
    expect(mean[1]).toBeCloseTo((0 + 1 + 5) / 2.5, 6);
    expect(Array.from(meanTokenFeature(tokens, 2, new Float32Array(4)))).toEqual([0, 0]);
  });

  it('instanceTokenFeature combines both on a backbone output', () => {
    const f: BackboneOutput = {
      keys: new Float32Array(8), keyDim: 2,
      tokens: new Float32Array([1, 0, 3, 2, 5, 5, 100, 100]), tokenDim: 2,
      cls: new Float32Array(2), gridH: 2, gridW: 2,
    };
    const mask = new Uint8Array(64);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) mask[y * 8 + x] = 1; // top-left cell only
    expect(Array.from(instanceTokenFeature(f, mask, { height: 8, width: 8 }))).toEqual([1, 0]);
  });
});

describe('masked crop for the CLS feature', () => {
  it('antialiased bilinear resize matches PIL (values checked by hand and with Pillow)', () => {
    // One row [0, 100, 200, 40]: shrink ×2 → taps 0.75/0.75/0.25 → [71, 117];
    // grow ×2 → [0, 25, 75, 125, 175, 160, 80, 40].
    const row = (vals: number[]) => new Uint8ClampedArray(vals.flatMap((v) => [v, v, v, 255]));
    const img = { rgba: row([0, 100, 200, 40]), width: 4, height: 1 };
    const grey = (r: { rgba: Uint8ClampedArray }) => Array.from(r.rgba).filter((_, i) => i % 4 === 0);
    expect(grey(resizeRgbaAntialiased(img, 2, 1))).toEqual([71, 117]);
    expect(grey(resizeRgbaAntialiased(img, 8, 1))).toEqual([0, 25, 75, 125, 175, 160, 80, 40]);
  });

  it('centre crop offsets use round-half-even like torchvision', () => {
    const img = { rgba: new Uint8ClampedArray(Array.from({ length: 5 * 4 }, (_, i) => (i >> 2) * 10)), width: 5, height: 1 };
    // (5 − 2)/2 = 1.5 → 2: columns 2 and 3.
    expect(Array.from(centreCrop(img, 2, 1).rgba).filter((_, i) => i % 4 === 0)).toEqual([20, 30]);
  });

  it('cuts the box, fills outside the mask, resizes the short side and centre-crops', () => {
    // 20×20 image, red everywhere; mask = 4 wide × 8 tall box at (6, 3) minus its top-left pixel.
    const rgba = new Uint8ClampedArray(20 * 20 * 4);
    for (let i = 0; i < 400; i++) rgba.set([255, 0, 0, 255], i * 4);
    const mask = new Uint8Array(400);
    for (let y = 3; y < 11; y++) for (let x = 6; x < 10; x++) mask[y * 20 + x] = 1;
    mask[3 * 20 + 6] = 0;
    const crop = maskedInstanceCrop(rgba, { height: 20, width: 20 }, mask, { outputSizePx: 8, fillRgb: [0, 0, 255] });
    expect(crop).not.toBeNull();
    const c = crop as { rgba: Uint8ClampedArray; width: number; height: number };
    expect([c.width, c.height]).toEqual([8, 8]);
    // Box 4×8 → 8×16 → rows 4..11. The filled pixel sits at the top of the box, cropped away,
    // so the crop is red throughout.
    for (let i = 0; i < 64; i++) expect(Array.from(c.rgba.slice(i * 4, i * 4 + 4))).toEqual([255, 0, 0, 255]);
    const noBox = maskedInstanceCrop(rgba, { height: 20, width: 20 }, mask, { outputSizePx: 20, cropToBox: false, fillRgb: [0, 0, 255] }) as typeof c;
    expect(Array.from(noBox.rgba.slice(0, 4))).toEqual([0, 0, 255, 255]); // outside the mask: fill
    expect(Array.from(noBox.rgba.slice((5 * 20 + 7) * 4, (5 * 20 + 7) * 4 + 4))).toEqual([255, 0, 0, 255]);
  });

  it('returns null for an empty mask', () => {
    expect(maskedInstanceCrop(new Uint8ClampedArray(16), { height: 2, width: 2 }, new Uint8Array(4))).toBeNull();
  });
});
