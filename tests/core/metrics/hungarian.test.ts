// Linear sum assignment checked against exhaustive search over all assignments of small matrices.
import { describe, expect, it } from 'vitest';
import { linearSumAssignment } from '../../../src/core/metrics/hungarian';
import { mulberry32 } from '../../../src/core/random';

/** Best total over every injective map of the smaller side into the larger (plain recursion). */
function bruteForce(cost: number[], nRows: number, nCols: number, maximize: boolean): number {
  const better = (a: number, b: number) => (maximize ? a > b : a < b);
  const transpose = nRows > nCols;
  const n = transpose ? nCols : nRows;
  const m = transpose ? nRows : nCols;
  const at = (i: number, j: number) => (transpose ? cost[j * nCols + i] : cost[i * nCols + j]);
  let best = maximize ? -Infinity : Infinity;
  const used = new Array<boolean>(m).fill(false);
  const go = (i: number, acc: number) => {
    if (i === n) {
      if (better(acc, best)) best = acc;
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      go(i + 1, acc + at(i, j));
      used[j] = false;
    }
  };
  go(0, 0);
  return best;
}

function checkValid(rows: Int32Array, cols: Int32Array, nRows: number, nCols: number): void {
  expect(rows.length).toBe(Math.min(nRows, nCols));
  expect(new Set(rows).size).toBe(rows.length);
  expect(new Set(cols).size).toBe(cols.length);
  for (let i = 1; i < rows.length; i++) expect(rows[i]).toBeGreaterThan(rows[i - 1]);
  for (const r of rows) expect(r).toBeLessThan(nRows);
  for (const c of cols) expect(c).toBeLessThan(nCols);
}

describe('linearSumAssignment', () => {
  it('a hand-solved 3×3', () => {
    // cost rows [4 1 3] [2 5 6] [3 3 2]; the six permutations (column of row 0, 1, 2):
    //   012: 4+5+2 = 11, 021: 4+6+3 = 13, 102: 1+2+2 = 5, 120: 1+6+3 = 10, 201: 3+2+3 = 8, 210: 3+5+3 = 11.
    // Minimum 5 at 102, maximum 13 at 021.
    const cost = [4, 1, 3, 2, 5, 6, 3, 3, 2];
    const a = linearSumAssignment(cost, 3, 3);
    expect(Array.from(a.rowIndices)).toEqual([0, 1, 2]);
    expect(Array.from(a.colIndices)).toEqual([1, 0, 2]);
    expect(a.total).toBe(5);
    const b = linearSumAssignment(cost, 3, 3, true);
    expect(Array.from(b.colIndices)).toEqual([0, 2, 1]);
    expect(b.total).toBe(13);
  });

  it('rectangular: more rows than columns leaves rows out', () => {
    // 3 rows × 2 cols, maximise: col0 best row 2 (9), col1 best row 0 (8) → 17.
    const a = linearSumAssignment([1, 8, 2, 7, 9, 1], 3, 2, true);
    expect(Array.from(a.rowIndices)).toEqual([0, 2]);
    expect(Array.from(a.colIndices)).toEqual([1, 0]);
    expect(a.total).toBe(17);
  });

  it('empty and degenerate shapes', () => {
    expect(linearSumAssignment([], 0, 3).rowIndices.length).toBe(0);
    expect(Array.from(linearSumAssignment([5, 2, 7], 1, 3).colIndices)).toEqual([1]);
    expect(() => linearSumAssignment([1, NaN], 1, 2)).toThrow(/not finite/);
  });

  it('matches brute force on 300 random matrices up to 6×6 (reals, integers with ties, min and max)', () => {
    const rng = mulberry32(7);
    for (let trial = 0; trial < 300; trial++) {
      const nRows = 1 + Math.floor(rng() * 6);
      const nCols = 1 + Math.floor(rng() * 6);
      const integer = trial % 2 === 0;
      const cost = Array.from({ length: nRows * nCols }, () =>
        integer ? Math.floor(rng() * 4) : (rng() - 0.3) * 100,
      );
      const maximize = trial % 3 === 0;
      const a = linearSumAssignment(cost, nRows, nCols, maximize);
      checkValid(a.rowIndices, a.colIndices, nRows, nCols);
      let total = 0;
      a.rowIndices.forEach((r, i) => (total += cost[r * nCols + a.colIndices[i]]));
      expect(total).toBeCloseTo(a.total, 9);
      expect(a.total).toBeCloseTo(bruteForce(cost, nRows, nCols, maximize), 9);
    }
  });

  it('handles a 300×27 vote matrix quickly', () => {
    const rng = mulberry32(3);
    const cost = Array.from({ length: 300 * 27 }, () => Math.floor(rng() * 1000));
    const t0 = performance.now();
    const a = linearSumAssignment(cost, 300, 27, true);
    expect(performance.now() - t0).toBeLessThan(2000);
    checkValid(a.rowIndices, a.colIndices, 300, 27);
  });
});
