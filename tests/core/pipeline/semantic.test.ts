import { describe, expect, it } from 'vitest';
import { fitSemanticCentroids, patchCosineScores, semanticLabelsForImage, upsampledArgmax, upsampleScores } from '../../../src/core/pipeline/semantic';
import { gaussian, mulberry32 } from '../../../src/core/random';

/** 4×4 grid of tokens: left two columns along e0, right two along e1 (+ small noise). */
function halfTokens(seed: number): Float32Array {
  const normal = gaussian(mulberry32(seed));
  const t = new Float32Array(16 * 3);
  for (let p = 0; p < 16; p++) {
    const right = p % 4 >= 2;
    t[p * 3 + (right ? 1 : 0)] = 2;
    for (let j = 0; j < 3; j++) t[p * 3 + j] += 0.05 * normal();
  }
  return t;
}

describe('semantic labels from spherical k-means centroids', () => {
  const centroids = new Float32Array([1, 0, 0, 0, 1, 0]);

  it('cosine scores by hand', () => {
    const s = patchCosineScores(new Float32Array([3, 4, 0]), 1, 3, centroids, 2);
    expect(s[0]).toBeCloseTo(0.6, 6);
    expect(s[1]).toBeCloseTo(0.8, 6);
  });

  it('labels patches and pixels; the upsampled boundary sits at the patch edge', () => {
    const r = semanticLabelsForImage(halfTokens(1), 4, 4, 3, centroids, 2, { height: 32, width: 32 });
    expect(Array.from(r.patchLabels)).toEqual(Array.from({ length: 16 }, (_, p) => (p % 4 >= 2 ? 1 : 0)));
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) expect(r.pixelLabelsRowMajor[y * 32 + x]).toBe(x >= 16 ? 1 : 0);
  });

  it('fits centroids over several images that recover the two directions', () => {
    const fit = fitSemanticCentroids([halfTokens(2), halfTokens(3)], 3, { k: 2, seed: 1 });
    const c = Array.from(fit.centroidsRowMajor);
    const dirs = [c.slice(0, 3), c.slice(3, 6)].map((v) => (v[0] > v[1] ? 0 : 1)).sort();
    expect(dirs).toEqual([0, 1]);
    for (const k of [0, 1]) expect(Math.max(...c.slice(k * 3, k * 3 + 2))).toBeGreaterThan(0.99);
  });

  it("refine 'crf' follows the image's colour edge", () => {
    // Tokens say left/right at x = 16; the image's edge is at x = 20: the CRF moves the labels.
    const rgba = new Uint8Array(32 * 32 * 4);
    for (let i = 0; i < 32 * 32; i++) {
      const v = i % 32 >= 20 ? 220 : 30;
      rgba.set([v, v, v, 255], i * 4);
    }
    const r = semanticLabelsForImage(halfTokens(4), 4, 4, 3, centroids, 2, { height: 32, width: 32 }, { refine: 'crf', rgba });
    let agree = 0;
    for (let i = 0; i < 32 * 32; i++) agree += r.pixelLabelsRowMajor[i] === (i % 32 >= 20 ? 1 : 0) ? 1 : 0;
    expect(agree / 1024).toBeGreaterThan(0.95);
  });
});

describe('upsampledArgmax', () => {
  /** The reference: the upsampled [pixels, k] scores, then the first maximum of each row. */
  function viaScores(scores: Float32Array, gridH: number, gridW: number, k: number, sizeHW: { height: number; width: number }): Uint16Array {
    const up = upsampleScores(scores, gridH, gridW, k, sizeHW);
    return Uint16Array.from({ length: sizeHW.height * sizeHW.width }, (_, i) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (up[i * k + c] > up[i * k + best]) best = c;
      return best;
    });
  }

  it('gives the labels of the upsampled scores, ties and near-ties included, without the [pixels, k] array', () => {
    const rand = mulberry32(11);
    for (const [gridH, gridW, k, height, width] of [[5, 7, 27, 37, 53], [21, 21, 6, 480, 640], [3, 3, 2, 3, 3]]) {
      const scores = Float32Array.from({ length: gridH * gridW * k }, () => Math.round(rand() * 8) / 8);
      // Cluster 1 copies cluster 0 on every patch: exact ties everywhere the two lead.
      for (let p = 0; p < gridH * gridW; p++) scores[p * k + 1] = scores[p * k];
      expect(upsampledArgmax(scores, gridH, gridW, k, { height, width })).toEqual(viaScores(scores, gridH, gridW, k, { height, width }));
    }
  });
});
