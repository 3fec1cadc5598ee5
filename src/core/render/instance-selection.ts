// Clicking a mask in the Instances and Panoptic views: which of the pass's (overlapping) instances
// lie under a pixel, how they nest as wholes and parts, and the outline that shows a selection (method.md §2, §5).
//
// The views paint the panoptic merge, where a whole hides the parts it covers; a selection reads
// the pass's own masks instead, so a part stays reachable under its whole. Nesting is wholeOf's
// (instance-proposals.ts), computed on the stored masks, so it holds for either proposal stage and
// for sessions saved before the stage recorded it.
import { decodeMask } from '../coco/rle';
import type { Rle } from '../coco/types';
import { wholeOf } from '../pipeline/instance-proposals';

export interface InstanceNode {
  areaPx: number;
  score: number;
  /** The smallest instance that holds this one as a part; -1: a whole. */
  whole: number;
  /** Instances whose whole this one is. */
  parts: number[];
}

/** Whether a label-resolution pixel is inside an uncompressed COCO RLE (column-major runs, starting with 0s). */
export function rleHasPixel(rle: Rle, x: number, y: number): boolean {
  const [h, w] = rle.size;
  if (x < 0 || y < 0 || x >= w || y >= h) return false;
  const target = Math.floor(x) * h + Math.floor(y);
  let start = 0;
  for (let r = 0; r < rle.counts.length; r++) {
    start += rle.counts[r];
    if (target < start) return r % 2 === 1;
  }
  return false;
}

/** Indices of the instances covering (x, y), smallest first (parts before their wholes); ties by index. */
export function instancesAt(instances: readonly { rle: Rle; area: number }[], x: number, y: number): number[] {
  return instances
    .map((inst, i) => ({ i, area: inst.area }))
    .filter(({ i }) => rleHasPixel(instances[i].rle, x, y))
    .sort((a, b) => a.area - b.area || a.i - b.i)
    .map(({ i }) => i);
}

export function instanceTree(instances: readonly { rle: Rle; area: number; score: number }[]): InstanceNode[] {
  const wholes = wholeOf(instances.map((inst) => decodeMask(inst.rle)));
  const nodes: InstanceNode[] = instances.map((inst, i) => ({ areaPx: inst.area, score: inst.score, whole: wholes[i], parts: [] }));
  wholes.forEach((whole, i) => {
    if (whole >= 0) nodes[whole].parts.push(i);
  });
  return nodes;
}

/**
 * What a click selects among the instances under it (`covering`, smallest first): the one the view
 * shows there first; clicking again on a selected one moves to the next larger (its whole), and
 * from the largest back to the smallest, so every mask under the pointer is one click away.
 */
export function nextPick(covering: readonly number[], shown: number | null, current: number | null): number | null {
  if (!covering.length) return null;
  if (current !== null) {
    const at = covering.indexOf(current);
    if (at >= 0) return covering[(at + 1) % covering.length];
  }
  return shown !== null && covering.includes(shown) ? shown : covering[0];
}

/** The common whole of a selection (a part's, or that of several parts of one whole); -1 where there is none. */
export function wholeOfSelection(nodes: readonly InstanceNode[], selected: readonly number[]): number {
  if (!selected.length) return -1;
  const whole = nodes[selected[0]]?.whole ?? -1;
  return selected.every((i) => nodes[i]?.whole === whole) ? whole : -1;
}

/**
 * The selection drawn over the overlay at label resolution: each selected mask tinted and outlined
 * (two pixels, so it reads at any zoom), RGBA; everything else transparent.
 */
export function renderSelection(rles: readonly Rle[], width: number, height: number, rgb: readonly [number, number, number] = [255, 214, 0]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  for (const rle of rles) {
    const mask = rleToRowMajor(rle, width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (!mask[i]) continue;
        const edge = nearEdge(mask, width, height, x, y);
        out[i * 4] = edge ? rgb[0] : Math.max(out[i * 4], rgb[0] >> 1);
        out[i * 4 + 1] = edge ? rgb[1] : Math.max(out[i * 4 + 1], rgb[1] >> 1);
        out[i * 4 + 2] = edge ? rgb[2] : Math.max(out[i * 4 + 2], rgb[2] >> 1);
        out[i * 4 + 3] = edge ? 255 : Math.max(out[i * 4 + 3], 90);
      }
    }
  }
  return out;
}

function rleToRowMajor(rle: Rle, width: number, height: number): Uint8Array {
  const [h, w] = rle.size;
  if (h !== height || w !== width) throw new Error(`mask is ${h}×${w}; the selection is drawn at ${height}×${width}`);
  return decodeMask(rle);
}

/** Within two pixels of the mask's border (or the image's). */
function nearEdge(mask: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      if (Math.abs(dx) + Math.abs(dy) > 2) continue;
      const nx = x + dx, ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height || !mask[ny * width + nx]) return true;
    }
  }
  return false;
}
