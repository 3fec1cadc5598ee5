// The mean-field normalisation Q = softmax(energy) of method.md §2 step 7 and §4, as densecrf's
// expAndNormalize: subtract the row maximum in float32, exponentiate, divide by the float32 sum.
//
// exp is evaluated in double precision (Cody–Waite reduction, degree-13 Taylor polynomial,
// relative error ~1e-16) and rounded to float32: the correctly rounded expf, which glibc's expf
// (0.502 ulp) that the reference calls for small label counts almost always returns too.

const LOG2E: f64 = 1.4426950408889634;
// ln 2 split so that k·LN2_HI is exact for |k| < 2^20.
const LN2_HI: f64 = 6.93147180369123816490e-1;
const LN2_LO: f64 = 1.90821492927058770002e-10;

// 1.5·2^52: adding it rounds a double of magnitude < 2^51 to an integer (ties to even) that
// sits in the low bits of the sum's representation.
const ROUND_SHIFT: f64 = 6755399441055744.0;

/** e^x for two doubles, x ≤ 0 (clamped below at −110, where float32 e^x is already 0). */
let K0: v128 = f64x2.splat(-110);
let K1: v128 = f64x2.splat(LOG2E);
let K2: v128 = f64x2.splat(ROUND_SHIFT);
let K3: v128 = f64x2.splat(ROUND_SHIFT);
let K4: v128 = f64x2.splat(LN2_HI);
let K5: v128 = f64x2.splat(LN2_LO);
let K6: v128 = f64x2.splat(1.0);
let K7: v128 = f64x2.splat(1.0 / 2.0);
let K8: v128 = f64x2.splat(1.0 / 6.0);
let K9: v128 = f64x2.splat(1.0 / 24.0);
let K10: v128 = f64x2.splat(1.0 / 120.0);
let K11: v128 = f64x2.splat(1.0 / 720.0);
let K12: v128 = f64x2.splat(1.0 / 5040.0);
let K13: v128 = f64x2.splat(1.0 / 40320.0);
let K14: v128 = f64x2.splat(1.0 / 362880.0);
let K15: v128 = f64x2.splat(1.0 / 3628800.0);
let K16: v128 = f64x2.splat(1.0 / 39916800.0);
let K17: v128 = f64x2.splat(1.0 / 479001600.0);
let K18: v128 = f64x2.splat(1.0 / 6227020800.0);
let K1023: v128 = i64x2.splat(1023);
@inline export function exp2x(x0: v128): v128 {
  const x = f64x2.max(x0, K0);
  const shifted = f64x2.add(f64x2.mul(x, K1), K2);
  const k = f64x2.sub(shifted, K3);
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, K4)), f64x2.mul(k, K5));
  // Taylor polynomial of degree 13 (|r| ≤ ln2/2), by Estrin's scheme for a short dependency chain.
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const p01 = f64x2.add(K6, r);
  const p23 = f64x2.add(K7, f64x2.mul(r, K8));
  const p45 = f64x2.add(K9, f64x2.mul(r, K10));
  const p67 = f64x2.add(K11, f64x2.mul(r, K12));
  const p89 = f64x2.add(K13, f64x2.mul(r, K14));
  const pab = f64x2.add(K15, f64x2.mul(r, K16));
  const pcd = f64x2.add(K17, f64x2.mul(r, K18));
  const p03 = f64x2.add(p01, f64x2.mul(r2, p23));
  const p47 = f64x2.add(p45, f64x2.mul(r2, p67));
  const p8b = f64x2.add(p89, f64x2.mul(r2, pab));
  const p07 = f64x2.add(p03, f64x2.mul(r4, p47));
  const p8d = f64x2.add(p8b, f64x2.mul(r4, pcd));
  const p = f64x2.add(p07, f64x2.mul(r8, p8d));
  // 2^k from the integer in the low bits of `shifted`: (k + 1023) << 52.
  const scale = i64x2.shl(i64x2.add(shifted, K1023), 52);
  return f64x2.mul(p, scale);
}

/** Four float32 exponentials (each through exp2x), arguments ≤ 0. */
@inline export function exp4(x: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(exp2x(f64x2.promote_low_f32x4(x)));
  const hi = f32x4.demote_f64x2_zero(exp2x(f64x2.promote_low_f32x4(v128.shuffle<f32>(x, x, 2, 3, 2, 3))));
  return v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
}

/**
 * Independent two-label CRFs side by side: every point holds `stride` floats, pairs (label 0,
 * label 1) of one CRF each. With the larger energy as the maximum, its exp is exactly 1, so
 * Q_max = 1/(1 + t) and Q_min = t/(1 + t) with t = exp(e_min − e_max): densecrf's arithmetic.
 */
export function softmaxPairs(energy: usize, q: usize, n: i32, stride: i32): void {
  const one = f32x4.splat(1);
  const count = <usize>n * stride;
  for (let o: usize = 0; o < count; o += 4) {
    const e = v128.load(energy + (o << 2));
    const swapped = v128.shuffle<f32>(e, e, 1, 0, 3, 2);
    const negGap = f32x4.neg(f32x4.abs(f32x4.sub(e, swapped)));
    const t2 = f32x4.demote_f64x2_zero(exp2x(f64x2.promote_low_f32x4(v128.shuffle<f32>(negGap, negGap, 0, 2, 0, 2))));
    const t = v128.shuffle<f32>(t2, t2, 0, 0, 1, 1);
    const s = f32x4.add(one, t);
    v128.store(q + (o << 2), v128.bitselect(f32x4.div(one, s), f32x4.div(t, s), f32x4.ge(e, swapped)));
  }
}

/**
 * One CRF of `k` labels per point (`stride` ≥ k floats per point, a multiple of 4; lanes past k
 * are written as 0). Sum in label order.
 */
export function softmaxRows(energy: usize, q: usize, n: i32, k: i32, stride: i32): void {
  const chunks = (k + 3) >> 2;
  const tail = k - ((chunks - 1) << 2); // labels in the last chunk, 1..4
  const lastMask = i32x4(tail > 0 ? -1 : 0, tail > 1 ? -1 : 0, tail > 2 ? -1 : 0, tail > 3 ? -1 : 0);
  for (let i = 0; i < n; i++) {
    const e = energy + (<usize>(i * stride) << 2);
    const out = q + (<usize>(i * stride) << 2);
    let mx = load<f32>(e);
    for (let c = 1; c < k; c++) {
      const v = load<f32>(e + (<usize>c << 2));
      if (v > mx) mx = v;
    }
    const mxV = f32x4.splat(mx);
    for (let ch = 0; ch < chunks; ch++) {
      let x = exp4(f32x4.sub(v128.load(e + (<usize>ch << 4)), mxV));
      if (ch == chunks - 1) x = v128.and(x, lastMask);
      v128.store(out + (<usize>ch << 4), x);
    }
    let sum: f32 = 0;
    for (let c = 0; c < k; c++) sum += load<f32>(out + (<usize>c << 2));
    const sumV = f32x4.splat(sum);
    for (let ch = 0; ch < chunks; ch++) {
      const p = out + (<usize>ch << 4);
      v128.store(p, f32x4.div(v128.load(p), sumV));
    }
    for (let c = chunks << 2; c < stride; c++) store<f32>(out + (<usize>c << 2), 0);
  }
}
