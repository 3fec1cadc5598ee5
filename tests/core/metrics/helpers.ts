// Test-only mask builders: a plain dense → column-major RLE encoder, written independently of the
// code under test so that hand-drawn masks give trustworthy inputs.
import type { Rle } from '../../../src/core/coco/types';

/** Rows of '0'/'1' characters (top to bottom) → uncompressed column-major RLE. */
export function rleFromRows(rows: string[]): Rle {
  const h = rows.length;
  const w = h > 0 ? rows[0].length : 0;
  const flat: number[] = [];
  for (let x = 0; x < w; x++) for (let y = 0; y < h; y++) flat.push(rows[y][x] === '1' ? 1 : 0);
  return rleFromColumnMajor(flat, h, w);
}

/** Filled rectangle [x, y, w, h] in an imgH × imgW image. */
export function rectRle(imgH: number, imgW: number, box: [number, number, number, number]): Rle {
  const flat: number[] = [];
  for (let x = 0; x < imgW; x++) {
    for (let y = 0; y < imgH; y++) {
      const inside = x >= box[0] && x < box[0] + box[2] && y >= box[1] && y < box[1] + box[3];
      flat.push(inside ? 1 : 0);
    }
  }
  return rleFromColumnMajor(flat, imgH, imgW);
}

function rleFromColumnMajor(flat: number[], h: number, w: number): Rle {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (const v of flat) {
    if (v !== current) {
      counts.push(run);
      run = 0;
      current = v;
    }
    run++;
  }
  counts.push(run);
  return { size: [h, w], counts };
}

/** Dense column-major 0/1 from an RLE (the plain way: expand the runs). */
export function decodeRle(rle: Rle): Uint8Array {
  const out = new Uint8Array(rle.size[0] * rle.size[1]);
  let p = 0;
  rle.counts.forEach((n, i) => {
    if (i % 2 === 1) out.fill(1, p, p + n);
    p += n;
  });
  return out;
}
