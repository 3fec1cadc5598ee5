import { describe, expect, it } from 'vitest';
import { DenseCrf } from '../../../src/core/pipeline/dense-crf';
import { boxMean } from '../../../src/core/pipeline/guided-filter';
import { fillHoles, maskBbox } from '../../../src/core/pipeline/mask-ops';
import { PermutohedralLattice } from '../../../src/core/pipeline/permutohedral';
import { MaskRefiner } from '../../../src/core/pipeline/refine';
import {
  resizeBilinear,
  resizeNearest,
  upsampleGridMask,
  upsampleMaskCutMasks,
} from '../../../src/core/pipeline/upsample';
import { mulberry32 } from '../../../src/core/random';
import { iou } from './synthetic';

describe('resizing (torch.nn.functional.interpolate semantics, hand arithmetic)', () => {
  it('bilinear align_corners=False, 2×2 → 4×4', () => {
    // Source coordinates for ×2: (d + 0.5)/2 − 0.5 clamped to [0, 1] → 0, 0.25, 0.75, 1.
    const out = resizeBilinear([0, 1, 2, 3], 2, 2, 4, 4);
    const t = [0, 0.25, 0.75, 1];
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) expect(out[y * 4 + x]).toBeCloseTo(2 * t[y] + t[x], 6);
  });

  it('nearest replicates cells', () => {
    expect(Array.from(resizeNearest([1, 2, 3, 4], 2, 2, 4, 4))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('an upsampled grid mask keeps its cells (×16, boundary at the cell edge)', () => {
    const grid = new Uint8Array(9);
    grid[4] = 1;
    const m = upsampleGridMask(grid, 3, 3, { height: 48, width: 48 });
    expect(maskBbox(m, 48, 48)).toEqual([16, 16, 16, 16]);
  });

  it('later masks lose pixels claimed by earlier ones; a repeated mask comes out empty', () => {
    const a = new Uint8Array([1, 1, 0, 0]);
    const b = new Uint8Array([0, 1, 1, 0]);
    const [ua, ub, uc] = upsampleMaskCutMasks([a, b, a], 2, 2, { height: 8, width: 8 }, 'nearest');
    expect(ua.reduce((s, v) => s + v, 0)).toBe(32);
    expect(ub.reduce((s, v) => s + v, 0)).toBe(16); // only the lower-left cell is new
    for (let i = 0; i < 64; i++) expect(ua[i] & ub[i]).toBe(0);
    expect(uc.reduce((s, v) => s + v, 0)).toBe(0);
  });
});

describe('mask helpers', () => {
  it('fillHoles fills enclosed background only', () => {
    // 5×5 ring with a hole in the middle, and a notch open to the border.
    const m = Uint8Array.from([
      0, 0, 0, 0, 0,
      0, 1, 1, 1, 0,
      0, 1, 0, 1, 0,
      0, 1, 1, 1, 0,
      0, 0, 0, 0, 0,
    ]);
    const f = fillHoles(m, 5, 5);
    expect(f[12]).toBe(1);
    expect(f[0]).toBe(0);
    const open = m.slice();
    open[17] = 0; // ring opened downwards: the centre now reaches the border
    expect(fillHoles(open, 5, 5)[12]).toBe(0);
  });

  it('boxMean equals the brute-force clipped window mean', () => {
    const h = 7, w = 9, r = 2;
    const src = Float64Array.from({ length: h * w }, (_, i) => Math.sin(i));
    const out = boxMean(src, h, w, r);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let s = 0, c = 0;
        for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++)
          for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
            s += src[yy * w + xx];
            c++;
          }
        expect(out[y * w + x]).toBeCloseTo(s / c, 10);
      }
  });
});

