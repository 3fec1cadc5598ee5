// Hash table of permutohedral lattice vertices for the dense CRF (method.md §2 step 7, §4):
// integer keys of up to 6 int16 coordinates → vertex index in order of first insertion.
//
// A key travels as an i16x8 vector (coordinates in lanes 0..d−1, other lanes 0), packed as
// u64 (lanes 0–3) and u32 (lanes 4–5). Slots are 16 bytes: lo u64, hi u32, index + 1 (0 = empty).
// Linear probing in a power-of-two table kept at most half full. In front of it, a small
// direct-mapped cache of recent keys, since neighbouring pixels mostly share simplex corners.
import { alloc, allocZeroed } from './memory';

const RECENT_SLOTS: u32 = 16384;

let table: usize = 0;
let tableMask: u32 = 0;
let recent: usize = 0;
let count: i32 = 0;
/** 16 bytes per vertex: its key vector, in index order. */
let keys: usize = 0;

export function vertexCount(): i32 {
  return count;
}

export function vertexKeys(): usize {
  return keys;
}

/** Fresh table for at most `maxVertices` vertices, starting from `initialSlots` slots. */
export function resetTable(initialSlots: u32, maxVertices: i32): void {
  let capacity: u32 = 1024;
  while (capacity < initialSlots) capacity <<= 1;
  table = allocZeroed(<usize>capacity << 4);
  tableMask = capacity - 1;
  recent = allocZeroed(<usize>RECENT_SLOTS << 4);
  keys = alloc(<usize>maxVertices << 4);
  count = 0;
}

@inline function hashKey(lo: u64, hi: u32): u32 {
  let h: u64 = (lo * 0x9e3779b97f4a7c15) ^ (<u64>hi * 0xc2b2ae3d27d4eb4f);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9;
  h ^= h >> 32;
  return <u32>h;
}

function grow(): void {
  const capacity = (tableMask + 1) << 1;
  table = allocZeroed(<usize>capacity << 4);
  tableMask = capacity - 1;
  for (let e = 0; e < count; e++) {
    const k = keys + (<usize>e << 4);
    const lo = load<u64>(k);
    const hi = load<u32>(k, 8);
    let slot = hashKey(lo, hi) & tableMask;
    while (load<i32>(table + (<usize>slot << 4), 12) != 0) slot = (slot + 1) & tableMask;
    const p = table + (<usize>slot << 4);
    store<u64>(p, lo);
    store<u32>(p, hi, 8);
    store<i32>(p, e + 1, 12);
  }
}

@inline function probe(lo: u64, hi: u32, h: u32, create: bool): i32 {
  let slot = h & tableMask;
  for (;;) {
    const p = table + (<usize>slot << 4);
    const idx = load<i32>(p, 12);
    if (idx == 0) break;
    if (load<u64>(p) == lo && load<u32>(p, 8) == hi) return idx - 1;
    slot = (slot + 1) & tableMask;
  }
  if (!create) return -1;
  const e = count++;
  const k = keys + (<usize>e << 4);
  store<u64>(k, lo);
  store<u64>(k, <u64>hi, 8);
  const p = table + (<usize>slot << 4);
  store<u64>(p, lo);
  store<u32>(p, hi, 8);
  store<i32>(p, e + 1, 12);
  if (<u32>count * 2 >= tableMask + 1) grow();
  return e;
}

let sink: i32 = 0;

/**
 * Touches the key's table slot (or recent-cache slot) without using it. Lattice look-ups miss the
 * caches; touching a batch of slots before probing them lets the misses overlap.
 */
@inline export function touchKey(key: v128, viaRecent: bool): void {
  const lo = i64x2.extract_lane(key, 0);
  const hi = <u32>i32x4.extract_lane(key, 2);
  const h = hashKey(lo, hi);
  if (viaRecent) {
    const c = recent + (<usize>(h & (RECENT_SLOTS - 1)) << 4);
    if (load<i32>(c, 12) != 0 && load<u64>(c) == lo && load<u32>(c, 8) == hi) return;
  }
  sink ^= load<i32>(table + (<usize>(h & tableMask) << 4), 12);
}

/** Index of the key (inserted when absent, or −1 when absent and !create), through the recent cache. */
@inline export function findKey(key: v128, create: bool): i32 {
  if (!create) {
    const lo = i64x2.extract_lane(key, 0);
    const hi = <u32>i32x4.extract_lane(key, 2);
    return probe(lo, hi, hashKey(lo, hi), false);
  }
  const lo = i64x2.extract_lane(key, 0);
  const hi = <u32>i32x4.extract_lane(key, 2);
  const h = hashKey(lo, hi);
  const c = recent + (<usize>(h & (RECENT_SLOTS - 1)) << 4);
  const cached = load<i32>(c, 12);
  if (cached != 0 && load<u64>(c) == lo && load<u32>(c, 8) == hi) return cached - 1;
  const e = probe(lo, hi, h, create);
  if (e >= 0) {
    store<u64>(c, lo);
    store<u32>(c, hi, 8);
    store<i32>(c, e + 1, 12);
  }
  return e;
}
