// Instance features for clustering instances into thing categories: the cheap mean of patch
// tokens under the mask, and the masked crop the reference feeds to the backbone for its CLS
// feature. Implements method.md §3.
//
// The crop follows U2Seg's instance-clustering transform: Resize(480) on the short side
// (PIL bilinear, which antialiases when shrinking) then CenterCrop(480). How the reference cuts
// the instance out before that transform is not in its public code; here, by default, the image
// is cropped to the mask's bounding box and pixels outside the mask are filled with black
// (options: no box crop, another fill colour — U2Seg's file names mention a "white" variant).

import type { BackboneOutput } from '../backbone/types';
import { maskBbox } from './mask-ops';
import type { SizeHW } from './upsample';
import { triangleTaps } from '../image/resize';

/** Fraction of each grid cell's pixels inside the mask; pixel centres map to cells. */
export function maskCoverageOnGrid(maskRowMajor: Uint8Array, sizeHW: SizeHW, gridH: number, gridW: number): Float32Array {
  const { height, width } = sizeHW;
  const inside = new Float32Array(gridH * gridW);
  const total = new Float32Array(gridH * gridW);
  const colCell = Int32Array.from({ length: width }, (_, x) => Math.min(Math.floor(((x + 0.5) * gridW) / width), gridW - 1));
  for (let y = 0; y < height; y++) {
    const rowCell = Math.min(Math.floor(((y + 0.5) * gridH) / height), gridH - 1) * gridW;
    for (let x = 0; x < width; x++) {
      const cell = rowCell + colCell[x];
      total[cell]++;
      if (maskRowMajor[y * width + x]) inside[cell]++;
    }
  }
  for (let i = 0; i < inside.length; i++) inside[i] = total[i] > 0 ? inside[i] / total[i] : 0;
  return inside;
}

/** Σ w_i·t_i / Σ w_i over patches (tokens [n, tokenDim] row-major); zeros when Σw = 0. */
export function meanTokenFeature(tokensRowMajor: Float32Array, tokenDim: number, weightsPerPatch: Float32Array): Float32Array {
  const out = new Float32Array(tokenDim);
  const acc = new Float64Array(tokenDim);
  let total = 0;
  for (let i = 0; i < weightsPerPatch.length; i++) {
    const w = weightsPerPatch[i];
    if (w === 0) continue;
    total += w;
    for (let c = 0; c < tokenDim; c++) acc[c] += w * tokensRowMajor[i * tokenDim + c];
  }
  if (total > 0) for (let c = 0; c < tokenDim; c++) out[c] = acc[c] / total;
  return out;
}

/** The cheap instance feature: mean patch token weighted by the mask's coverage of each patch. */
export function instanceTokenFeature(features: BackboneOutput, maskRowMajor: Uint8Array, sizeHW: SizeHW): Float32Array {
  const coverage = maskCoverageOnGrid(maskRowMajor, sizeHW, features.gridH, features.gridW);
  return meanTokenFeature(features.tokens, features.tokenDim, coverage);
}

export interface InstanceCropOptions {
  /** Short side after resizing, and the side of the square centre crop. */
  outputSizePx?: number;
  /** Crop to the mask's bounding box before resizing. */
  cropToBox?: boolean;
  /** RGB written outside the mask. */
  fillRgb?: [number, number, number];
}

export interface RgbaImage {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
}

/** The masked, resized, centre-cropped RGBA crop for the backbone's CLS feature; null for an empty mask. */
export function maskedInstanceCrop(
  rgba: Uint8Array | Uint8ClampedArray,
  sizeHW: SizeHW,
  maskRowMajor: Uint8Array,
  options: InstanceCropOptions = {},
): RgbaImage | null {
  const size = options.outputSizePx ?? 480;
  const fill = options.fillRgb ?? [0, 0, 0];
  const box = maskBbox(maskRowMajor, sizeHW.height, sizeHW.width);
  if (!box) return null;
  const [x0, y0, w, h] = options.cropToBox === false ? [0, 0, sizeHW.width, sizeHW.height] : box;
  const cut = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const src = (y0 + y) * sizeHW.width + x0 + x, dst = (y * w + x) * 4;
      const on = maskRowMajor[src] !== 0;
      for (let c = 0; c < 3; c++) cut[dst + c] = on ? rgba[src * 4 + c] : fill[c];
      cut[dst + 3] = 255;
    }
  }
  // torchvision Resize(int): the short side becomes `size`, the long side int(size·long/short).
  const [outW, outH] = w <= h ? [size, Math.floor((size * h) / w)] : [Math.floor((size * w) / h), size];
  const resized = resizeRgbaAntialiased({ rgba: cut, width: w, height: h }, outW, outH);
  return centreCrop(resized, size, size);
}

/** torchvision CenterCrop: offsets int(round((in − out)/2)) with Python's half-to-even rounding. */
export function centreCrop(img: RgbaImage, outW: number, outH: number): RgbaImage {
  const top = roundHalfEven((img.height - outH) / 2);
  const left = roundHalfEven((img.width - outW) / 2);
  const out = new Uint8ClampedArray(outW * outH * 4);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const sy = y + top, sx = x + left, dst = (y * outW + x) * 4;
      if (sy < 0 || sx < 0 || sy >= img.height || sx >= img.width) continue; // torchvision pads with 0
      out.set(img.rgba.subarray((sy * img.width + sx) * 4, (sy * img.width + sx) * 4 + 4), dst);
    }
  }
  return { rgba: out, width: outW, height: outH };
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d !== 0.5) return Math.round(v);
  return f % 2 === 0 ? f : f + 1;
}

/** Separable antialiased bilinear resize of RGBA, rounding to 8 bits like PIL. */
export function resizeRgbaAntialiased(img: RgbaImage, outW: number, outH: number): RgbaImage {
  const tx = triangleTaps(img.width, outW);
  const ty = triangleTaps(img.height, outH);
  const mid = new Float64Array(outW * img.height * 4);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < outW; x++) {
      for (let t = 0; t < tx.count[x]; t++) {
        const w = tx.weights[x * tx.maxTaps + t], src = (y * img.width + tx.start[x] + t) * 4, dst = (y * outW + x) * 4;
        for (let c = 0; c < 4; c++) mid[dst + c] += w * img.rgba[src + c];
      }
    }
  }
  const out = new Uint8ClampedArray(outW * outH * 4);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      const acc = [0, 0, 0, 0];
      for (let t = 0; t < ty.count[y]; t++) {
        const w = ty.weights[y * ty.maxTaps + t], src = ((ty.start[y] + t) * outW + x) * 4;
        for (let c = 0; c < 4; c++) acc[c] += w * mid[src + c];
      }
      for (let c = 0; c < 4; c++) out[(y * outW + x) * 4 + c] = Math.round(acc[c]);
    }
  }
  return { rgba: out, width: outW, height: outH };
}
