import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  affinityDegrees,
  createPackedAdjacency,
  getEdge,
  multiplyAdjacency,
  setEdge,
  isolateNodes,
  l2NormalizeRows,
  secondSmallestNcutEigenvector,
  thresholdGraph,
} from '../../../src/core/pipeline/ncut-eigen';
import { maskCut } from '../../../src/core/pipeline/maskcut';
import { largestTridiagonalEigenpair, tridiagonalEigenvalues } from '../../../src/core/pipeline/tridiagonal';

interface EigenGolden {
  n: number;
  dim: number;
  tau: number;
  eps: number;
  keys: number[];
  eigenvalues: [number, number];
  vector: number[];
}

const FIXTURES = path.resolve(__dirname, '../../fixtures/pipeline');
const goldenFiles = readdirSync(FIXTURES).filter((f) => f.startsWith('eigen_golden_') && f.endsWith('.json'));

function absCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return Math.abs(ab) / Math.sqrt(aa * bb);
}

describe('ncut eigenvector vs scipy.linalg.eigh(D − A, D) goldens', () => {
  it('has goldens to compare with', () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(5);
  });
  for (const file of goldenFiles) {
    it(file, () => {
      const g = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as EigenGolden;
      // Through MaskCut's own first round (a 1×n grid), the eigensolve that ships.
      const solve = maskCut(g.keys, 1, g.n, g.dim, { tau: g.tau, maxMasks: 1, eigen: { eps: g.eps } }).rounds[0];
      const result = { vector: solve.eigenvector, eigenvalue: solve.eigenvalue };
      expect(absCosine(result.vector, g.vector)).toBeGreaterThanOrEqual(0.999);
      expect(result.eigenvalue).toBeCloseTo(g.eigenvalues[0], 6);
      // Same D-normalisation as scipy (yᵀDy = 1): the vectors agree up to sign, entry by entry.
      const sign = Math.sign(result.vector.reduce((s, v, i) => s + v * g.vector[i], 0));
      for (let i = 0; i < g.n; i++) expect(result.vector[i]).toBeCloseTo(sign * g.vector[i], 4);
    });
  }
});

describe('ncut eigenvector conventions', () => {
  const file = goldenFiles.find((f) => f.includes('n100_tau015')) ?? goldenFiles[0];
  const g = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as EigenGolden;
  const unit = l2NormalizeRows(g.keys, g.n, g.dim);
  const b = thresholdGraph(unit, g.n, g.dim, g.tau);

  it('returns yᵀDy = 1 with the largest-magnitude entry positive', () => {
    const { vector } = secondSmallestNcutEigenvector(b);
    const deg = affinityDegrees(b);
    let yDy = 0;
    let arg = 0;
    for (let i = 0; i < g.n; i++) {
      yDy += vector[i] * vector[i] * deg[i];
      if (Math.abs(vector[i]) > Math.abs(vector[arg])) arg = i;
    }
    expect(yDy).toBeCloseTo(1, 8);
    expect(vector[arg]).toBeGreaterThan(0);
  });

  it('is orthogonal to the trivial solution in the D inner product (yᵀD·1 = 0)', () => {
    const { vector } = secondSmallestNcutEigenvector(b);
    const deg = affinityDegrees(b);
    let s = 0;
    for (let i = 0; i < g.n; i++) s += vector[i] * deg[i];
    expect(Math.abs(s)).toBeLessThan(1e-8);
  });

  it('is deterministic and gives the same vector for different start seeds', () => {
    const a = secondSmallestNcutEigenvector(b, { seed: 1 });
    const a2 = secondSmallestNcutEigenvector(b, { seed: 1 });
    const c = secondSmallestNcutEigenvector(b, { seed: 99 });
    expect(Array.from(a2.vector)).toEqual(Array.from(a.vector));
    expect(absCosine(a.vector, c.vector)).toBeGreaterThan(0.999999);
  });

  it('still converges with a small basis (explicit restarts)', () => {
    const r = secondSmallestNcutEigenvector(b, { maxBasis: 8 });
    expect(r.converged).toBe(true);
    expect(absCosine(r.vector, g.vector)).toBeGreaterThanOrEqual(0.999);
  });

  it('isolateNodes equals recomputing the graph from zeroed keys', () => {
    const mask = new Uint8Array(g.n);
    for (let i = 0; i < g.n; i += 7) mask[i] = 1;
    const zeroedKeys = g.keys.slice();
    for (let i = 0; i < g.n; i++) if (mask[i]) zeroedKeys.fill(0, i * g.dim, (i + 1) * g.dim);
    for (const tau of [0.15, -0.1]) {
      const expected = thresholdGraph(l2NormalizeRows(zeroedKeys, g.n, g.dim), g.n, g.dim, tau);
      const patched = thresholdGraph(unit, g.n, g.dim, tau);
      isolateNodes(patched, mask, tau);
      expect(Buffer.from(patched.bits).equals(Buffer.from(expected.bits))).toBe(true);
    }
  });

  it('solves a two-clique graph exactly: y is constant on each clique with opposite signs', () => {
    // Hand-checkable: two disjoint cliques of sizes 3 and 5 (ε links only between them).
    const n = 8;
    const bb = createPackedAdjacency(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) setEdge(bb, i, j, (i < 3) === (j < 3));
    const r = secondSmallestNcutEigenvector(bb);
    const small = Array.from(r.vector.slice(0, 3));
    const large = Array.from(r.vector.slice(3));
    for (const v of small) expect(v).toBeCloseTo(small[0], 10);
    for (const v of large) expect(v).toBeCloseTo(large[0], 10);
    expect(Math.sign(small[0])).toBe(-Math.sign(large[0]));
    // The smaller clique carries the larger magnitude, so the sign rule makes it positive.
    expect(small[0]).toBeGreaterThan(0);
  });
});

