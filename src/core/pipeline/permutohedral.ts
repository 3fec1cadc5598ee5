// Permutohedral lattice (Adams, Baek, Davis 2010) for fast high-dimensional Gaussian filtering,
// in the variant Krähenbühl & Koltun's dense CRF uses. Supports method.md §2 step 7 (dense CRF).
//
// Each point's d-dimensional feature (already divided by the kernel's standard deviations) is
// lifted onto the (d+1)-lattice, splatted to the d+1 vertices of its simplex with barycentric
// weights, blurred with a [1/2, 1, 1/2] stencil along each of the d+1 lattice axes, and sliced
// back. The result approximates Σ_j exp(−|f_i − f_j|²/2)·v_j, self-term included, as densecrf does.

/** Open-addressing hash of integer lattice keys (d coordinates; the last is implied). */
class LatticeHash {
  private capacity: number;
  private table: Int32Array; // slot → entry index, −1 when empty
  keys: Int32Array; // entry-major, d per entry
  size = 0;

  constructor(private readonly d: number, expected: number) {
    this.capacity = 1 << Math.ceil(Math.log2(Math.max(16, expected * 2)));
    this.table = new Int32Array(this.capacity).fill(-1);
    this.keys = new Int32Array(Math.max(16, expected) * d);
  }

  private hash(key: Int32Array, off: number): number {
    let h = 0;
    for (let i = 0; i < this.d; i++) h = (Math.imul(h, 2531011) + key[off + i]) | 0;
    return (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0) & (this.capacity - 1);
  }

  private equals(slotEntry: number, key: Int32Array, off: number): boolean {
    const base = slotEntry * this.d;
    for (let i = 0; i < this.d; i++) if (this.keys[base + i] !== key[off + i]) return false;
    return true;
  }

  /** Entry index of `key` (d ints at key[off..]); inserts it when `create`, else −1 when absent. */
  find(key: Int32Array, off: number, create: boolean): number {
    if (create && this.size * 2 >= this.capacity) this.grow();
    let slot = this.hash(key, off);
    for (;;) {
      const entry = this.table[slot];
      if (entry === -1) break;
      if (this.equals(entry, key, off)) return entry;
      slot = (slot + 1) & (this.capacity - 1);
    }
    if (!create) return -1;
    if ((this.size + 1) * this.d > this.keys.length) {
      const keys = new Int32Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
    }
    for (let i = 0; i < this.d; i++) this.keys[this.size * this.d + i] = key[off + i];
    this.table[slot] = this.size;
    return this.size++;
  }

  private grow(): void {
    this.capacity *= 2;
    this.table = new Int32Array(this.capacity).fill(-1);
    for (let e = 0; e < this.size; e++) {
      let slot = this.hash(this.keys, e * this.d);
      while (this.table[slot] !== -1) slot = (slot + 1) & (this.capacity - 1);
      this.table[slot] = e;
    }
  }
}

export class PermutohedralLattice {
  readonly numPoints: number;
  readonly dim: number;
  /** Lattice vertex (entry index) of each point's d+1 simplex corners, point-major. */
  private readonly offsets: Int32Array;
  private readonly weights: Float32Array;
  /** Blur neighbours per axis: [axis·M + vertex] → entry index or −1. */
  private readonly neighbourMinus: Int32Array;
  private readonly neighbourPlus: Int32Array;
  readonly numVertices: number;

  /** features: [numPoints, dim] row-major, each coordinate already scaled by 1/σ. */
  constructor(features: Float32Array, numPoints: number, dim: number) {
    this.numPoints = numPoints;
    this.dim = dim;
    const d = dim, d1 = dim + 1;
    this.offsets = new Int32Array(numPoints * d1);
    this.weights = new Float32Array(numPoints * d1);
    const hash = new LatticeHash(d, numPoints); // grows on demand; most images need far fewer than N·(d+1) vertices
    const embed = new Embedder(d);
    const key = new Int32Array(d);
    // densecrf's SSE loop embeds points four at a time and, when numPoints is not a multiple of
    // 4, also inserts the corners of the all-zero padding points: vertices that join the blur.
    const padded = numPoints + ((4 - (numPoints % 4)) % 4);
    const zero = new Float32Array(d);
    for (let k = 0; k < padded; k++) {
      const real = k < numPoints;
      embed.locate(real ? features : zero, real ? k * d : 0);
      for (let r = 0; r <= d; r++) {
        for (let i = 0; i < d; i++) key[i] = embed.rem0[i] + embed.canonical[r * d1 + embed.rank[i]];
        const vertex = hash.find(key, 0, true);
        if (!real) continue;
        this.offsets[k * d1 + r] = vertex;
        this.weights[k * d1 + r] = embed.barycentric[r];
      }
    }
    const m = hash.size;
    this.numVertices = m;
    this.neighbourMinus = new Int32Array(d1 * m);
    this.neighbourPlus = new Int32Array(d1 * m);
    const n1 = new Int32Array(d1), n2 = new Int32Array(d1);
    for (let v = 0; v < m; v++) {
      for (let axis = 0; axis <= d; axis++) {
        // Stepping along lattice axis `axis` moves that coordinate by ±d and all others by ∓1.
        for (let i = 0; i < d; i++) {
          n1[i] = hash.keys[v * d + i] - 1;
          n2[i] = hash.keys[v * d + i] + 1;
        }
        if (axis < d) {
          n1[axis] = hash.keys[v * d + axis] + d;
          n2[axis] = hash.keys[v * d + axis] - d;
        }
        this.neighbourMinus[axis * m + v] = hash.find(n1, 0, false);
        this.neighbourPlus[axis * m + v] = hash.find(n2, 0, false);
      }
    }
  }

