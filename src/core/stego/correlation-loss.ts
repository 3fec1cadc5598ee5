// STEGO's contrastive correlation loss (method.md §4) for one kind of image pair over a batch:
// −Σ max(cos(code_a, code_b), 0)·(fcorr(a, b) − shift), and its gradient on the raw codes.
//
// fcorr is the cosine of the two points' features, centred "pointwise" as STEGO does: each row
// (a point of the first image) loses its mean over the second image's points, then the batch's
// overall mean is added back, so only how much more a point resembles this point than the other
// points of that image counts. The loss is a mean over the batch and all point pairs.

export interface PairBatch {
  /** Unit feature rows [rows, featDim] and raw code rows [rows, codeDim] of every point in the step. */
  features: Float64Array;
  codes: Float64Array;
  featDim: number;
  codeDim: number;
  /** Points per image in a pair. */
  points: number;
  /** For pair i, the first row of its first image's points and of its second image's. */
  firstRows: Int32Array;
  secondRows: Int32Array;
}

export interface PairLoss {
  loss: number;
  /** Mean cosine of the codes over all point pairs (STEGO logs it as cd). */
  meanCodeCosine: number;
}

/** Scratch matrices for one pair, reused across pairs and steps. */
export class PairScratch {
  readonly gradCd: Float64Array;
  readonly cd: Float64Array;
  readonly unitA: Float64Array;
  readonly unitB: Float64Array;
  readonly normA: Float64Array;
  readonly normB: Float64Array;
  readonly dUnitA: Float64Array;
  readonly dUnitB: Float64Array;
  /** Centred feature correlations of every pair of the batch, [pairs, points²]. */
  batchFd: Float64Array;

  constructor(readonly points: number, readonly codeDim: number, pairs: number) {
    this.gradCd = new Float64Array(points * points);
    this.cd = new Float64Array(points * points);
    this.unitA = new Float64Array(points * codeDim);
    this.unitB = new Float64Array(points * codeDim);
    this.normA = new Float64Array(points);
    this.normB = new Float64Array(points);
    this.dUnitA = new Float64Array(points * codeDim);
    this.dUnitB = new Float64Array(points * codeDim);
    this.batchFd = new Float64Array(pairs * points * points);
  }
}

/**
 * out[m·S + n] = a[m]·b[n] for S rows of width dim starting at rows ra and rb. Blocks of 2 × 2
 * outputs share their loads; each sum still runs over j in order, so the result is the plain loop's.
 */
function rowDots(src: Float64Array, ra: number, srcB: Float64Array, rb: number, s: number, dim: number, out: Float64Array): void {
  const s2 = s - (s % 2);
  for (let m = 0; m < s2; m += 2) {
    const a0 = (ra + m) * dim, a1 = a0 + dim;
    for (let n = 0; n < s2; n += 2) {
      const b0 = (rb + n) * dim, b1 = b0 + dim;
      let p00 = 0, p01 = 0, p10 = 0, p11 = 0;
      for (let j = 0; j < dim; j++) {
        const x0 = src[a0 + j], x1 = src[a1 + j], y0 = srcB[b0 + j], y1 = srcB[b1 + j];
        p00 += x0 * y0; p01 += x0 * y1; p10 += x1 * y0; p11 += x1 * y1;
      }
      out[m * s + n] = p00; out[m * s + n + 1] = p01; out[(m + 1) * s + n] = p10; out[(m + 1) * s + n + 1] = p11;
    }
  }
  // Odd S: the last row and column one dot at a time.
  for (let m = 0; m < s; m++) for (let n = m < s2 ? s2 : 0; n < s; n++) out[m * s + n] = dot(src, (ra + m) * dim, srcB, (rb + n) * dim, dim);
}

function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, dim: number): number {
  let acc = 0;
  for (let j = 0; j < dim; j++) acc += a[ao + j] * b[bo + j];
  return acc;
}

/**
 * dA[m, j] = Σ_n G[m, n]·B[n, j] and dB[n, j] = Σ_m G[m, n]·A[m, j] (overwriting both), each sum
 * over its index in order, as the rank-one updates they replace.
 */
function gradThroughDots(g: Float64Array, unitA: Float64Array, unitB: Float64Array, s: number, k: number, dA: Float64Array, dB: Float64Array): void {
  timesMatrix(g, s, 1, unitB, s, k, dA);
  timesMatrix(g, 1, s, unitA, s, k, dB);
}

/**
 * out[r, j] = Σ_i G[r·rowStep + i·step]·M[i, j] for r, i < s and j < k, two rows × four columns
 * per pass in registers. Zero weights are added like the others: 0·x adds nothing to a sum.
 */
function timesMatrix(g: Float64Array, rowStep: number, step: number, mat: Float64Array, s: number, k: number, out: Float64Array): void {
  const s2 = s - (s % 2), k4 = k - (k % 4);
  for (let r = 0; r < s2; r += 2) {
    const g0 = r * rowStep, g1 = g0 + rowStep;
    for (let j = 0; j < k4; j += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      for (let i = 0; i < s; i++) {
        const u = g[g0 + i * step], v = g[g1 + i * step], mi = i * k + j;
        const m0 = mat[mi], m1 = mat[mi + 1], m2 = mat[mi + 2], m3 = mat[mi + 3];
        a0 += u * m0; a1 += u * m1; a2 += u * m2; a3 += u * m3;
        b0 += v * m0; b1 += v * m1; b2 += v * m2; b3 += v * m3;
      }
      const o = r * k + j;
      out[o] = a0; out[o + 1] = a1; out[o + 2] = a2; out[o + 3] = a3;
      out[o + k] = b0; out[o + k + 1] = b1; out[o + k + 2] = b2; out[o + k + 3] = b3;
    }
  }
  // The odd row and the last columns one sum at a time.
  for (let r = 0; r < s; r++) {
    for (let j = r < s2 ? k4 : 0; j < k; j++) {
      let acc = 0;
      for (let i = 0; i < s; i++) acc += g[r * rowStep + i * step] * mat[i * k + j];
      out[r * k + j] = acc;
    }
  }
}

