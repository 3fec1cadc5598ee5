// `npm run bench -- kmeans [--n 12000] [--dim 768] [--k 27]`: the k-means assignment pass
// (method.md §3–§4: nearest centroid of every point, the inner loop of kmeans.ts), old and new in
// one run: the old per-pair dot product loop (kept here as it was) against the 2×4 blocked
// kernel of src/core/pipeline/kmeans.ts. Both sum each dot product in the same order, so their
// assignments must be identical; the table says whether they were.
import { nearestCentroids } from '../src/core/pipeline/kmeans';
import { gaussian, mulberry32 } from '../src/core/random';
import { parseArgs, intFlag } from '../src/cli/args';
import { median, type Row } from './table';

/** The assignment pass before blocking (euclidean), for comparison. */
function oldAssign(x: Float64Array, n: number, dim: number, cen: Float64Array, k: number): Int32Array {
  const dot = (a: Float64Array, ao: number, b: Float64Array, bo: number) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += a[ao + j] * b[bo + j];
    return s;
  };
  const cNorm2 = new Float64Array(k);
  for (let c = 0; c < k; c++) cNorm2[c] = dot(cen, c * dim, cen, c * dim);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const xNorm2 = dot(x, i * dim, x, i * dim);
    let best = -1, bestCost = Infinity;
    for (let c = 0; c < k; c++) {
      const v = Math.max(xNorm2 - 2 * dot(x, i * dim, cen, c * dim) + cNorm2[c], 0);
      if (v < bestCost) {
        bestCost = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

export async function benchKmeans(args: string[]): Promise<Row[]> {
  const { flags } = parseArgs(args);
  const cases = [
    { name: 'stuff clusters (40 photos × 300 tokens)', n: intFlag(flags, 'n', 1) ?? 12000, dim: intFlag(flags, 'dim', 1) ?? 768, k: intFlag(flags, 'k', 1) ?? 27 },
    { name: 'thing clusters (instances)', n: 120, dim: 768, k: 11 },
  ];
  const rows: Row[] = [];
  for (const cs of cases) {
    const normal = gaussian(mulberry32(1));
    const x = Float64Array.from({ length: cs.n * cs.dim }, () => normal());
    const cen = Float64Array.from({ length: cs.k * cs.dim }, () => normal());
    const flops = 2 * cs.n * cs.k * cs.dim;
    const times = { old: [] as number[], new: [] as number[] };
    let same = true;
    const reps = Math.max(3, Math.min(20, Math.round(2e9 / flops)));
    for (let r = 0; r < reps; r++) {
      let t0 = performance.now();
      const a = oldAssign(x, cs.n, cs.dim, cen, cs.k);
      times.old.push(performance.now() - t0);
      t0 = performance.now();
      const b = nearestCentroids(x, cs.n, cs.dim, cen, cs.k);
      times.new.push(performance.now() - t0);
      same &&= a.every((v, i) => v === b[i]);
    }
    for (const path of ['old', 'new'] as const) {
      const ms = median(times[path]);
      rows.push({
        case: `${cs.name}: n ${cs.n}, dim ${cs.dim}, K ${cs.k}`, path: path === 'old' ? 'old: per-pair loops' : 'new: 2×4 blocked',
        'median ms/pass': ms, 'GFLOP/s': flops / ms / 1e6, 'time ÷ new': ms / median(times.new), 'assignments identical': String(same),
      });
    }
  }
  return rows;
}
