// Checks for a positional pattern in patch features and label maps (method.md §1): natural features
// and segmentations become less alike with distance; a period-2 artifact makes 2 apart beat 1 apart.
//
// The figures are the ones the default CNN was diagnosed with: mean cosine of L2-normalised tokens
// d = 1…4 cells apart along x and y, the share of each line's variation that alternates from cell
// to cell (period 2), and for label maps the chance that two pixels d cells apart share a label.

export interface AxisProfile {
  /** Index d−1 holds the mean value at distance d. */
  x: number[];
  y: number[];
}

export interface GridPattern {
  cosine: AxisProfile;
  /** Share of the per-line variance (mean removed) at period 2, summed over channels; white noise on 20 cells gives ≈ 0.05. */
  alternation: { x: number; y: number };
}

function unitRows(rows: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[i * dim + j] ** 2;
    const inv = 1 / (Math.sqrt(s) || 1);
    for (let j = 0; j < dim; j++) out[i * dim + j] = rows[i * dim + j] * inv;
  }
  return out;
}

function dot(u: Float32Array, a: number, b: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += u[a * dim + j] * u[b * dim + j];
  return s;
}

/** Alternating energy / total variance along lines of `len` cells, `stride` apart, starting at `starts`. */
function alternationAlong(u: Float32Array, dim: number, starts: number[], len: number, stride: number): { alt: number; total: number } {
  let alt = 0, total = 0;
  for (const start of starts) {
    for (let j = 0; j < dim; j++) {
      let mean = 0;
      for (let k = 0; k < len; k++) mean += u[(start + k * stride) * dim + j];
      mean /= len;
      let signed = 0;
      for (let k = 0; k < len; k++) {
        const v = u[(start + k * stride) * dim + j] - mean;
        total += v * v;
        signed += k % 2 ? -v : v;
      }
      alt += (signed * signed) / len;
    }
  }
  return { alt, total };
}

/** The pattern figures over several images' tokens ([gridH·gridW, dim] row-major each, same grid). */
export function gridPattern(tokenSets: readonly Float32Array[], gridH: number, gridW: number, dim: number, maxDistance = 4): GridPattern {
  const n = gridH * gridW;
  const sum = { x: new Float64Array(maxDistance), y: new Float64Array(maxDistance) };
  const count = { x: new Float64Array(maxDistance), y: new Float64Array(maxDistance) };
  let altX = 0, totX = 0, altY = 0, totY = 0;
  for (const tokens of tokenSets) {
    if (tokens.length !== n * dim) throw new Error(`tokens hold ${tokens.length} values; expected ${gridH}×${gridW}×${dim}`);
    const u = unitRows(tokens, n, dim);
    for (let y = 0; y < gridH; y++) {
      for (let x = 0; x < gridW; x++) {
        const i = y * gridW + x;
        for (let d = 1; d <= maxDistance; d++) {
          if (x + d < gridW) {
            sum.x[d - 1] += dot(u, i, i + d, dim);
            count.x[d - 1]++;
          }
          if (y + d < gridH) {
            sum.y[d - 1] += dot(u, i, i + d * gridW, dim);
            count.y[d - 1]++;
          }
        }
      }
    }
    const rows = alternationAlong(u, dim, Array.from({ length: gridH }, (_, y) => y * gridW), gridW, 1);
    const cols = alternationAlong(u, dim, Array.from({ length: gridW }, (_, x) => x), gridH, gridW);
    altX += rows.alt;
    totX += rows.total;
    altY += cols.alt;
    totY += cols.total;
  }
  return {
    cosine: { x: Array.from(sum.x, (s, k) => s / count.x[k]), y: Array.from(sum.y, (s, k) => s / count.y[k]) },
    alternation: { x: altX / (totX || 1), y: altY / (totY || 1) },
  };
}

/**
 * Chance that two pixels `d·cellPx` apart along x (or y) carry the same label, d = 1…maxDistance,
 * over several label maps ([height·width] row-major each).
 */
export function labelAgreement(maps: readonly { labels: ArrayLike<number>; height: number; width: number }[], cellPx: number, maxDistance = 4): AxisProfile {
  const same = { x: new Float64Array(maxDistance), y: new Float64Array(maxDistance) };
  const count = { x: new Float64Array(maxDistance), y: new Float64Array(maxDistance) };
  for (const { labels, height, width } of maps) {
    for (let d = 1; d <= maxDistance; d++) {
      const off = Math.round(d * cellPx);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const v = labels[y * width + x];
          if (x + off < width) {
            if (v === labels[y * width + x + off]) same.x[d - 1]++;
            count.x[d - 1]++;
          }
          if (y + off < height) {
            if (v === labels[(y + off) * width + x]) same.y[d - 1]++;
            count.y[d - 1]++;
          }
        }
      }
    }
  }
  return { x: Array.from(same.x, (s, k) => s / (count.x[k] || 1)), y: Array.from(same.y, (s, k) => s / (count.y[k] || 1)) };
}

/** Distances d at which a profile fails to fall by `margin` from d to d+1 (empty: no pattern). */
export function nonDecreasingSteps(profile: readonly number[], margin: number): number[] {
  const bad: number[] = [];
  for (let d = 1; d < profile.length; d++) if (profile[d - 1] - profile[d] < margin) bad.push(d);
  return bad;
}
