// COCO run-length encoding: encode/decode, string compression, area, bbox, merge, polygon and box rasterisation.
// Follows coco-formats.md §RLE and pycocotools common/maskApi.c semantics (rleToString, rleFrPoly, rleToBbox).
import type { BboxXYWH, CompressedRle, Rle } from './types';

/** Row-major binary mask (ImageData / label-map layout) → column-major RLE. Any nonzero byte is foreground. */
export function encodeMask(maskRowMajor: ArrayLike<number>, height: number, width: number): Rle {
  assertSize(maskRowMajor.length, height, width);
  return encodeWhere(maskRowMajor, height, width, (v) => v !== 0);
}

function encodeWhere(
  valuesRowMajor: ArrayLike<number>,
  height: number,
  width: number,
  isOn: (v: number) => boolean,
): Rle {
  const counts: number[] = [];
  let previous = false;
  let run = 0;
  // COCO flattens column-major, so x is the outer loop even though the input is row-major.
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const on = isOn(valuesRowMajor[y * width + x]);
      if (on !== previous) {
        counts.push(run);
        run = 0;
        previous = on;
      }
      run++;
    }
  }
  counts.push(run);
  return { size: [height, width], counts };
}

/** RLE → row-major 0/1 mask. */
export function decodeMask(rle: Rle): Uint8Array {
  const [height, width] = rle.size;
  const maskRowMajor = new Uint8Array(height * width);
  let colMajorIndex = 0;
  let value = 0;
  for (const count of rle.counts) {
    if (value === 1) {
      for (let k = colMajorIndex; k < colMajorIndex + count; k++) {
        const x = Math.floor(k / height);
        maskRowMajor[(k - x * height) * width + x] = 1;
      }
    }
    colMajorIndex += count;
    value = 1 - value;
  }
  if (colMajorIndex !== height * width) {
    throw new Error(`RLE counts sum to ${colMajorIndex}, expected ${height}×${width} = ${height * width}`);
  }
  return maskRowMajor;
}

/** Counts → COCO string (rleToString): deltas against counts[i-2] for i > 2, 5-bit groups + 48. */
export function compressCounts(counts: readonly number[]): string {
  const chars: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i];
    if (i > 2) x -= counts[i - 2];
    let more = true;
    while (more) {
      // Arithmetic (floor) shift, as in C on a signed long; numbers stay exact beyond 32 bits.
      let c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      chars.push(c + 48);
    }
  }
  let out = '';
  // Chunked so that very long count lists stay under the engine's argument-count limit.
  for (let i = 0; i < chars.length; i += 8192) out += String.fromCharCode(...chars.slice(i, i + 8192));
  return out;
}

