// Paints the user's own labels over the photo with a look of their own (hatched class colour with a
// dark outline) so that they are never mistaken for the flat-filled pseudo labels under them.
import type { PixelRect } from '../labelling/label-map';

/** Stripe period and width of the hatching, in label pixels. */
const HATCH_PERIOD_PX = 6;
const HATCH_WIDTH_PX = 2;
const STRIPE_ALPHA = 235;
const FILL_ALPHA = 110;

/**
 * Writes RGBA (width × height × 4) for the pixels of `rect` (the whole map when absent): categories
 * coloured from `lutRgba` (RGBA per category id; alpha 0 or an unknown id draws nothing), diagonal
 * stripes over a translucent fill, and a dark outline where the category changes.
 */
export function paintUserLabels(
  categoryRowMajor: Uint16Array, width: number, height: number, lutRgba: Uint8Array, outRgba: Uint8ClampedArray, rect?: PixelRect | null,
): void {
  if (outRgba.length !== width * height * 4) throw new Error(`RGBA buffer has ${outRgba.length} bytes; expected ${width}×${height}×4`);
  const r = rect ?? { x0: 0, y0: 0, x1: width, y1: height };
  const cat = categoryRowMajor;
  const lutSize = lutRgba.length / 4;
  for (let y = Math.max(0, r.y0); y < Math.min(height, r.y1); y++) {
    for (let x = Math.max(0, r.x0); x < Math.min(width, r.x1); x++) {
      const i = y * width + x;
      const c = cat[i];
      const o = i * 4;
      const alpha = c && c < lutSize ? lutRgba[c * 4 + 3] : 0;
      if (!alpha) {
        outRgba[o + 3] = 0;
        continue;
      }
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1 || cat[i - 1] !== c || cat[i + 1] !== c || cat[i - width] !== c || cat[i + width] !== c;
      const shade = edge ? 0.35 : 1;
      outRgba[o] = lutRgba[c * 4] * shade;
      outRgba[o + 1] = lutRgba[c * 4 + 1] * shade;
      outRgba[o + 2] = lutRgba[c * 4 + 2] * shade;
      outRgba[o + 3] = edge ? 255 : (x + y) % HATCH_PERIOD_PX < HATCH_WIDTH_PX ? STRIPE_ALPHA : FILL_ALPHA;
    }
  }
}

/** A changed rectangle grown by one pixel, since its neighbours' outlines may change with it. */
export function withOutlineMargin(rect: PixelRect, width: number, height: number): PixelRect {
  return { x0: Math.max(0, rect.x0 - 1), y0: Math.max(0, rect.y0 - 1), x1: Math.min(width, rect.x1 + 1), y1: Math.min(height, rect.y1 + 1) };
}