  /** Gaussian-filters `values` ([numPoints, channels] row-major); returns a new array. */
  filter(values: Float32Array, channels: number): Float32Array {
    const d1 = this.dim + 1, m = this.numVertices, c = channels;
    // Slot 0 is a permanent zero standing in for absent neighbours; vertex v lives at slot v + 1.
    let cur = new Float32Array((m + 1) * c);
    let next = new Float32Array((m + 1) * c);
    for (let k = 0; k < this.numPoints; k++) {
      for (let r = 0; r < d1; r++) {
        const o = (this.offsets[k * d1 + r] + 1) * c, w = this.weights[k * d1 + r];
        for (let ch = 0; ch < c; ch++) cur[o + ch] += w * values[k * c + ch];
      }
    }
    for (let axis = 0; axis < d1; axis++) {
      for (let v = 0; v < m; v++) {
        const o = (v + 1) * c;
        const a = (this.neighbourMinus[axis * m + v] + 1) * c;
        const b = (this.neighbourPlus[axis * m + v] + 1) * c;
        for (let ch = 0; ch < c; ch++) next[o + ch] = cur[o + ch] + 0.5 * (cur[a + ch] + cur[b + ch]);
      }
      const t = cur;
      cur = next;
      next = t;
    }
    // densecrf's normalising constant for the [1/2, 1, 1/2] blur in d dimensions.
    const alpha = 1 / (1 + Math.pow(2, -this.dim));
    const out = new Float32Array(this.numPoints * c);
    for (let k = 0; k < this.numPoints; k++) {
      for (let r = 0; r < d1; r++) {
        const o = (this.offsets[k * d1 + r] + 1) * c, w = this.weights[k * d1 + r] * alpha;
        for (let ch = 0; ch < c; ch++) out[k * c + ch] += w * cur[o + ch];
      }
    }
    return out;
  }
}

/** Finds the enclosing simplex of one feature vector: the lattice "magic" of Adams et al. §3. */
class Embedder {
  readonly rem0: Int32Array;
  readonly rank: Int32Array;
  readonly barycentric: Float64Array;
  /** canonical[r·(d+1) + i]: coordinate i of the r-th vertex of the canonical simplex. */
  readonly canonical: Int32Array;
  private readonly elevated: Float64Array;
  private readonly scale: Float64Array;

  constructor(private readonly d: number) {
    const d1 = d + 1;
    this.rem0 = new Int32Array(d1);
    this.rank = new Int32Array(d1);
    this.barycentric = new Float64Array(d + 2);
    this.elevated = new Float64Array(d1);
    this.canonical = new Int32Array(d1 * d1);
    for (let r = 0; r <= d; r++) {
      for (let i = 0; i <= d - r; i++) this.canonical[r * d1 + i] = r;
      for (let i = d - r + 1; i <= d; i++) this.canonical[r * d1 + i] = r - d1;
    }
    // Scaling so that the lattice blur matches a unit-variance Gaussian (Adams et al. p. 6).
    const invStd = Math.sqrt(2 / 3) * d1;
    this.scale = Float64Array.from({ length: d }, (_, i) => invStd / Math.sqrt((i + 1) * (i + 2)));
  }

  locate(features: Float32Array, off: number): void {
    const d = this.d, d1 = d + 1, el = this.elevated;
    let sum = 0;
    for (let j = d; j > 0; j--) {
      const cf = features[off + j - 1] * this.scale[j - 1];
      el[j] = sum - j * cf;
      sum += cf;
    }
    el[0] = sum;
    // Nearest remainder-0 lattice point, coordinate by coordinate.
    let coordSum = 0;
    for (let i = 0; i <= d; i++) {
      const v = el[i] / d1;
      const up = Math.ceil(v) * d1, down = Math.floor(v) * d1;
      this.rem0[i] = up - el[i] < el[i] - down ? up : down;
      coordSum += this.rem0[i] / d1;
    }
    // Rank of each coordinate's residual gives the simplex (ties broken by index).
    this.rank.fill(0);
    for (let i = 0; i < d; i++) {
      const di = el[i] - this.rem0[i];
      for (let j = i + 1; j <= d; j++) {
        if (di < el[j] - this.rem0[j]) this.rank[i]++;
        else this.rank[j]++;
      }
    }
    // Bring the point back onto the hyperplane of coordinates summing to zero.
    for (let i = 0; i <= d; i++) {
      this.rank[i] += coordSum;
      if (this.rank[i] < 0) {
        this.rank[i] += d1;
        this.rem0[i] += d1;
      } else if (this.rank[i] > d) {
        this.rank[i] -= d1;
        this.rem0[i] -= d1;
      }
    }
    const b = this.barycentric;
    b.fill(0);
    for (let i = 0; i <= d; i++) {
      const v = (el[i] - this.rem0[i]) / d1;
      b[d - this.rank[i]] += v;
      b[d - this.rank[i] + 1] -= v;
    }
    b[0] += 1 + b[d + 1];
  }
}
