import { describe, expect, it } from 'vitest';
import { assignToCentroids, kMeans, sampleDistinct, sphericalKMeans } from '../../../src/core/pipeline/kmeans';
import { gaussian, mulberry32 } from '../../../src/core/random';

/** Blobs around known centres; returns points and the true label of each. */
function blobs(centres: number[][], perBlob: number, spread: number, seed: number) {
  const normal = gaussian(mulberry32(seed));
  const dim = centres[0].length;
  const points = new Float32Array(centres.length * perBlob * dim);
  const labels: number[] = [];
  centres.forEach((c, b) => {
    for (let p = 0; p < perBlob; p++) {
      const i = b * perBlob + p;
      for (let j = 0; j < dim; j++) points[i * dim + j] = c[j] + spread * normal();
      labels.push(b);
    }
  });
  return { points, labels, n: labels.length, dim };
}

/** Rand-index style check: same true label ⇔ same cluster. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) if ((a[i] === a[j]) !== (b[i] === b[j])) return false;
  return true;
}

const CENTRES = [[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]];

describe('Euclidean k-means', () => {
  const { points, labels, n, dim } = blobs(CENTRES, 25, 0.5, 1);

  it('is deterministic for a fixed seed', () => {
    const a = kMeans(points, n, dim, { k: 4, seed: 7 });
    const b = kMeans(points, n, dim, { k: 4, seed: 7 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(Array.from(a.centroidsRowMajor)).toEqual(Array.from(b.centroidsRowMajor));
  });

  it('recovers well-separated blobs and their centres', () => {
    // Random-sample init can put two seeds in one blob; some seed among a few must succeed,
    // and the successful one must match the truth exactly.
    const runs = [1, 2, 3, 4, 5].map((seed) => kMeans(points, n, dim, { k: 4, seed }));
    const best = runs.reduce((a, b) => (b.inertia < a.inertia ? b : a));
    expect(samePartition(best.assignments, labels)).toBe(true);
    for (const c of CENTRES) {
      const dist = Math.min(...[0, 1, 2, 3].map((k) => Math.hypot(...c.map((v, j) => v - best.centroidsRowMajor[k * dim + j]))));
      expect(dist).toBeLessThan(0.4);
    }
  });

  it('converges with every point at its nearest centroid and non-increasing inertia', () => {
    const noisy = blobs(CENTRES, 30, 4, 2);
    const r = kMeans(noisy.points, noisy.n, noisy.dim, { k: 5, seed: 3 });
    expect(r.converged).toBe(true);
    for (let i = 1; i < r.inertiaHistory.length; i++) expect(r.inertiaHistory[i]).toBeLessThanOrEqual(r.inertiaHistory[i - 1] + 1e-9);
    let inertia = 0;
    for (let i = 0; i < noisy.n; i++) {
      const d = [0, 1, 2, 3, 4].map((k) => {
        let s = 0;
        for (let j = 0; j < noisy.dim; j++) s += (noisy.points[i * noisy.dim + j] - r.centroidsRowMajor[k * noisy.dim + j]) ** 2;
        return s;
      });
      expect(d[r.assignments[i]]).toBeLessThanOrEqual(Math.min(...d) + 1e-6);
      inertia += d[r.assignments[i]];
    }
    expect(r.inertia).toBeCloseTo(inertia, 2);
    // Every centroid is the mean of its points at convergence.
    for (let k = 0; k < 5; k++) {
      const members = Array.from(r.assignments).map((a, i) => (a === k ? i : -1)).filter((i) => i >= 0);
      expect(members.length).toBeGreaterThan(0);
      const mean = members.reduce((s, i) => s + noisy.points[i * noisy.dim], 0) / members.length;
      expect(r.centroidsRowMajor[k * noisy.dim]).toBeCloseTo(mean, 4);
    }
  });

  it('handles K > n (one cluster per point) and K = n', () => {
    const pts = new Float32Array([0, 0, 1, 1, 5, 5]);
    const r = kMeans(pts, 3, 2, { k: 10, seed: 1 });
    expect(r.k).toBe(3);
    expect(new Set(r.assignments).size).toBe(3);
    expect(r.inertia).toBeCloseTo(0, 10);
  });

  it('re-seeds empty clusters instead of leaving them empty', () => {
    // Duplicated points: any init with two seeds on identical points makes one cluster empty.
    const pts = new Float32Array([0, 0, 0, 0, 0, 0, 0, 0, 9, 9, 9.5, 9.5]);
    for (let seed = 0; seed < 20; seed++) {
      const r = kMeans(pts, 6, 2, { k: 3, seed });
      for (let i = 1; i < r.inertiaHistory.length; i++) expect(r.inertiaHistory[i]).toBeLessThanOrEqual(r.inertiaHistory[i - 1] + 1e-9);
      // Three distinct locations and K = 3: the re-seeded solution puts one centroid on each.
      expect(r.inertia).toBeCloseTo(0, 10);
      expect(new Set(r.assignments).size).toBe(3);
    }
  });

  it('samples distinct init indices', () => {
    const s = sampleDistinct(50, 50, 9);
    expect(new Set(s).size).toBe(50);
  });
});

describe('spherical k-means', () => {
  it('clusters by direction regardless of scale, with unit centroids', () => {
    const dirs = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const { points, labels, n, dim } = blobs(dirs, 20, 0.05, 4);
    const normal = mulberry32(5);
    for (let i = 0; i < n; i++) {
      const s = 0.1 + 10 * normal(); // arbitrary positive scale per point
      for (let j = 0; j < dim; j++) points[i * dim + j] *= s;
    }
    const r = sphericalKMeans(points, n, dim, { k: 3, seed: 2 });
    const runs = [r, ...[3, 4, 5].map((seed) => sphericalKMeans(points, n, dim, { k: 3, seed }))];
    const best = runs.reduce((a, b) => (b.inertia < a.inertia ? b : a));
    expect(samePartition(best.assignments, labels)).toBe(true);
    for (let k = 0; k < 3; k++) {
      const c = best.centroidsRowMajor.slice(k * 3, k * 3 + 3);
      expect(Math.hypot(...c)).toBeCloseTo(1, 5);
    }
    for (let i = 1; i < r.inertiaHistory.length; i++) expect(r.inertiaHistory[i]).toBeLessThanOrEqual(r.inertiaHistory[i - 1] + 1e-9);
    expect(Array.from(assignToCentroids(points, n, dim, best.centroidsRowMajor, 3, 'cosine'))).toEqual(Array.from(best.assignments));
  });

  it('is deterministic for a fixed seed', () => {
    const { points, n, dim } = blobs([[1, 2, 0], [0, 1, 3]], 15, 0.5, 8);
    const a = sphericalKMeans(points, n, dim, { k: 4, seed: 11 });
    const b = sphericalKMeans(points, n, dim, { k: 4, seed: 11 });
    expect(Array.from(a.centroidsRowMajor)).toEqual(Array.from(b.centroidsRowMajor));
  });
});

describe('the assignment pass (2×4 blocked dot products)', () => {
  /** The nearest centroid by plain loops: dot products summed coordinate by coordinate, ties to the lower index. */
  function bruteForce(points: Float64Array, n: number, dim: number, cen: Float64Array, k: number, metric: 'euclidean' | 'cosine'): number[] {
    const dot = (a: Float64Array, ao: number, b: Float64Array, bo: number) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += a[ao + j] * b[bo + j];
      return s;
    };
    return Array.from({ length: n }, (_, i) => {
      let best = -1, bestCost = Infinity;
      for (let c = 0; c < k; c++) {
        const d = dot(points, i * dim, cen, c * dim);
        const v = metric === 'euclidean' ? Math.max(dot(points, i * dim, points, i * dim) - 2 * d + dot(cen, c * dim, cen, c * dim), 0) : 1 - d;
        if (v < bestCost) {
          bestCost = v;
          best = c;
        }
      }
      return best;
    });
  }

  it('equals the plain loops exactly, with n and K not multiples of 4 and tied centroids', () => {
    const normal = gaussian(mulberry32(9));
    const n = 203, dim = 37, k = 11;
    const points = Float64Array.from({ length: n * dim }, () => normal());
    const cen = Float64Array.from({ length: k * dim }, () => normal());
    cen.copyWithin(5 * dim, 2 * dim, 3 * dim); // centroid 5 = centroid 2: ties go to 2
    const euclid = Array.from(assignToCentroids(points, n, dim, cen, k, 'euclidean'));
    expect(euclid).toEqual(bruteForce(points, n, dim, cen, k, 'euclidean'));
    expect(euclid).not.toContain(5);
    const unit = (a: Float64Array, rows: number) => {
      for (let r = 0; r < rows; r++) {
        let sq = 0;
        for (let j = 0; j < dim; j++) sq += a[r * dim + j] * a[r * dim + j];
        const norm = Math.sqrt(sq);
        for (let j = 0; j < dim; j++) a[r * dim + j] /= norm;
      }
      return a;
    };
    expect(Array.from(assignToCentroids(points, n, dim, cen, k, 'cosine'))).toEqual(bruteForce(unit(points.slice(), n), n, dim, unit(cen.slice(), k), k, 'cosine'));
  });
});
