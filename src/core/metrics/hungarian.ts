// Linear sum assignment (Kuhn-Munkres with potentials, O(n^2 m)) for rectangular cost matrices.
// Method §7: the one-to-one Hungarian match of clusters to classes (STEGO, scipy's linear_sum_assignment).

/** Pairs (rowIndices[i], colIndices[i]) sorted by row, min(nRows, nCols) of them, as scipy returns. */
export interface Assignment {
  rowIndices: Int32Array;
  colIndices: Int32Array;
  /** Sum of the original (not negated) matrix entries over the chosen pairs. */
  total: number;
}

/**
 * Solve min (or max) sum of cost[r][c] over a matching that covers every row when nRows <= nCols
 * (every column otherwise). costRowMajor[r * nCols + c]; entries must be finite.
 */
export function linearSumAssignment(
  costRowMajor: ArrayLike<number>,
  nRows: number,
  nCols: number,
  maximize = false,
): Assignment {
  if (costRowMajor.length !== nRows * nCols) {
    throw new Error(`cost matrix has ${costRowMajor.length} entries, expected ${nRows}x${nCols}`);
  }
  for (let i = 0; i < costRowMajor.length; i++) {
    if (!Number.isFinite(costRowMajor[i])) throw new Error(`cost matrix entry ${i} is not finite`);
  }
  const transpose = nRows > nCols;
  const n = transpose ? nCols : nRows;
  const m = transpose ? nRows : nCols;
  const sign = maximize ? -1 : 1;
  // The solver needs rows <= columns; maximising is minimising the negated matrix.
  const cost = new Float64Array(n * m);
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      const v = sign * costRowMajor[r * nCols + c];
      if (transpose) cost[c * m + r] = v;
      else cost[r * m + c] = v;
    }
  }
  const colToRow = solveRowsLeqCols(cost, n, m);
  const pairs: [number, number][] = [];
  for (let c = 0; c < m; c++) {
    const r = colToRow[c];
    if (r < 0) continue;
    pairs.push(transpose ? [c, r] : [r, c]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const rowIndices = Int32Array.from(pairs, (p) => p[0]);
  const colIndices = Int32Array.from(pairs, (p) => p[1]);
  let total = 0;
  for (const [r, c] of pairs) total += costRowMajor[r * nCols + c];
  return { rowIndices, colIndices, total };
}

/**
 * Shortest-augmenting-path Hungarian method with row/column potentials (u, v): each row is added
 * in turn and an augmenting path of minimum reduced cost is grown Dijkstra-style, so every row
 * costs O(n m). Returns, per column, its row or -1. Requires n <= m.
 */
function solveRowsLeqCols(cost: Float64Array, n: number, m: number): Int32Array {
  // 1-based rows and columns; column 0 is the virtual start of each augmenting path.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOfCol = new Int32Array(m + 1);
  const prevCol = new Int32Array(m + 1);
  const minReduced = new Float64Array(m + 1);
  const visited = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOfCol[0] = i;
    let col0 = 0;
    minReduced.fill(Infinity);
    visited.fill(0);
    do {
      visited[col0] = 1;
      const row0 = rowOfCol[col0];
      let delta = Infinity;
      let col1 = -1;
      for (let j = 1; j <= m; j++) {
        if (visited[j]) continue;
        const reduced = cost[(row0 - 1) * m + (j - 1)] - u[row0] - v[j];
        if (reduced < minReduced[j]) {
          minReduced[j] = reduced;
          prevCol[j] = col0;
        }
        if (minReduced[j] < delta) {
          delta = minReduced[j];
          col1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (visited[j]) {
          u[rowOfCol[j]] += delta;
          v[j] -= delta;
        } else {
          minReduced[j] -= delta;
        }
      }
      col0 = col1;
    } while (rowOfCol[col0] !== 0);
    // Flip the augmenting path back to its start.
    do {
      const col1 = prevCol[col0];
      rowOfCol[col0] = rowOfCol[col1];
      col0 = col1;
    } while (col0 !== 0);
  }
  const colToRow = new Int32Array(m).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOfCol[j] > 0) colToRow[j - 1] = rowOfCol[j] - 1;
  return colToRow;
}
