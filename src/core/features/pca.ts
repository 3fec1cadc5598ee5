// Colours patch tokens by their first three principal components: the standard way to look at
// self-supervised features (method.md §1) before any clustering has run.

/** Top-k eigenvectors of a symmetric C×C matrix by power iteration with deflation. */
function topEigenvectors(cov: Float64Array, C: number, k: number, iterations = 100): Float64Array[] {
  const vecs: Float64Array[] = [];
  const work = Float64Array.from(cov);
  for (let e = 0; e < k; e++) {
    let v = new Float64Array(C).map((_, i) => Math.sin(i * 12.9898 + e * 78.233) + 0.5);
    let lambda = 0;
    for (let it = 0; it < iterations; it++) {
      const next = new Float64Array(C);
      for (let r = 0; r < C; r++) {
        let s = 0;
        for (let c = 0; c < C; c++) s += work[r * C + c] * v[c];
        next[r] = s;
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      lambda = norm;
      v = next.map((x) => x / norm);
    }
    // Sign convention: the largest-magnitude component is positive, so colours do not flicker.
    let big = 0;
    for (let i = 0; i < C; i++) if (Math.abs(v[i]) > Math.abs(v[big])) big = i;
    if (v[big] < 0) v = v.map((x) => -x);
    vecs.push(v);
    for (let r = 0; r < C; r++) for (let c = 0; c < C; c++) work[r * C + c] -= lambda * v[r] * v[c];
  }
  return vecs;
}

/**
 * Projects [N, C] row-major features on their top 3 principal components and maps each to 0..255
 * (min-max per component), returning RGBA [N * 4] ready to paint on an N-cell grid.
 */
export function pcaRgba(features: Float32Array, N: number, C: number): Uint8ClampedArray {
  const mean = new Float64Array(C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) mean[c] += features[n * C + c] / N;
  const cov = new Float64Array(C * C);
  const row = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) row[c] = features[n * C + c] - mean[c];
    for (let a = 0; a < C; a++) for (let b = a; b < C; b++) cov[a * C + b] += row[a] * row[b];
  }
  for (let a = 0; a < C; a++) for (let b = 0; b < a; b++) cov[a * C + b] = cov[b * C + a];
  const comps = topEigenvectors(cov, C, Math.min(3, C));
  const proj = comps.map((v) => {
    const p = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += (features[n * C + c] - mean[c]) * v[c];
      p[n] = s;
    }
    return p;
  });
  const out = new Uint8ClampedArray(N * 4);
  proj.forEach((p, ch) => {
    let lo = Infinity, hi = -Infinity;
    for (const x of p) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    const span = hi - lo || 1;
    for (let n = 0; n < N; n++) out[n * 4 + ch] = Math.round(((p[n] - lo) / span) * 255);
  });
  for (let n = 0; n < N; n++) out[n * 4 + 3] = 255;
  return out;
}
