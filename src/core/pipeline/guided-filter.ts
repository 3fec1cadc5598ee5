// Colour guided filter (He, Sun, Tang 2010/2013): an edge-aware smoothing of a soft mask steered by
// the RGB image. The documented substitute for the dense CRF of method.md §2 step 7.
//
// Per window ω_k of radius r: q = a_kᵀ I + b_k with a_k = (Σ_k + εU)^-1 cov_k(I, p),
// b_k = mean_k(p) − a_kᵀ mean_k(I); the output averages a and b over the windows covering each
// pixel. I is RGB scaled to [0, 1], so ε is in squared-intensity units: edges with local variance
// well above ε are kept, flatter regions are smoothed. O(pixels), independent of r.

export interface GuidedFilterParams {
  radiusPx: number;
  eps: number;
}

/** Radius 16 px: a boundary misplaced by up to half a 16-px patch needs a window about twice that wide to move. */
export const GUIDED_FILTER_DEFAULTS: GuidedFilterParams = { radiusPx: 16, eps: 1e-3 };

/** Mean over the (2r+1)² window clipped at the borders, by separable running sums. */
export function boxMean(src: Float64Array, height: number, width: number, radius: number): Float64Array {
  const tmp = new Float64Array(height * width);
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let s = 0;
    for (let x = 0; x <= Math.min(radius, width - 1); x++) s += src[row + x];
    for (let x = 0; x < width; x++) {
      tmp[row + x] = s;
      if (x + radius + 1 < width) s += src[row + x + radius + 1];
      if (x - radius >= 0) s -= src[row + x - radius];
    }
  }
  for (let x = 0; x < width; x++) {
    let s = 0;
    for (let y = 0; y <= Math.min(radius, height - 1); y++) s += tmp[y * width + x];
    for (let y = 0; y < height; y++) {
      const cy = Math.min(y + radius, height - 1) - Math.max(y - radius, 0) + 1;
      const cx = Math.min(x + radius, width - 1) - Math.max(x - radius, 0) + 1;
      out[y * width + x] = s / (cx * cy);
      if (y + radius + 1 < height) s += tmp[(y + radius + 1) * width + x];
      if (y - radius >= 0) s -= tmp[(y - radius) * width + x];
    }
  }
  return out;
}

/** Guided filter of the soft mask p (row-major, any range) with the RGBA image as guide. */
export function guidedFilterRgb(
  rgba: Uint8Array | Uint8ClampedArray,
  height: number,
  width: number,
  p: Float64Array,
  params: GuidedFilterParams = GUIDED_FILTER_DEFAULTS,
): Float64Array {
  const n = height * width, r = params.radiusPx;
  const chan = [0, 1, 2].map((c) => Float64Array.from({ length: n }, (_, i) => rgba[4 * i + c] / 255));
  const mean = (a: Float64Array) => boxMean(a, height, width, r);
  const product = (a: Float64Array, b: Float64Array) => a.map((v, i) => v * b[i]);
  const mI = chan.map(mean);
  const mP = mean(p);
  const covIp = chan.map((ch, c) => mean(product(ch, p)).map((v, i) => v - mI[c][i] * mP[i]));
  // Upper triangle of Σ: rr, rg, rb, gg, gb, bb.
  const pairs: [number, number][] = [[0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2]];
  const sigma = pairs.map(([a, b]) => mean(product(chan[a], chan[b])).map((v, i) => v - mI[a][i] * mI[b][i]));
  const coefA = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const coefB = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = solveSym3(
      sigma[0][i] + params.eps, sigma[1][i], sigma[2][i],
      sigma[3][i] + params.eps, sigma[4][i], sigma[5][i] + params.eps,
      covIp[0][i], covIp[1][i], covIp[2][i],
    );
    coefA[0][i] = a[0];
    coefA[1][i] = a[1];
    coefA[2][i] = a[2];
    coefB[i] = mP[i] - a[0] * mI[0][i] - a[1] * mI[1][i] - a[2] * mI[2][i];
  }
  const mA = coefA.map(mean);
  const mB = mean(coefB);
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) q[i] = mA[0][i] * chan[0][i] + mA[1][i] * chan[1][i] + mA[2][i] * chan[2][i] + mB[i];
  return q;
}

/** Solves the symmetric positive definite 3×3 system [[a b c][b d e][c e f]]·x = (u, v, w). */
function solveSym3(a: number, b: number, c: number, d: number, e: number, f: number, u: number, v: number, w: number): [number, number, number] {
  // Cofactors of the symmetric matrix; ε > 0 keeps the determinant away from zero.
  const A = d * f - e * e, B = c * e - b * f, C = b * e - c * d;
  const D = a * f - c * c, E = b * c - a * e, F = a * d - b * b;
  const det = a * A + b * B + c * C;
  return [(A * u + B * v + C * w) / det, (B * u + D * v + E * w) / det, (C * u + E * v + F * w) / det];
}