/** COCO string → counts (rleFrString). Throws on characters outside '0'..'o' or a truncated last group. */
export function decompressCounts(countsString: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < countsString.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= countsString.length) throw new Error(`RLE string ends inside a count at character ${p}`);
      const c = countsString.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new Error(`RLE string has invalid character ${JSON.stringify(countsString[p])} at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      // A set 0x10 bit in the last group means the value is negative (sign extension).
      if (!more && c & 0x10) x -= 2 ** (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2];
    counts.push(x);
  }
  return counts;
}

export function compressRle(rle: Rle): CompressedRle {
  return { size: [rle.size[0], rle.size[1]], counts: compressCounts(rle.counts) };
}

export function decompressRle(compressed: CompressedRle): Rle {
  return { size: [compressed.size[0], compressed.size[1]], counts: decompressCounts(compressed.counts) };
}

/** Number of foreground pixels: the sum of the odd-indexed (one) runs. */
export function rleArea(rle: Rle): number {
  let area = 0;
  for (let j = 1; j < rle.counts.length; j += 2) area += rle.counts[j];
  return area;
}

/** Tight [x, y, w, h] of the ones; [0,0,0,0] when there are no one-runs (rleToBbox). */
export function rleToBbox(rle: Rle): BboxXYWH {
  const [h, w] = rle.size;
  // A trailing zero run carries no box information; an odd count means it is present.
  const m = Math.floor(rle.counts.length / 2) * 2;
  if (m === 0) return [0, 0, 0, 0];
  let xs = w;
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xStartOfRun = 0;
  for (let j = 0; j < m; j++) {
    cc += rle.counts[j];
    // Even j: index of the first pixel of a one-run; odd j: index of its last pixel.
    const t = cc - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xStartOfRun = x;
    else if (xStartOfRun < x) {
      // The run wraps into the next column, so it covers every row.
      ys = 0;
      ye = h - 1;
    }
    xs = Math.min(xs, x);
    xe = Math.max(xe, x);
    ys = Math.min(ys, y);
    ye = Math.max(ye, y);
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/** Union (default) or intersection of RLEs of one size (rleMerge). An empty list is refused. */
export function mergeRles(rles: readonly Rle[], intersect = false): Rle {
  if (rles.length === 0) throw new Error('mergeRles needs at least one RLE');
  const [h, w] = rles[0].size;
  let merged: Rle = { size: [h, w], counts: rles[0].counts.slice() };
  for (let i = 1; i < rles.length; i++) {
    const other = rles[i];
    if (other.size[0] !== h || other.size[1] !== w) {
      throw new Error(`mergeRles: RLE ${i} has size [${other.size.join(', ')}], expected [${h}, ${w}]`);
    }
    merged = mergeTwo(merged, other, intersect);
  }
  return merged;
}

function mergeTwo(a: Rle, b: Rle, intersect: boolean): Rle {
  const counts: number[] = [];
  let ia = 0;
  let ib = 0;
  let leftA = a.counts[0] ?? 0;
  let leftB = b.counts[0] ?? 0;
  let run = 0;
  let current = 0;
  const total = a.size[0] * a.size[1];
  for (let done = 0; done < total; ) {
    // Skip exhausted (possibly zero-length) runs so each step advances by a positive amount.
    while (leftA === 0 && ia + 1 < a.counts.length) leftA = a.counts[++ia];
    while (leftB === 0 && ib + 1 < b.counts.length) leftB = b.counts[++ib];
    const step = Math.min(leftA, leftB);
    if (step === 0) throw new Error('mergeRles: RLE counts do not cover the whole mask');
    const va = ia % 2;
    const vb = ib % 2;
    const v = intersect ? va & vb : va | vb;
    if (v !== current) {
      counts.push(run);
      run = 0;
      current = v;
    }
    run += step;
    done += step;
    leftA -= step;
    leftB -= step;
  }
  counts.push(run);
  return { size: [a.size[0], a.size[1]], counts };
}

/**
 * Polygon [x0,y0,x1,y1,...] → RLE exactly as pycocotools rleFrPoly: vertices upsampled ×5 and truncated
 * after +0.5, edges walked densely, then only column crossings at pixel centres are kept as row toggles.
 */
export function polygonToRle(xy: ArrayLike<number>, height: number, width: number): Rle {
  const { u, v } = densePolygonBoundary(xy);
  const toggles = columnToggles(u, v, height, width);
  return togglesToCounts(toggles, height, width);
}

const UPSAMPLE = 5;

/** Integer points along every edge of the ×5 upsampled polygon, in traversal order. */
function densePolygonBoundary(xy: ArrayLike<number>): { u: number[]; v: number[] } {
  const k = Math.floor(xy.length / 2);
  const xs: number[] = [];
  const ys: number[] = [];
  // C's (int) cast truncates toward zero, which differs from floor for negative coordinates.
  for (let j = 0; j < k; j++) xs.push(Math.trunc(UPSAMPLE * xy[2 * j] + 0.5));
  for (let j = 0; j < k; j++) ys.push(Math.trunc(UPSAMPLE * xy[2 * j + 1] + 0.5));
  xs.push(xs[0]);
  ys.push(ys[0]);
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j++) walkEdge(xs[j], ys[j], xs[j + 1], ys[j + 1], u, v);
  return { u, v };
}

function walkEdge(x0: number, y0: number, x1: number, y1: number, u: number[], v: number[]): void {
  const dx = Math.abs(x1 - x0);
  const dy = Math.abs(y0 - y1);
  let xs = x0;
  let xe = x1;
  let ys = y0;
  let ye = y1;
  // The reference steps from the lower end and rounds relative to it; the rounding depends on that choice.
  const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
  if (flip) {
    [xs, xe] = [xe, xs];
    [ys, ye] = [ye, ys];
  }
  if (dx >= dy) {
    // A repeated vertex (dx = dy = 0) gives 0/0 in C; its single point never reaches the output, so 0 is safe.
    const s = dx === 0 ? 0 : (ye - ys) / dx;
    for (let d = 0; d <= dx; d++) {
      const t = flip ? dx - d : d;
      u.push(t + xs);
      v.push(Math.trunc(ys + s * t + 0.5));
    }
  } else {
    const s = (xe - xs) / dy;
    for (let d = 0; d <= dy; d++) {
      const t = flip ? dy - d : d;
      v.push(t + ys);
      u.push(Math.trunc(xs + s * t + 0.5));
    }
  }
}

/** Where the dense boundary crosses a pixel-centre column: column-major indices x*h + firstRowInside. */
function columnToggles(u: number[], v: number[], height: number, width: number): number[] {
  const toggles: number[] = [];
  for (let j = 1; j < u.length; j++) {
    if (u[j] === u[j - 1]) continue;
    let xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
    xd = (xd + 0.5) / UPSAMPLE - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    let yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
    yd = (yd + 0.5) / UPSAMPLE - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    yd = Math.ceil(yd);
    toggles.push(xd * height + yd);
  }
  return toggles;
}

function togglesToCounts(toggles: number[], height: number, width: number): Rle {
  const sorted = Uint32Array.from([...toggles, height * width]).sort();
  const gaps: number[] = [];
  let previous = 0;
  for (const t of sorted) {
    gaps.push(t - previous);
    previous = t;
  }
  // Two toggles at one index cancel: a zero gap folds the next gap into the current run.
  const counts: number[] = [gaps[0]];
  for (let j = 1; j < gaps.length; ) {
    if (gaps[j] > 0) counts.push(gaps[j++]);
    else {
      j++;
      if (j < gaps.length) counts[counts.length - 1] += gaps[j++];
    }
  }
  return { size: [height, width], counts };
}

/** Several polygons of one object → one RLE (their union), as pycocotools annToRLE does. */
export function polygonsToRle(polygons: readonly ArrayLike<number>[], height: number, width: number): Rle {
  if (polygons.length === 0) return { size: [height, width], counts: [height * width] };
  return mergeRles(
    polygons.map((p) => polygonToRle(p, height, width)),
    false,
  );
}

function assertSize(length: number, height: number, width: number): void {
  if (length !== height * width) {
    throw new Error(`mask has ${length} values, expected ${height}×${width} = ${height * width}`);
  }
}
