// Permutohedral lattice construction (Adams, Baek, Davis 2010) in float32, step for step in the
// order of densecrf's SSE Permutohedral::init, for the dense CRF of method.md §2 step 7 and §4.
//
// Same vertex numbering as densecrf (order of first appearance, point by point, corner by
// corner), the same float32 rounding of elevation, remainder-0 point (round half to even),
// rank (ties to the later coordinate) and barycentric weights, and the same quirk: when the
// point count is not a multiple of 4, densecrf's SSE loop also inserts the simplex corners of
// (4 − n mod 4) all-zero features after the real points; those vertices take part in the blur.
// One point's d+1 coordinates are SIMD lanes (d ≤ 6: lanes 0–3 and 4–7).
import { alloc, setHeapTop } from './memory';
import { findKey, resetTable, touchKey, vertexCount, vertexKeys } from './hash';

/** Neighbour table of the last build: [axis][vertex] → (vertex+1 of −1 step, vertex+1 of +1 step), 0 = absent. */
let lastNeighboursPtr: usize = 0;
export function lastNeighbours(): usize {
  return lastNeighboursPtr;
}

const LANE_LO = i32x4(0, 1, 2, 3);
const LANE_HI = i32x4(4, 5, 6, 7);

/** Points embedded before their corners are looked up, so that the table misses overlap. */
const BLOCK = 16;

/**
 * Inserts the corners of points [start, start+count) in order (point by point, corner by
 * corner, as densecrf numbers vertices); a point in the same simplex as its predecessor takes
 * its offsets. Only points < n (the real ones) record offsets.
 */
function insertBlock(start: i32, count: i32, n: i32, d1: i32, offsets: usize, blockKeys: usize, blockSame: usize): void {
  for (let s = 0; s < count; s++) {
    if (load<u8>(blockSame + <usize>s) != 0) continue;
    const kb = blockKeys + (<usize>(s * d1) << 4);
    for (let r = 0; r < d1; r++) touchKey(v128.load(kb + (<usize>r << 4)), true);
  }
  for (let s = 0; s < count; s++) {
    const k = start + s;
    const o = offsets + (<usize>(k * d1) << 2);
    if (load<u8>(blockSame + <usize>s) != 0) {
      if (k < n) memory.copy(o, o - (<usize>d1 << 2), <usize>d1 << 2);
      continue;
    }
    const kb = blockKeys + (<usize>(s * d1) << 4);
    for (let r = 0; r < d1; r++) {
      const e = findKey(v128.load(kb + (<usize>r << 4)), true);
      if (k < n) store<i32>(o + (<usize>r << 2), e + 1);
    }
  }
}

/**
 * Blur neighbours along each of the d+1 lattice axes: a step moves the axis coordinate by ±d
 * and every other stored one by ∓1 (for the last axis, every stored coordinate by ∓1). Only
 * the −1 step is looked up: when u is v's −1 neighbour, v is u's +1 neighbour. Look-ups go in
 * batches whose table slots are touched first, so that their cache misses overlap.
 */
function hashNeighbours(d: i32, m: i32, nbr: usize, deltas: usize): void {
  const keys = vertexKeys();
  const BATCH = 8;
  for (let v0 = 0; v0 < m; v0 += BATCH) {
    const v1 = min(v0 + BATCH, m);
    for (let v = v0; v < v1; v++) {
      const key = v128.load(keys + (<usize>v << 4));
      for (let j = 0; j <= d; j++) touchKey(i16x8.add(key, v128.load(deltas + (<usize>j << 4))), false);
    }
    for (let v = v0; v < v1; v++) {
      const key = v128.load(keys + (<usize>v << 4));
      for (let j = 0; j <= d; j++) {
        const u = findKey(i16x8.add(key, v128.load(deltas + (<usize>j << 4))), false);
        if (u >= 0) {
          const base = nbr + (<usize>j * m << 3);
          store<i32>(base + (<usize>v << 3), u + 1);
          store<i32>(base + (<usize>u << 3), v + 1, 4);
        }
      }
    }
  }
}

