// Synthetic inputs with known ground truth for the pipeline tests (not a test file itself).
import { gaussian, mulberry32 } from '../../../src/core/random';

export interface Rect {
  /** Inclusive top row, left column; exclusive bottom row, right column. */
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

export function rectMask(gridH: number, gridW: number, rect: Rect): Uint8Array {
  const m = new Uint8Array(gridH * gridW);
  for (let r = rect.r0; r < rect.r1; r++) for (let c = rect.c0; c < rect.c1; c++) m[r * gridW + c] = 1;
  return m;
}

/**
 * Keys on a grid: background patches share one direction, patches inside rects[k] share
 * direction objectDirection[k] (orthogonal unit basis vectors), plus Gaussian noise.
 */
export function gridKeys(
  gridH: number,
  gridW: number,
  dim: number,
  rects: Rect[],
  options: { noise?: number; seed?: number; objectDirection?: number[] } = {},
): Float32Array {
  const noise = options.noise ?? 0.25;
  const normal = gaussian(mulberry32(options.seed ?? 1));
  const keys = new Float32Array(gridH * gridW * dim);
  for (let r = 0; r < gridH; r++) {
    for (let c = 0; c < gridW; c++) {
      let direction = 0;
      rects.forEach((rect, k) => {
        if (r >= rect.r0 && r < rect.r1 && c >= rect.c0 && c < rect.c1) direction = options.objectDirection?.[k] ?? k + 1;
      });
      const base = (r * gridW + c) * dim;
      for (let d = 0; d < dim; d++) keys[base + d] = (d === direction ? 1 : 0) + noise * normal();
    }
  }
  return keys;
}

export function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] && b[i] ? 1 : 0;
    union += a[i] || b[i] ? 1 : 0;
  }
  return union ? inter / union : 0;
}
