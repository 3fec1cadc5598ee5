// Gaussian filtering on a permutohedral lattice (splat, [1/2, 1, 1/2] blur along each axis, slice)
// of four channels at a time in f32x4, for the mean-field steps of method.md §2 step 7 and §4.
//
// Each lane is one channel and sees exactly the float32 operations of densecrf's
// Permutohedral::seqCompute (value size ≤ 2) or sseCompute (value size > 2) in the same order,
// so the result is bit for bit the reference's. The two differ only in slicing:
// seq accumulates (w·v)·α, sse accumulates float32(w·α)·v.

/**
 * Filters channels [c0, c0+4) of `input` (`inStride` floats per point; multiplied by `preScale[i]`
 * first when preScale ≠ 0) and writes or accumulates the result:
 *  - postScale = 0: out[i·outStride + c0…] = filtered.
 *  - postScale ≠ 0: out[…] = base[…] + weight · (filtered · postScale[i]), the Potts message of
 *    densecrf's PairwisePotential::apply subtracted from the energy (the two negations cancel
 *    exactly); `base` is `out` itself, or (base ≠ 0) another array of out's layout: −U for the
 *    first kernel of an iteration, which saves copying −U into the energy.
 * `bufA`, `bufB`: (m+1)·16 bytes each; slot 0 is the zero vertex standing in for absent neighbours.
 */
export function filter4(
  offsets: usize, weights: usize, d1: i32, n: i32, neighbours: usize, m: i32,
  input: usize, inStride: i32, c0: i32, preScale: usize,
  bufA: usize, bufB: usize, alpha: f32, sseSlice: bool,
  out: usize, outStride: i32, weight: f32, postScale: usize, base: usize,
): void {
  const slotBytes = (<usize>m + 1) << 4;
  memory.fill(bufA, 0, slotBytes);
  store<v128>(bufB, f32x4.splat(0));
  // Splat.
  const inStep = <usize>inStride << 2;
  let inPtr = input + (<usize>c0 << 2);
  let ow = <usize>0;
  for (let i = 0; i < n; i++) {
    let v = v128.load(inPtr);
    if (preScale != 0) v = f32x4.mul(v, f32x4.splat(load<f32>(preScale + (<usize>i << 2))));
    for (let r = 0; r < d1; r++) {
      const p = bufA + (<usize>load<i32>(offsets + ow) << 4);
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(f32x4.splat(load<f32>(weights + ow)), v)));
      ow += 4;
    }
    inPtr += inStep;
  }
  // Blur: new = old + 0.5·(left + right), axis by axis, ping-ponging between the buffers.
  const half = f32x4.splat(0.5);
  let src = bufA, dst = bufB;
  for (let j = 0; j < d1; j++) {
    let nb = neighbours + (<usize>j * m << 3);
    let s = src + 16, t = dst + 16;
    for (let v = 0; v < m; v++) {
      const a = v128.load(src + (<usize>load<i32>(nb) << 4));
      const b = v128.load(src + (<usize>load<i32>(nb, 4) << 4));
      v128.store(t, f32x4.add(v128.load(s), f32x4.mul(half, f32x4.add(a, b))));
      nb += 8;
      s += 16;
      t += 16;
    }
    const tmp = src;
    src = dst;
    dst = tmp;
  }
  // Slice, then scale and accumulate.
  const outStep = <usize>outStride << 2;
  let outPtr = out + (<usize>c0 << 2);
  let basePtr = (base != 0 ? base : out) + (<usize>c0 << 2);
  const alphaV = f32x4.splat(alpha);
  const weightV = f32x4.splat(weight);
  ow = 0;
  for (let i = 0; i < n; i++) {
    let acc = f32x4.splat(0);
    for (let r = 0; r < d1; r++) {
      const val = v128.load(src + (<usize>load<i32>(offsets + ow) << 4));
      const w = load<f32>(weights + ow);
      if (sseSlice) acc = f32x4.add(acc, f32x4.mul(f32x4.splat(w * alpha), val));
      else acc = f32x4.add(acc, f32x4.mul(f32x4.mul(f32x4.splat(w), val), alphaV));
      ow += 4;
    }
    if (postScale == 0) {
      v128.store(outPtr, acc);
    } else {
      const msg = f32x4.mul(weightV, f32x4.mul(acc, f32x4.splat(load<f32>(postScale + (<usize>i << 2)))));
      v128.store(outPtr, f32x4.add(v128.load(basePtr), msg));
    }
    outPtr += outStep;
    basePtr += outStep;
  }
}