/**
 * Builds the lattice of `n` points with `d` ≤ 6 float32 features each (point-major at `feat`,
 * already divided by the kernel's standard deviations). `scale` holds densecrf's d float32
 * elevation factors, `invD1` = float32(1/(d+1)). Writes, per point and simplex corner, the
 * vertex index + 1 to `offsets` (i32) and the barycentric weight to `weights` (f32). All
 * scratch memory from `feat` upwards is released: the neighbour table is moved to `feat` (see
 * lastNeighbours()) and the heap ends after it. Returns the number of vertices.
 */
export function buildLattice(feat: usize, n: i32, d: i32, scale: usize, invD1: f32, offsets: usize, weights: usize): i32 {
  const d1 = d + 1;
  const padded = (4 - (n & 3)) & 3;
  // Lattices have far fewer vertices than points·(d+1); a table grown from ~n/2 slots stays small.
  resetTable(<u32>n >> 1, (n + padded) * d1);
  const el = alloc(32), res = alloc(32), rk = alloc(32), byRank = alloc(32);
  memory.fill(el, 0, 32);
  const invD1V = f32x4.splat(invD1), d1F = f32x4.splat(<f32>d1), d1I = i32x4.splat(d1), zeroI = i32x4.splat(0);
  const coordLo = i32x4.lt_s(LANE_LO, i32x4.splat(d1)), coordHi = i32x4.lt_s(LANE_HI, i32x4.splat(d1));
  const keyLanes = i16x8.narrow_i32x4_s(i32x4.lt_s(LANE_LO, i32x4.splat(d)), i32x4.lt_s(LANE_HI, i32x4.splat(d)));
  let prevRem = i16x8.splat(-32768), prevRank = i16x8.splat(-1);
  const blockKeys = alloc(<usize>(BLOCK * d1) << 4), blockSame = alloc(BLOCK);
  let blockStart = 0;
  const total = n + padded;
  for (let k = 0; k < total; k++) {
    const real = k < n;
    // Elevate onto the hyperplane Σ = 0 (Adams et al. p. 5), sequentially as densecrf sums.
    let sm: f32 = 0;
    for (let j = d; j > 0; j--) {
      const f: f32 = real ? load<f32>(feat + (<usize>(k * d + j - 1) << 2)) : 0;
      const cf: f32 = f * load<f32>(scale + (<usize>(j - 1) << 2));
      store<f32>(el + (<usize>j << 2), sm - <f32>j * cf);
      sm += cf;
    }
    store<f32>(el, sm);
    const e0 = v128.load(el), e1 = v128.load(el, 16);
    // Nearest remainder-0 point, coordinate by coordinate (lanes past d are 0 and stay 0).
    const v0 = f32x4.nearest(f32x4.mul(invD1V, e0)), v1 = f32x4.nearest(f32x4.mul(invD1V, e1));
    let r0 = f32x4.mul(v0, d1F), r1 = f32x4.mul(v1, d1F);
    const vs = f32x4.add(v0, v1); // integers: any order of summation is exact
    const sum = <i32>(f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1) + f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    // Rank of each residual: rank[a] = #{b > a: res_a < res_b} + #{b < a: res_a ≤ res_b}.
    const s0 = f32x4.sub(e0, r0), s1 = f32x4.sub(e1, r1);
    v128.store(res, s0);
    v128.store(res, s1, 16);
    let q0 = zeroI, q1 = zeroI;
    for (let b = 0; b <= d; b++) {
      const rb = f32x4.splat(load<f32>(res + (<usize>b << 2)));
      const bV = i32x4.splat(b);
      const before0 = i32x4.lt_s(LANE_LO, bV), before1 = i32x4.lt_s(LANE_HI, bV);
      const after0 = i32x4.gt_s(LANE_LO, bV), after1 = i32x4.gt_s(LANE_HI, bV);
      q0 = i32x4.sub(q0, v128.or(v128.and(f32x4.lt(s0, rb), before0), v128.and(f32x4.le(s0, rb), after0)));
      q1 = i32x4.sub(q1, v128.or(v128.and(f32x4.lt(s1, rb), before1), v128.and(f32x4.le(s1, rb), after1)));
    }
    // Back onto the plane when the rounded coordinates do not sum to zero.
    q0 = i32x4.add(q0, i32x4.splat(sum));
    q1 = i32x4.add(q1, i32x4.splat(sum));
    const adj0 = i32x4.sub(v128.and(i32x4.lt_s(q0, zeroI), d1I), v128.and(i32x4.ge_s(q0, d1I), d1I));
    const adj1 = i32x4.sub(v128.and(i32x4.lt_s(q1, zeroI), d1I), v128.and(i32x4.ge_s(q1, d1I), d1I));
    q0 = v128.and(i32x4.add(q0, adj0), coordLo);
    q1 = v128.and(i32x4.add(q1, adj1), coordHi);
    r0 = f32x4.add(r0, f32x4.convert_i32x4_s(adj0));
    r1 = f32x4.add(r1, f32x4.convert_i32x4_s(adj1));
    // Barycentric weights (Adams et al. p. 10): with v = (el − rem0)/(d+1) indexed by rank,
    // b[p] = v[d−p] − v[d−p+1] and b[0] = v[d] + (1 − v[0]), densecrf's sums in float32.
    v128.store(res, f32x4.mul(f32x4.sub(e0, r0), invD1V));
    v128.store(res, f32x4.mul(f32x4.sub(e1, r1), invD1V), 16);
    v128.store(rk, q0);
    v128.store(rk, q1, 16);
    for (let a = 0; a <= d; a++) store<f32>(byRank + (<usize>load<i32>(rk + (<usize>a << 2)) << 2), load<f32>(res + (<usize>a << 2)));
    const w = weights + (<usize>(k * d1) << 2);
    if (real) {
      store<f32>(w, load<f32>(byRank + (<usize>d << 2)) + (<f32>1 - load<f32>(byRank)));
      for (let p = 1; p <= d; p++) store<f32>(w + (<usize>p << 2), load<f32>(byRank + (<usize>(d - p) << 2)) - load<f32>(byRank + (<usize>(d - p + 1) << 2)));
    }
    // The d+1 corners: key_r = rem0 + r − (d+1)·[rank > d − r], on the first d coordinates.
    const rem = i16x8.narrow_i32x4_s(i32x4.trunc_sat_f32x4_s(r0), i32x4.trunc_sat_f32x4_s(r1));
    const rank = i16x8.narrow_i32x4_s(q0, q1);
    const slot = k - blockStart;
    const sameAsPrevious = k > 0 && i16x8.all_true(i16x8.eq(rem, prevRem)) && i16x8.all_true(i16x8.eq(rank, prevRank));
    store<u8>(blockSame + <usize>slot, sameAsPrevious ? 1 : 0);
    if (!sameAsPrevious) {
      const kb = blockKeys + (<usize>(slot * d1) << 4);
      for (let r = 0; r <= d; r++) {
        const wrap = v128.and(i16x8.gt_s(rank, i16x8.splat(<i16>(d - r))), i16x8.splat(<i16>d1));
        v128.store(kb + (<usize>r << 4), v128.and(i16x8.sub(i16x8.add(rem, i16x8.splat(<i16>r)), wrap), keyLanes));
      }
    }
    prevRem = rem;
    prevRank = rank;
    if (slot == BLOCK - 1 || k == total - 1) {
      insertBlock(blockStart, slot + 1, n, d1, offsets, blockKeys, blockSame);
      blockStart = k + 1;
    }
  }
  const m = vertexCount();
  const nbrBytes = <usize>d1 * m << 3;
  const nbr = alloc(nbrBytes);
  memory.fill(nbr, 0, nbrBytes);
  const deltas = alloc(16 * 8);
  for (let j = 0; j <= d; j++) {
    // The −1 step along axis j: coordinate j + d, every other stored coordinate − 1.
    for (let i = 0; i < 8; i++) store<i16>(deltas + (<usize>j << 4) + (<usize>i << 1), <i16>(i >= d ? 0 : i == j ? d : -1));
  }
  hashNeighbours(d, m, nbr, deltas);
  memory.copy(feat, nbr, nbrBytes);
  lastNeighboursPtr = feat;
  setHeapTop(feat + nbrBytes);
  return m;
}