/** Unit rows and norms of S code rows from row r0. */
function unitCodes(codes: Float64Array, r0: number, s: number, dim: number, unit: Float64Array, norms: Float64Array): void {
  for (let m = 0; m < s; m++) {
    const o = (r0 + m) * dim;
    let sq = 0;
    for (let j = 0; j < dim; j++) sq += codes[o + j] ** 2;
    const norm = Math.max(Math.sqrt(sq), 1e-10);
    norms[m] = norm;
    for (let j = 0; j < dim; j++) unit[m * dim + j] = codes[o + j] / norm;
  }
}

/**
 * Pointwise-centred feature correlations of the batch's pairs into scratch.batchFd, before the
 * batch's mean is added back; returns the sum of all correlations that mean is taken of.
 */
export function pairFeatureCorrelations(b: PairBatch, sc: PairScratch): number {
  const s = b.points, pairs = b.firstRows.length, s2 = s * s;
  if (sc.batchFd.length < pairs * s2) sc.batchFd = new Float64Array(pairs * s2);
  let total = 0;
  for (let p = 0; p < pairs; p++) {
    const fd = sc.batchFd.subarray(p * s2, (p + 1) * s2);
    rowDots(b.features, b.firstRows[p], b.features, b.secondRows[p], s, b.featDim, fd);
    for (let m = 0; m < s; m++) {
      let mean = 0;
      for (let n = 0; n < s; n++) mean += fd[m * s + n];
      total += mean;
      mean /= s;
      for (let n = 0; n < s; n++) fd[m * s + n] -= mean;
    }
  }
  return total;
}

/** dCode rows += (dUnit − unit·(unit·dUnit)) / norm: the gradient through L2 normalisation. */
function backThroughNorm(dUnit: Float64Array, unit: Float64Array, norms: Float64Array, s: number, dim: number, dCodes: Float64Array, r0: number): void {
  for (let m = 0; m < s; m++) {
    let proj = 0;
    for (let j = 0; j < dim; j++) proj += unit[m * dim + j] * dUnit[m * dim + j];
    const inv = 1 / norms[m];
    for (let j = 0; j < dim; j++) dCodes[(r0 + m) * dim + j] += (dUnit[m * dim + j] - unit[m * dim + j] * proj) * inv;
  }
}

/** What some pairs of a kind add to its loss: the sums before scaling, over all their point pairs. */
export interface PairSums {
  lossSum: number;
  codeCosineSum: number;
}

/**
 * The loss terms of the pairs in `b` and their gradient (times `scale`) added into dCodes (same
 * rows as b.codes), on the correlations pairFeatureCorrelations left in sc plus the batch mean
 * `overall`. `shift` is STEGO's b: feature correlations above it attract codes, below repel.
 */
export function correlationLossSums(b: PairBatch, shift: number, scale: number, overall: number, sc: PairScratch, dCodes: Float64Array): PairSums {
  const s = b.points, k = b.codeDim, pairs = b.firstRows.length, s2 = s * s;
  let loss = 0, cdSum = 0;
  for (let p = 0; p < pairs; p++) {
    const ra = b.firstRows[p], rb = b.secondRows[p];
    unitCodes(b.codes, ra, s, k, sc.unitA, sc.normA);
    unitCodes(b.codes, rb, s, k, sc.unitB, sc.normB);
    rowDots(sc.unitA, 0, sc.unitB, 0, s, k, sc.cd);
    const fd = sc.batchFd.subarray(p * s2, (p + 1) * s2);
    // G[m, n] = ∂loss/∂cd[m, n].
    const g = sc.gradCd;
    for (let i = 0; i < s2; i++) {
      const cd = sc.cd[i], target = fd[i] + overall - shift;
      cdSum += cd;
      if (cd > 0) {
        loss -= cd * target;
        g[i] = -target * scale;
      } else {
        g[i] = 0;
      }
    }
    gradThroughDots(g, sc.unitA, sc.unitB, s, k, sc.dUnitA, sc.dUnitB);
    backThroughNorm(sc.dUnitA, sc.unitA, sc.normA, s, k, dCodes, ra);
    backThroughNorm(sc.dUnitB, sc.unitB, sc.normB, s, k, dCodes, rb);
  }
  return { lossSum: loss, codeCosineSum: cdSum };
}

/** Loss of one pair kind over the whole batch (times `weight`), its gradient added into dCodes. */
export function correlationLoss(b: PairBatch, shift: number, weight: number, sc: PairScratch, dCodes: Float64Array): PairLoss {
  const n = b.firstRows.length * b.points * b.points;
  const overall = pairFeatureCorrelations(b, sc) / n;
  const { lossSum, codeCosineSum } = correlationLossSums(b, shift, weight / n, overall, sc, dCodes);
  return { loss: (lossSum * weight) / n, meanCodeCosine: codeCosineSum / n };
}
