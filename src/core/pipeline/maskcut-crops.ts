// Overlapping crops for MaskCut at a higher token density, and the geometry that brings each
// view's grid masks onto one proposal canvas of the photo. Extends method.md §2 (step 6's upsampling per view).
//
// A view is the whole photo or a crop of it, given as fractions of the photo's width and height,
// so the same layout applies to the photo at any resolution (backbone input, label size). Every
// view is embedded like a photo (resized to the model's square input, shift-averaged when the
// manifest asks), so a crop of side f gets 1/f times the tokens per photo pixel.

export interface ViewBox {
  /** Left, top, right, bottom as fractions of the photo's width/height, in [0, 1]. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const FULL_VIEW: ViewBox = { x0: 0, y0: 0, x1: 1, y1: 1 };

/**
 * The whole photo, then a cropsPerSide × cropsPerSide grid of crops of side `cropFraction`
 * spread evenly from edge to edge (they overlap when cropsPerSide·cropFraction > 1).
 */
export function cropLayout(cropsPerSide: number, cropFraction: number): ViewBox[] {
  const views: ViewBox[] = [FULL_VIEW];
  if (cropsPerSide < 1) return views;
  const f = Math.min(1, cropFraction);
  const starts = Array.from({ length: cropsPerSide }, (_, i) => (cropsPerSide === 1 ? (1 - f) / 2 : (i * (1 - f)) / (cropsPerSide - 1)));
  for (const y0 of starts) for (const x0 of starts) views.push({ x0, y0, x1: x0 + f, y1: y0 + f });
  return views;
}

export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A view box in the pixels of an image (at least one pixel each way). */
export function viewPixelBox(view: ViewBox, width: number, height: number): PixelBox {
  const x = Math.min(width - 1, Math.round(view.x0 * width));
  const y = Math.min(height - 1, Math.round(view.y0 * height));
  const x1 = Math.max(x + 1, Math.min(width, Math.round(view.x1 * width)));
  const y1 = Math.max(y + 1, Math.min(height, Math.round(view.y1 * height)));
  return { x, y, width: x1 - x, height: y1 - y };
}

/** The view's pixels of an RGBA image (row-major, 4 bytes a pixel). */
export function cropRgba(rgba: Uint8Array | Uint8ClampedArray, width: number, box: PixelBox): Uint8ClampedArray {
  const out = new Uint8ClampedArray(box.width * box.height * 4);
  for (let r = 0; r < box.height; r++) {
    const from = ((box.y + r) * width + box.x) * 4;
    out.set(rgba.subarray(from, from + box.width * 4), r * box.width * 4);
  }
  return out;
}

/**
 * A 0/1 grid mask of a view, bilinearly resized onto its box of a canvasH × canvasW canvas
 * (PyTorch align_corners=False within the box); 0 outside the box. Values in [0, 1].
 */
export function gridMaskOnCanvas(maskRowMajor: Uint8Array, gridH: number, gridW: number, view: ViewBox, canvasH: number, canvasW: number): Float32Array {
  const out = new Float32Array(canvasH * canvasW);
  const box = viewPixelBox(view, canvasW, canvasH);
  const sy = gridH / box.height, sx = gridW / box.width;
  for (let r = 0; r < box.height; r++) {
    const fy = Math.max((r + 0.5) * sy - 0.5, 0);
    const y0 = Math.min(Math.floor(fy), gridH - 1), y1 = Math.min(y0 + 1, gridH - 1), wy = fy - y0;
    for (let c = 0; c < box.width; c++) {
      const fx = Math.max((c + 0.5) * sx - 0.5, 0);
      const x0 = Math.min(Math.floor(fx), gridW - 1), x1 = Math.min(x0 + 1, gridW - 1), wx = fx - x0;
      const top = maskRowMajor[y0 * gridW + x0] * (1 - wx) + maskRowMajor[y0 * gridW + x1] * wx;
      const bottom = maskRowMajor[y1 * gridW + x0] * (1 - wx) + maskRowMajor[y1 * gridW + x1] * wx;
      out[(box.y + r) * canvasW + box.x + c] = top * (1 - wy) + bottom * wy;
    }
  }
  return out;
}

/** Canvas size for a photo: its aspect ratio, the longer side `longSide` cells (never more than the photo). */
export function canvasSize(height: number, width: number, longSide: number): { height: number; width: number } {
  const s = Math.min(1, longSide / Math.max(height, width));
  return { height: Math.max(1, Math.round(height * s)), width: Math.max(1, Math.round(width * s)) };
}