/** filter4 for channels [c0, c0+8): two vectors per vertex, one pass over the lattice. Buffers (m+1)·32 bytes. */
export function filter8(
  offsets: usize, weights: usize, d1: i32, n: i32, neighbours: usize, m: i32,
  input: usize, inStride: i32, c0: i32, preScale: usize,
  bufA: usize, bufB: usize, alpha: f32, sseSlice: bool,
  out: usize, outStride: i32, weight: f32, postScale: usize, base: usize,
): void {
  const slotBytes = (<usize>m + 1) << 5;
  memory.fill(bufA, 0, slotBytes);
  store<v128>(bufB, f32x4.splat(0));
  store<v128>(bufB, f32x4.splat(0), 16);
  // Splat.
  const inStep = <usize>inStride << 2;
  let inPtr = input + (<usize>c0 << 2);
  let ow = <usize>0;
  for (let i = 0; i < n; i++) {
    let v = v128.load(inPtr), u = v128.load(inPtr, 16);
    if (preScale != 0) {
      const s = f32x4.splat(load<f32>(preScale + (<usize>i << 2)));
      v = f32x4.mul(v, s);
      u = f32x4.mul(u, s);
    }
    for (let r = 0; r < d1; r++) {
      const p = bufA + (<usize>load<i32>(offsets + ow) << 5);
      const w = f32x4.splat(load<f32>(weights + ow));
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(w, v)));
      v128.store(p, f32x4.add(v128.load(p, 16), f32x4.mul(w, u)), 16);
      ow += 4;
    }
    inPtr += inStep;
  }
  // Blur: new = old + 0.5·(left + right), axis by axis, ping-ponging between the buffers.
  const half = f32x4.splat(0.5);
  let src = bufA, dst = bufB;
  for (let j = 0; j < d1; j++) {
    let nb = neighbours + (<usize>j * m << 3);
    let s = src + 32, t = dst + 32;
    for (let v = 0; v < m; v++) {
      const a = src + (<usize>load<i32>(nb) << 5);
      const b = src + (<usize>load<i32>(nb, 4) << 5);
      v128.store(t, f32x4.add(v128.load(s), f32x4.mul(half, f32x4.add(v128.load(a), v128.load(b)))));
      v128.store(t, f32x4.add(v128.load(s, 16), f32x4.mul(half, f32x4.add(v128.load(a, 16), v128.load(b, 16)))), 16);
      nb += 8;
      s += 32;
      t += 32;
    }
    const tmp = src;
    src = dst;
    dst = tmp;
  }
  // Slice, then scale and accumulate.
  const outStep = <usize>outStride << 2;
  let outPtr = out + (<usize>c0 << 2);
  let basePtr = (base != 0 ? base : out) + (<usize>c0 << 2);
  const alphaV = f32x4.splat(alpha);
  const weightV = f32x4.splat(weight);
  ow = 0;
  for (let i = 0; i < n; i++) {
    let acc = f32x4.splat(0), acc2 = f32x4.splat(0);
    for (let r = 0; r < d1; r++) {
      const p = src + (<usize>load<i32>(offsets + ow) << 5);
      const w = load<f32>(weights + ow);
      if (sseSlice) {
        const wa = f32x4.splat(w * alpha);
        acc = f32x4.add(acc, f32x4.mul(wa, v128.load(p)));
        acc2 = f32x4.add(acc2, f32x4.mul(wa, v128.load(p, 16)));
      } else {
        const wv = f32x4.splat(w);
        acc = f32x4.add(acc, f32x4.mul(f32x4.mul(wv, v128.load(p)), alphaV));
        acc2 = f32x4.add(acc2, f32x4.mul(f32x4.mul(wv, v128.load(p, 16)), alphaV));
      }
      ow += 4;
    }
    if (postScale == 0) {
      v128.store(outPtr, acc);
      v128.store(outPtr, acc2, 16);
    } else {
      const s = f32x4.splat(load<f32>(postScale + (<usize>i << 2)));
      v128.store(outPtr, f32x4.add(v128.load(basePtr), f32x4.mul(weightV, f32x4.mul(acc, s))));
      v128.store(outPtr, f32x4.add(v128.load(basePtr, 16), f32x4.mul(weightV, f32x4.mul(acc2, s))), 16);
    }
    outPtr += outStep;
    basePtr += outStep;
  }
}

/** densecrf's symmetric normalisation: norm[i] = float32(1 / sqrt(double(sums[i·stride]) + 1e-20)). */
export function normFromSums(sums: usize, stride: i32, n: i32, norm: usize): void {
  for (let i = 0; i < n; i++) {
    const s = <f64>load<f32>(sums + (<usize>(i * stride) << 2));
    store<f32>(norm + (<usize>i << 2), <f32>(1.0 / Math.sqrt(s + 1e-20)));
  }
}
