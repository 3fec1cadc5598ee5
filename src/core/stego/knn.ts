// STEGO's "positive" partners (method.md §4, precompute_knns): each photo's K nearest photos by
// the cosine of their global features, here the mean of the photo's projected patch tokens.

/** Unit mean row of each image's [n_i, dim] features. */
export function globalFeatures(rowsPerImage: readonly Float64Array[], dim: number): Float64Array {
  const out = new Float64Array(rowsPerImage.length * dim);
  rowsPerImage.forEach((rows, i) => {
    const n = rows.length / dim;
    for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) out[i * dim + j] += rows[r * dim + j];
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += out[i * dim + j] ** 2;
    const inv = 1 / (Math.sqrt(sq) || 1);
    for (let j = 0; j < dim; j++) out[i * dim + j] *= inv;
  });
  return out;
}

/**
 * Indices of each image's min(k, images − 1) most similar other images, most similar first (ties:
 * lower index). One image alone is its own partner, so the pair loss still has a partner.
 */
export function nearestImages(global: Float64Array, images: number, dim: number, k: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let i = 0; i < images; i++) {
    if (images === 1) {
      out.push(Int32Array.of(0));
      continue;
    }
    const sims: { j: number; s: number }[] = [];
    for (let j = 0; j < images; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) s += global[i * dim + d] * global[j * dim + d];
      sims.push({ j, s });
    }
    sims.sort((a, b) => b.s - a.s || a.j - b.j);
    out.push(Int32Array.from(sims.slice(0, Math.min(k, images - 1)), (x) => x.j));
  }
  return out;
}
