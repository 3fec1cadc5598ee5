// Semantic pseudo labels from the session's stuff centroids: per-patch cosine scores (on the
// tokens, or on STEGO's codes once its head has trained), bilinear upsampling, argmax. Method.md §4.
//
// refine 'none' (default): argmax of the bilinearly upsampled cosine scores.
// refine 'crf': STEGO's route — per patch log_softmax(2·cos), bilinear upsampling, softmax as the
// CRF unary, dense CRF with STEGO's parameters (Gaussian sxy 1 compat 3; bilateral sxy 67 srgb 3
// compat 4; 10 iterations), argmax. Needs the image (RGBA at sizeHW).

import { DenseCrf, STEGO_CRF_PARAMS } from './dense-crf';
import { type KMeansResult, sphericalKMeans } from './kmeans';
import { bilinearTaps, type SizeHW } from './upsample';

export interface SemanticOptions {
  refine?: 'none' | 'crf';
  /** RGBA pixels at sizeHW; required for refine 'crf'. */
  rgba?: Uint8Array | Uint8ClampedArray;
}

export interface SemanticLabels {
  /** Cluster of each patch (argmax cosine), [gridH·gridW]. */
  patchLabels: Uint16Array;
  /** Cluster of each pixel, [height·width] row-major. */
  pixelLabelsRowMajor: Uint16Array;
}

/** STEGO's temperature: cluster probabilities are softmax(2·cos). */
const STEGO_ALPHA = 2;

/**
 * Spherical k-means over the patch tokens of all session images (each [n_i, tokenDim]
 * row-major). Centroids come back unit-normalised.
 */
export function fitSemanticCentroids(
  tokenSets: Float32Array[],
  tokenDim: number,
  options: { k?: number; seed?: number; maxIter?: number } = {},
): KMeansResult {
  const total = tokenSets.reduce((s, t) => s + t.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const t of tokenSets) {
    all.set(t, off);
    off += t.length;
  }
  return sphericalKMeans(all, total / tokenDim, tokenDim, { k: options.k ?? 27, seed: options.seed ?? 0, maxIter: options.maxIter });
}

/** Cosine of every patch token with every centroid, [n, k] row-major (zero tokens score 0). */
export function patchCosineScores(tokensRowMajor: Float32Array, n: number, dim: number, centroidsRowMajor: Float32Array, k: number): Float32Array {
  const cNorm = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += centroidsRowMajor[c * dim + j] ** 2;
    cNorm[c] = Math.sqrt(s) || 1;
  }
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let t = 0;
    for (let j = 0; j < dim; j++) t += tokensRowMajor[i * dim + j] ** 2;
    const tNorm = Math.sqrt(t) || 1;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += tokensRowMajor[i * dim + j] * centroidsRowMajor[c * dim + j];
      out[i * k + c] = s / (tNorm * cNorm[c]);
    }
  }
  return out;
}

/** The four taps (row offsets into a [gridH·gridW, k] array) and weights of each pixel (align_corners=False). */
type PixelTaps = (pixel: number, p00: number, p01: number, p10: number, p11: number, w00: number, w01: number, w10: number, w11: number) => void;

function forEachPixelTaps(gridH: number, gridW: number, k: number, sizeHW: SizeHW, visit: PixelTaps): void {
  const { height, width } = sizeHW;
  const ty = bilinearTaps(gridH, height), tx = bilinearTaps(gridW, width);
  for (let y = 0; y < height; y++) {
    const r0 = ty.lo[y] * gridW, r1 = ty.hi[y] * gridW, fy = ty.frac[y];
    for (let x = 0; x < width; x++) {
      const fx = tx.frac[x];
      visit(y * width + x, (r0 + tx.lo[x]) * k, (r0 + tx.hi[x]) * k, (r1 + tx.lo[x]) * k, (r1 + tx.hi[x]) * k, (1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx);
    }
  }
}

/** Bilinear upsampling of per-patch scores [gridH·gridW, k] to [height·width, k] (align_corners=False). */
export function upsampleScores(scores: Float32Array, gridH: number, gridW: number, k: number, sizeHW: SizeHW): Float32Array {
  const out = new Float32Array(sizeHW.height * sizeHW.width * k);
  forEachPixelTaps(gridH, gridW, k, sizeHW, (pixel, p00, p01, p10, p11, w00, w01, w10, w11) => {
    const o = pixel * k;
    for (let c = 0; c < k; c++) out[o + c] = w00 * scores[p00 + c] + w01 * scores[p01 + c] + w10 * scores[p10 + c] + w11 * scores[p11 + c];
  });
  return out;
}

/**
 * argmax over clusters of upsampleScores(...), pixel by pixel, without the [pixels, k] array
 * (27 clusters at 640×480: 33 MB a photo). Each value is rounded to float32 as upsampleScores
 * stores it, so the labels are the same, ties included (first maximum).
 */
export function upsampledArgmax(scores: Float32Array, gridH: number, gridW: number, k: number, sizeHW: SizeHW): Uint16Array {
  const out = new Uint16Array(sizeHW.height * sizeHW.width);
  const v = new Float32Array(k);
  forEachPixelTaps(gridH, gridW, k, sizeHW, (pixel, p00, p01, p10, p11, w00, w01, w10, w11) => {
    let best = 0;
    for (let c = 0; c < k; c++) {
      v[c] = w00 * scores[p00 + c] + w01 * scores[p01 + c] + w10 * scores[p10 + c] + w11 * scores[p11 + c];
      if (v[c] > v[best]) best = c;
    }
    out[pixel] = best;
  });
  return out;
}

/** Semantic labels of one image from its patch tokens and the session's centroids. */
export function semanticLabelsForImage(
  tokensRowMajor: Float32Array,
  gridH: number,
  gridW: number,
  tokenDim: number,
  centroidsRowMajor: Float32Array,
  k: number,
  sizeHW: SizeHW,
  options: SemanticOptions = {},
): SemanticLabels {
  const n = gridH * gridW;
  const cos = patchCosineScores(tokensRowMajor, n, tokenDim, centroidsRowMajor, k);
  const patchLabels = argmaxRows(cos, n, k);
  if ((options.refine ?? 'none') === 'none') {
    return { patchLabels, pixelLabelsRowMajor: upsampledArgmax(cos, gridH, gridW, k, sizeHW) };
  }
  if (!options.rgba) throw new Error("semanticLabelsForImage: refine 'crf' needs options.rgba");
  const logProbs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, STEGO_ALPHA * cos[i * k + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(STEGO_ALPHA * cos[i * k + c] - max);
    for (let c = 0; c < k; c++) logProbs[i * k + c] = STEGO_ALPHA * cos[i * k + c] - max - Math.log(sum);
  }
  const pixels = sizeHW.height * sizeHW.width;
  const probs = upsampleScores(logProbs, gridH, gridW, k, sizeHW);
  for (let i = 0; i < pixels; i++) {
    let sum = 0;
    for (let c = 0; c < k; c++) sum += (probs[i * k + c] = Math.exp(probs[i * k + c]));
    for (let c = 0; c < k; c++) probs[i * k + c] /= sum;
  }
  const crf = new DenseCrf(options.rgba, sizeHW.width, sizeHW.height, STEGO_CRF_PARAMS);
  return { patchLabels, pixelLabelsRowMajor: argmaxRows(crf.inferFromProbabilities(probs, k), pixels, k) };
}

/** Index of the row maximum (first on ties). */
function argmaxRows(values: Float32Array, rows: number, cols: number): Uint16Array {
  const out = new Uint16Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[i * cols + c] > values[i * cols + best]) best = c;
    out[i] = best;
  }
  return out;
}
