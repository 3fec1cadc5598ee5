// Antialiased bilinear (triangle-filter) resampling, as PIL's Image.resize(BILINEAR) which the
// reference's torchvision Resize uses on PIL images (method.md §1: fixed square input).

/** RGBA pixels, row-major, 4 bytes per pixel (the layout of ImageData). */
export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  maxTaps: number;
}

/** Per output index, the source range and normalised weights of a triangle filter widened by the scale. */
export function triangleTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = Math.max(1, scale);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - center) / support));
      weights[o * maxTaps + (i - lo)] = w;
      sum += w;
    }
    for (let i = 0; i < hi - lo; i++) weights[o * maxTaps + i] /= sum || 1;
    start[o] = lo;
    count[o] = hi - lo;
  }
  return { start, count, weights, maxTaps };
}

/**
 * Resizes RGBA to outW×outH and returns float RGB planes (CHW, values 0..255), separable:
 * horizontal pass into a float buffer, then vertical, so rounding happens nowhere in between.
 */
export function resizeToChw(img: RgbaImage, outW: number, outH: number): Float32Array {
  const { width: inW, height: inH, data } = img;
  const tx = triangleTaps(inW, outW);
  const ty = triangleTaps(inH, outH);
  const horiz = new Float32Array(3 * inH * outW);
  for (let y = 0; y < inH; y++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0, g = 0, b = 0;
      const base = ox * tx.maxTaps;
      for (let k = 0; k < tx.count[ox]; k++) {
        const w = tx.weights[base + k];
        const p = (y * inW + tx.start[ox] + k) * 4;
        r += w * data[p];
        g += w * data[p + 1];
        b += w * data[p + 2];
      }
      const q = y * outW + ox;
      horiz[q] = r;
      horiz[inH * outW + q] = g;
      horiz[2 * inH * outW + q] = b;
    }
  }
  const out = new Float32Array(3 * outH * outW);
  for (let c = 0; c < 3; c++) {
    for (let oy = 0; oy < outH; oy++) {
      const base = oy * ty.maxTaps;
      for (let ox = 0; ox < outW; ox++) {
        let v = 0;
        for (let k = 0; k < ty.count[oy]; k++) v += ty.weights[base + k] * horiz[c * inH * outW + (ty.start[oy] + k) * outW + ox];
        out[c * outH * outW + oy * outW + ox] = v;
      }
    }
  }
  return out;
}

/** The backbone input: resize to side×side (aspect ignored, as the reference), scale to 0..1, normalise. */
export function toNormalisedNchw(
  img: RgbaImage,
  side: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Float32Array {
  const chw = resizeToChw(img, side, side);
  const plane = side * side;
  for (let c = 0; c < 3; c++) {
    const m = mean[c], s = std[c];
    for (let i = c * plane; i < (c + 1) * plane; i++) chw[i] = (chw[i] / 255 - m) / s;
  }
  return chw;
}

/** Output size that fits within maxSide while keeping the aspect ratio (for huge photos). */
export function fitWithin(sizeHW: [number, number], maxSide: number): [number, number] {
  const [h, w] = sizeHW;
  const s = Math.min(1, maxSide / Math.max(h, w));
  return [Math.max(1, Math.round(h * s)), Math.max(1, Math.round(w * s))];
}
