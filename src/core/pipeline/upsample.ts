// Grid-to-image resizing of MaskCut masks and score maps, with later masks losing pixels that
// earlier masks already claimed. Implements method.md §2 step 6 (and the upsampling of §4).
//
// Resampling follows torch.nn.functional.interpolate (no antialiasing):
//  - 'bilinear', align_corners=False: source coordinate (dst + 0.5)·scale − 0.5, clamped at 0;
//  - 'nearest': source index floor(dst·scale).
// Masks are resized as soft 0/1 maps and thresholded at > 0.5 (the reference thresholds its
// resized masks at half their maximum). The reference itself upsamples the grid mask with
// 'nearest' and lets the CRF's bilinear unary smooth it; 'bilinear' is the default here because
// it gives the refinement stage rounded instead of blocky boundaries to start from.

export interface SizeHW {
  height: number;
  width: number;
}

export type UpsampleMode = 'bilinear' | 'nearest';

/** Per-axis bilinear taps (PyTorch align_corners=False): lower index, upper index, upper weight. */
export interface BilinearTaps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

export function bilinearTaps(srcSize: number, dstSize: number): BilinearTaps {
  const lo = new Int32Array(dstSize);
  const hi = new Int32Array(dstSize);
  const frac = new Float32Array(dstSize);
  const scale = srcSize / dstSize;
  for (let d = 0; d < dstSize; d++) {
    const s = Math.max((d + 0.5) * scale - 0.5, 0);
    const i0 = Math.min(Math.floor(s), srcSize - 1);
    lo[d] = i0;
    hi[d] = Math.min(i0 + 1, srcSize - 1);
    frac[d] = s - i0;
  }
  return { lo, hi, frac };
}

/** Bilinear resize of one channel, row-major in and out. */
export function resizeBilinear(srcRowMajor: ArrayLike<number>, srcH: number, srcW: number, dstH: number, dstW: number): Float32Array {
  const ty = bilinearTaps(srcH, dstH);
  const tx = bilinearTaps(srcW, dstW);
  const out = new Float32Array(dstH * dstW);
  for (let y = 0; y < dstH; y++) {
    const r0 = ty.lo[y] * srcW, r1 = ty.hi[y] * srcW, fy = ty.frac[y];
    for (let x = 0; x < dstW; x++) {
      const c0 = tx.lo[x], c1 = tx.hi[x], fx = tx.frac[x];
      const top = srcRowMajor[r0 + c0] * (1 - fx) + srcRowMajor[r0 + c1] * fx;
      const bottom = srcRowMajor[r1 + c0] * (1 - fx) + srcRowMajor[r1 + c1] * fx;
      out[y * dstW + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Nearest-neighbour resize (PyTorch 'nearest'). */
export function resizeNearest(srcRowMajor: ArrayLike<number>, srcH: number, srcW: number, dstH: number, dstW: number): Float32Array {
  const out = new Float32Array(dstH * dstW);
  const sy = srcH / dstH, sx = srcW / dstW;
  for (let y = 0; y < dstH; y++) {
    const r = Math.min(Math.floor(y * sy), srcH - 1) * srcW;
    for (let x = 0; x < dstW; x++) out[y * dstW + x] = srcRowMajor[r + Math.min(Math.floor(x * sx), srcW - 1)];
  }
  return out;
}

/** A 0/1 grid mask resized to the image and thresholded at > 0.5. */
export function upsampleGridMask(maskRowMajor: Uint8Array, gridH: number, gridW: number, sizeHW: SizeHW, mode: UpsampleMode = 'bilinear'): Uint8Array {
  const resize = mode === 'nearest' ? resizeNearest : resizeBilinear;
  const soft = resize(maskRowMajor, gridH, gridW, sizeHW.height, sizeHW.width);
  const out = new Uint8Array(soft.length);
  for (let i = 0; i < soft.length; i++) out[i] = soft[i] > 0.5 ? 1 : 0;
  return out;
}

/**
 * Upsamples MaskCut's masks in round order; each mask loses the pixels of all earlier ones
 * (a repeated mask thus comes out empty, as in the reference).
 */
export function upsampleMaskCutMasks(
  masksRowMajor: Uint8Array[],
  gridH: number,
  gridW: number,
  sizeHW: SizeHW,
  mode: UpsampleMode = 'bilinear',
): Uint8Array[] {
  const claimed = new Uint8Array(sizeHW.height * sizeHW.width);
  return masksRowMajor.map((grid) => {
    const mask = upsampleGridMask(grid, gridH, gridW, sizeHW, mode);
    for (let i = 0; i < mask.length; i++) {
      if (claimed[i]) mask[i] = 0;
      else if (mask[i]) claimed[i] = 1;
    }
    return mask;
  });
}
