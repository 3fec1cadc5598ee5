// Editing a user-label map (category id per pixel at label resolution, 0 = unlabelled): brush and
// eraser strokes as capsules between pointer samples, segment fills, and diffs for undo and redo.

export interface LabelMap {
  /** Category id per pixel, row-major; 0 = not labelled by the user. */
  categoryRowMajor: Uint16Array;
  width: number;
  height: number;
}

/** Pixel rectangle [x0, x1) × [y0, y1) in label pixels. */
export interface PixelRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The pixels one edit changed, with their values before and after (one undo step). */
export interface LabelDiff {
  indices: Uint32Array;
  before: Uint16Array;
  after: Uint16Array;
}

export function unionRect(a: PixelRect | null, b: PixelRect | null): PixelRect | null {
  if (!a) return b;
  if (!b) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/**
 * Paints every pixel whose centre lies within `radiusPx` of the segment a→b (a capsule), so that a
 * fast pointer leaves a continuous stroke however far apart its events are. Coordinates are in label
 * pixels (continuous: pixel (x, y) has its centre at x + 0.5, y + 0.5). A radius below 0.5 still
 * paints the pixel under the pointer. Returns the rectangle that may have changed, or null.
 */
export function paintCapsule(map: LabelMap, ax: number, ay: number, bx: number, by: number, radiusPx: number, value: number): PixelRect | null {
  const { width, height, categoryRowMajor: cat } = map;
  const r = Math.max(0.5, radiusPx);
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r)), x1 = Math.min(width, Math.ceil(Math.max(ax, bx) + r));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r)), y1 = Math.min(height, Math.ceil(Math.max(ay, by) + r));
  if (x0 >= x1 || y0 >= y1) return null;
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  for (let y = y0; y < y1; y++) {
    const py = y + 0.5;
    for (let x = x0; x < x1; x++) {
      const px = x + 0.5;
      // Closest point of the segment to the pixel centre.
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
      const ex = px - (ax + t * dx), ey = py - (ay + t * dy);
      if (ex * ex + ey * ey <= r2) cat[y * width + x] = value;
    }
  }
  return { x0, y0, x1, y1 };
}

/** Sets every pixel of a mask (same size as the map) to `value`; returns the mask's bounding rect. */
export function fillMask(map: LabelMap, maskRowMajor: Uint8Array, value: number): PixelRect | null {
  const { width, categoryRowMajor: cat } = map;
  if (maskRowMajor.length !== cat.length) throw new Error(`mask has ${maskRowMajor.length} pixels; the label map ${cat.length}`);
  let rect: PixelRect | null = null;
  for (let i = 0; i < cat.length; i++) {
    if (!maskRowMajor[i]) continue;
    cat[i] = value;
    const x = i % width, y = (i - x) / width;
    if (!rect) rect = { x0: x, y0: y, x1: x + 1, y1: y + 1 };
    else {
      if (x < rect.x0) rect.x0 = x;
      if (x >= rect.x1) rect.x1 = x + 1;
      rect.y1 = y + 1;
    }
  }
  return rect;
}

/** The pixels that differ between two versions of a map, looking only inside `rect` when given. */
export function diffMaps(before: Uint16Array, after: Uint16Array, width: number, rect?: PixelRect | null): LabelDiff {
  if (before.length !== after.length) throw new Error('label maps differ in size');
  const height = before.length / width;
  const r = rect ?? { x0: 0, y0: 0, x1: width, y1: height };
  const idx: number[] = [];
  for (let y = Math.max(0, r.y0); y < Math.min(height, r.y1); y++) {
    for (let x = Math.max(0, r.x0); x < Math.min(width, r.x1); x++) {
      const i = y * width + x;
      if (before[i] !== after[i]) idx.push(i);
    }
  }
  const indices = Uint32Array.from(idx);
  return { indices, before: Uint16Array.from(indices, (i) => before[i]), after: Uint16Array.from(indices, (i) => after[i]) };
}

/** Puts a diff's 'before' (undo) or 'after' (redo) values back; returns the rectangle it touched. */
export function applyDiff(map: LabelMap, diff: LabelDiff, direction: 'undo' | 'redo'): PixelRect | null {
  const values = direction === 'undo' ? diff.before : diff.after;
  const { width, categoryRowMajor: cat } = map;
  let rect: PixelRect | null = null;
  diff.indices.forEach((i, k) => {
    cat[i] = values[k];
    const x = i % width, y = (i - x) / width;
    rect = unionRect(rect, { x0: x, y0: y, x1: x + 1, y1: y + 1 });
  });
  return rect;
}

/** Pixels per category id (0 = unlabelled included). */
export function labelCounts(categoryRowMajor: Uint16Array): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i < categoryRowMajor.length; i++) counts.set(categoryRowMajor[i], (counts.get(categoryRowMajor[i]) ?? 0) + 1);
  return counts;
}