describe('packed adjacency', () => {
  it('thresholdGraph equals the pairwise definition (n not a multiple of 4)', () => {
    const n = 23, dim = 5;
    const rows = l2NormalizeRows(Float64Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.3) + (i % 7 === 0 ? 0.5 : 0)), n, dim);
    const adj = thresholdGraph(rows, n, dim, 0.1);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let c = 0; c < dim; c++) s += rows[i * dim + c] * rows[j * dim + c];
        expect(getEdge(adj, i, j)).toBe(s > 0.1 ? 1 : 0);
      }
  });

  it('B·w by byte lookup tables equals the plain double loop', () => {
    const n = 37; // not a multiple of 8: the tail byte must not leak
    const adj = createPackedAdjacency(n);
    let s = 12345;
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const on = ((s >>> 16) & 3) !== 0;
        setEdge(adj, i, j, on);
        setEdge(adj, j, i, on);
      }
    const w = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7) + 0.1 * i);
    const out = new Float64Array(n);
    multiplyAdjacency(adj, w, out);
    for (let i = 0; i < n; i++) {
      let ref = 0;
      for (let j = 0; j < n; j++) ref += getEdge(adj, i, j) * w[j];
      expect(out[i]).toBeCloseTo(ref, 12);
    }
  });
});

describe('tridiagonal helper', () => {
  it('matches the closed form of the 1-2-1 matrix', () => {
    // Eigenvalues of tridiag(-1, 2, -1) of size m are 2 − 2cos(kπ/(m+1)).
    const m = 12;
    const diag = new Float64Array(m).fill(2);
    const off = new Float64Array(m - 1).fill(-1);
    const values = Array.from(tridiagonalEigenvalues(diag, off, m)).sort((x, y) => x - y);
    for (let k = 1; k <= m; k++) expect(values[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (m + 1)), 10);
    const top = largestTridiagonalEigenpair(diag, off, m);
    expect(top.value).toBeCloseTo(2 - 2 * Math.cos((m * Math.PI) / (m + 1)), 10);
    // Eigenvector entries ∝ sin(j·kπ/(m+1)) for k = m.
    const ref = Array.from({ length: m }, (_, j) => Math.sin(((j + 1) * m * Math.PI) / (m + 1)));
    expect(absCosine(top.vector, ref)).toBeGreaterThan(1 - 1e-10);
  });
});
