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

/** out[m·S + n] = a[m]·b[n] for S rows of width dim starting at rows ra and rb. */
function rowDots(src: Float64Array, ra: number, srcB: Float64Array, rb: number, s: number, dim: number, out: Float64Array): void {
  for (let m = 0; m < s; m++) {
    const am = (ra + m) * dim;
    for (let n = 0; n < s; n++) {
      const bn = (rb + n) * dim;
      let acc = 0;
      for (let j = 0; j < dim; j++) acc += src[am + j] * srcB[bn + j];
      out[m * s + n] = acc;
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

/** Pointwise-centred feature correlations of every pair into scratch.batchFd. */
function centredFeatureCorrelations(b: PairBatch, sc: PairScratch): void {
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
  const overall = total / (pairs * s2);
  for (let i = 0; i < pairs * s2; i++) sc.batchFd[i] += overall;
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

/**
 * Loss of one pair kind (times `weight`) and its gradient added into dCodes (same rows as
 * b.codes). `shift` is STEGO's b: feature correlations above it attract codes, below repel.
 */
export function correlationLoss(b: PairBatch, shift: number, weight: number, sc: PairScratch, dCodes: Float64Array): PairLoss {
  const s = b.points, k = b.codeDim, pairs = b.firstRows.length, s2 = s * s;
  centredFeatureCorrelations(b, sc);
  const scale = weight / (pairs * s2);
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
      const cd = sc.cd[i], target = fd[i] - shift;
      cdSum += cd;
      if (cd > 0) {
        loss -= cd * target;
        g[i] = -target * scale;
      } else {
        g[i] = 0;
      }
    }
    sc.dUnitA.fill(0);
    sc.dUnitB.fill(0);
    for (let m = 0; m < s; m++) {
      for (let n = 0; n < s; n++) {
        const gv = g[m * s + n];
        if (gv === 0) continue;
        const am = m * k, bn = n * k;
        for (let j = 0; j < k; j++) {
          sc.dUnitA[am + j] += gv * sc.unitB[bn + j];
          sc.dUnitB[bn + j] += gv * sc.unitA[am + j];
        }
      }
    }
    backThroughNorm(sc.dUnitA, sc.unitA, sc.normA, s, k, dCodes, ra);
    backThroughNorm(sc.dUnitB, sc.unitB, sc.normB, s, k, dCodes, rb);
  }
  return { loss: (loss * weight) / (pairs * s2), meanCodeCosine: cdSum / (pairs * s2) };
}