describe('permutohedral lattice', () => {
  it('approximates normalised Gaussian filtering (brute force reference)', () => {
    const rng = mulberry32(4);
    const n = 400, d = 2;
    const f = Float32Array.from({ length: n * d }, () => rng() * 8);
    const v = Float32Array.from({ length: n }, (_, i) => (f[i * d] > 4 ? 1 : 0) + 0.2 * Math.sin(i));
    const lattice = new PermutohedralLattice(f, n, d);
    const num = lattice.filter(v, 1);
    const den = lattice.filter(new Float32Array(n).fill(1), 1);
    let err = 0;
    for (let i = 0; i < n; i++) {
      let s = 0, w = 0;
      for (let j = 0; j < n; j++) {
        const dx = f[i * d] - f[j * d], dy = f[i * d + 1] - f[j * d + 1];
        const k = Math.exp(-(dx * dx + dy * dy) / 2);
        s += k * v[j];
        w += k;
      }
      err += Math.abs(num[i] / den[i] - s / w);
    }
    expect(err / n).toBeLessThan(0.05);
  });
});

/** 96×96 RGBA: dark background (40) with a bright rectangle (200), light seeded noise. */
function rectImage(x0: number, y0: number, x1: number, y1: number): { rgba: Uint8Array; truth: Uint8Array } {
  const s = 96, rng = mulberry32(2);
  const rgba = new Uint8Array(s * s * 4);
  const truth = new Uint8Array(s * s);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) {
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      truth[y * s + x] = inside ? 1 : 0;
      const base = inside ? 200 : 40;
      for (let c = 0; c < 3; c++) rgba[(y * s + x) * 4 + c] = base + Math.round((rng() - 0.5) * 6);
      rgba[(y * s + x) * 4 + 3] = 255;
    }
  return { rgba, truth };
}

describe('refinement snaps a blocky mask to the image edges', () => {
  // Object edges at x 29/69, y 21/75; the 12×12 grid mask (8 px cells) over cells 4..8 × 3..9
  // has its edges at x 32/72, y 24/80: off by 3–5 px on every side.
  const { rgba, truth } = rectImage(29, 21, 69, 75);
  const grid = new Uint8Array(144);
  for (let r = 3; r < 10; r++) for (let c = 4; c < 9; c++) grid[r * 12 + c] = 1;
  const size = { height: 96, width: 96 };
  const coarse = upsampleGridMask(grid, 12, 12, size);

  for (const method of ['crf', 'guided'] as const) {
    it(`${method}: IoU with the true rectangle rises above 0.97 and the box matches to 1 px`, () => {
      const before = iou(coarse, truth);
      const { maskRowMajor } = new MaskRefiner(rgba, size, { refine: method }).refine(coarse);
      expect(maskRowMajor).not.toBeNull();
      const after = iou(maskRowMajor as Uint8Array, truth);
      expect(before).toBeLessThan(0.85);
      expect(after).toBeGreaterThan(0.97);
      const box = maskBbox(maskRowMajor as Uint8Array, 96, 96) as number[];
      [29, 21, 40, 54].forEach((v, i) => expect(Math.abs(box[i] - v)).toBeLessThanOrEqual(1));
    });

    it(`${method}: drops a mask that no image edge supports (IoU(before, after) < 0.5)`, () => {
      const flat = new Uint8Array(96 * 96 * 4).fill(128);
      const small = new Uint8Array(96 * 96);
      for (let y = 40; y < 50; y++) for (let x = 40; x < 50; x++) small[y * 96 + x] = 1;
      const r = new MaskRefiner(flat, size, { refine: method }).refine(small);
      expect(r.iou).toBeLessThan(0.5);
      expect(r.maskRowMajor).toBeNull();
    });
  }

  it("'none' returns the mask untouched", () => {
    const r = new MaskRefiner(rgba, size, { refine: 'none' }).refine(coarse);
    expect(r.maskRowMajor).toBe(coarse);
  });

  it('the CRF marginals are proper distributions', () => {
    const crf = new DenseCrf(rgba, 96, 96);
    const probs = new Float32Array(96 * 96 * 2);
    for (let i = 0; i < 96 * 96; i++) {
      probs[2 * i] = coarse[i] ? 0.27 : 0.73;
      probs[2 * i + 1] = 1 - probs[2 * i];
    }
    const q = crf.inferFromProbabilities(probs, 2);
    for (let i = 0; i < 96 * 96; i += 97) expect(q[2 * i] + q[2 * i + 1]).toBeCloseTo(1, 5);
  });
});
