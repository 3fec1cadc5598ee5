// Binary-mask helpers shared by the pseudo-label stages: connected components, IoU, area, boxes,
// hole filling. Supports method.md §2 steps 4–7 and §5 (masks are 0/1 bytes, row-major).

import type { BboxXYWH } from '../coco/types';

/**
 * The 4-connected component of the foreground that contains `seedIndex` (scipy.ndimage.label's
 * default cross structure, as the reference's detect_box uses). Empty when the seed is background.
 */
export function connectedComponent4(maskRowMajor: Uint8Array, height: number, width: number, seedIndex: number): Uint8Array {
  const out = new Uint8Array(height * width);
  if (!maskRowMajor[seedIndex]) return out;
  const queue = new Int32Array(height * width);
  let head = 0, tail = 0;
  queue[tail++] = seedIndex;
  out[seedIndex] = 1;
  while (head < tail) {
    const p = queue[head++];
    const r = (p / width) | 0;
    const c = p - r * width;
    const visit = (q: number) => {
      if (maskRowMajor[q] && !out[q]) {
        out[q] = 1;
        queue[tail++] = q;
      }
    };
    if (r > 0) visit(p - width);
    if (r < height - 1) visit(p + width);
    if (c > 0) visit(p - 1);
    if (c < width - 1) visit(p + 1);
  }
  return out;
}

export function maskArea(maskRowMajor: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < maskRowMajor.length; i++) if (maskRowMajor[i]) s++;
  return s;
}

/** Intersection over union of two same-size masks; 0 when both are empty. */
export function maskIou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ? 1 : 0, y = b[i] ? 1 : 0;
    inter += x & y;
    union += x | y;
  }
  return union === 0 ? 0 : inter / union;
}

/** Tight box [x, y, w, h] in pixels (pycocotools toBbox convention), null for an empty mask. */
export function maskBbox(maskRowMajor: Uint8Array, height: number, width: number): BboxXYWH | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let r = 0; r < height; r++) {
    const row = r * width;
    for (let c = 0; c < width; c++) {
      if (!maskRowMajor[row + c]) continue;
      if (c < x0) x0 = c;
      if (c > x1) x1 = c;
      if (r < y0) y0 = r;
      if (r > y1) y1 = r;
    }
  }
  return x1 < 0 ? null : [x0, y0, x1 - x0 + 1, y1 - y0 + 1];
}

/**
 * scipy.ndimage.binary_fill_holes: background pixels not 4-connected to the image border become
 * foreground.
 */
export function fillHoles(maskRowMajor: Uint8Array, height: number, width: number): Uint8Array {
  const n = height * width;
  const outside = new Uint8Array(n);
  const queue = new Int32Array(n);
  let tail = 0;
  const seed = (p: number) => {
    if (!maskRowMajor[p] && !outside[p]) {
      outside[p] = 1;
      queue[tail++] = p;
    }
  };
  for (let c = 0; c < width; c++) {
    seed(c);
    seed((height - 1) * width + c);
  }
  for (let r = 0; r < height; r++) {
    seed(r * width);
    seed(r * width + width - 1);
  }
  for (let head = 0; head < tail; head++) {
    const p = queue[head];
    const r = (p / width) | 0;
    const c = p - r * width;
    if (r > 0) seed(p - width);
    if (r < height - 1) seed(p + width);
    if (c > 0) seed(p - 1);
    if (c < width - 1) seed(p + 1);
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = outside[i] ? 0 : 1;
  return out;
}
