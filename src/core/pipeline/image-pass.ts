// The per-image half of U2Seg's pseudo-labelling (method.md §2, §3): MaskCut on the keys,
// upsampling and refinement to the label resolution, and a feature per instance for clustering.
import type { BackboneOutput } from '../backbone/types';
import { encodeMask, rleArea, rleToBbox } from '../coco/rle';
import type { BboxXYWH, Rle } from '../coco/types';
import { instanceTokenFeature } from './instance-features';
import { instanceProposals, PROPOSAL_DEFAULTS, wholeOf, type ProposalView } from './instance-proposals';
import { maskCut, MASKCUT_DEFAULTS } from './maskcut';
import { MaskRefiner, type RefineMethod } from './refine';
import { upsampleMaskCutMasks, type SizeHW } from './upsample';

/**
 * 'reference': CutLER's MaskCut as published (maskcut.ts), N rounds on the whole photo.
 * 'multi': the multi-view proposal stage (instance-proposals.ts): rounds until the graph has no
 * structure left, on the photo and overlapping crops, masks split into parts, scored and voted.
 */
export type ProposalMode = 'reference' | 'multi';
export const PROPOSAL_MODES: readonly ProposalMode[] = ['reference', 'multi'];

export interface ImagePassOptions {
  tau: number;
  /** 'reference': MaskCut's N; 'multi': the most proposals kept. */
  maxMasks: number;
  refine: RefineMethod;
  proposals: ProposalMode;
}

export const IMAGE_PASS_DEFAULTS: ImagePassOptions = { tau: MASKCUT_DEFAULTS.tau, maxMasks: MASKCUT_DEFAULTS.maxMasks, refine: 'crf', proposals: 'reference' };

export interface PseudoInstance {
  /** Mask at the label resolution, uncompressed COCO RLE (column-major runs). */
  rle: Rle;
  bbox: BboxXYWH;
  area: number;
  /**
   * Pseudo masks have no detector score; we rank them by MaskCut round (earlier = more salient)
   * and by how much refinement kept (IoU before/after), so AP sees a meaningful order.
   */
  score: number;
  /** Mean of the instance's patch tokens (the cheap instance feature of method.md §3). */
  feature: Float32Array;
  /** Index of the smallest instance of the pass that holds this one as a part ('multi' only; absent: a whole). */
  wholeIndex?: number;
}

export interface ImagePass {
  /** Resolution of the masks and label maps (the photo, or its downscaled working copy). */
  labelSizeHW: SizeHW;
  /** The stage that made the instances; absent: 'reference' (passes stored before it was recorded). */
  proposals?: ProposalMode;
  instances: PseudoInstance[];
  timingsMs: { maskcut: number; refine: number };
  /** The photo's backbone ran but its masks are not made yet (the page labels its regions meanwhile). */
  provisional?: true;
}

/**
 * A 'multi' score is the product of six factors in [0, 1] (cut quality, photo border, crop
 * truncation, support, round: instance-proposals.ts; refinement IoU): reported as their geometric mean,
 * which keeps the order (so AP and AR are those of the product) on the scale of the reference's
 * scores, so that U2Seg's cluster → class vote (detections with score ≥ 0.6, method.md §7) sees
 * these masks too. The product itself left every mask below 0.6: mapped AP 0 on 40 coco-dev photos.
 */
const MULTI_SCORE_FACTORS = 6;

/**
 * The reference drops a mask whose refinement kept less than half of it (IoU < 0.5). 'multi' keeps
 * the refined mask and lets that IoU lower its score instead. The rule drops half of the proposals,
 * and some of them are objects that no other proposal finds: on the first 40 coco-dev photos mask
 * AR100 6.2 → 7.5 % and AP50 4.1 → 4.5 % without it; on the next 60, 4.8 → 5.3 % and 4.5 → 4.7 %.
 */
const MULTI_MIN_IOU_KEEP = 0;

interface Candidate {
  mask: Uint8Array;
  /** Score before refinement: MaskCut's round order, or the proposal stage's score. */
  prior: number;
}

/** 'reference': MaskCut's rounds upsampled (earlier masks claim pixels first, method.md §2 step 6). */
function referenceCandidates(features: BackboneOutput, labelSizeHW: SizeHW, opts: ImagePassOptions): Candidate[] {
  const cut = maskCut(features.keys, features.gridH, features.gridW, features.keyDim, { tau: opts.tau, maxMasks: opts.maxMasks });
  const upsampled = upsampleMaskCutMasks(cut.masks, cut.gridH, cut.gridW, labelSizeHW);
  return upsampled.map((mask, round) => ({ mask, prior: 1 - 0.1 * round })).filter(({ mask }) => mask.some((v) => v));
}

/**
 * MaskCut (or the multi-view proposals) + upsampling + refinement + instance features for one
 * image. `views` (the whole photo first, then crops; embedViews) feed 'multi'; without them it
 * sees the whole photo only.
 */
export function runImagePass(
  rgba: Uint8ClampedArray | Uint8Array,
  labelSizeHW: SizeHW,
  features: BackboneOutput,
  options: Partial<ImagePassOptions> = {},
  views?: readonly ProposalView[],
): ImagePass {
  const opts = { ...IMAGE_PASS_DEFAULTS, ...options };
  const { height, width } = labelSizeHW;
  if (rgba.length !== height * width * 4) throw new Error(`RGBA has ${rgba.length} bytes; expected ${height}×${width}×4`);
  const t0 = performance.now();
  const candidates: Candidate[] =
    opts.proposals === 'reference'
      ? referenceCandidates(features, labelSizeHW, opts)
      : instanceProposals(views ?? [{ view: { x0: 0, y0: 0, x1: 1, y1: 1 }, features }], labelSizeHW, { ...PROPOSAL_DEFAULTS, tau: opts.tau, maxProposals: opts.maxMasks })
          .map((p) => ({ mask: p.maskRowMajor, prior: p.score }))
          .filter(({ mask }) => mask.some((v) => v));
  const t1 = performance.now();
  const refiner = new MaskRefiner(rgba, labelSizeHW, { refine: opts.refine, ...(opts.proposals === 'multi' ? { minIouKeep: MULTI_MIN_IOU_KEEP } : {}) });
  const refinedAll = refiner.refineAll(candidates.map((r) => r.mask));
  refiner.dispose();
  const kept: { mask: Uint8Array; score: number }[] = [];
  candidates.forEach(({ prior }, i) => {
    const mask = refinedAll[i].maskRowMajor;
    if (!mask) return;
    const product = prior * refinedAll[i].iou;
    kept.push({ mask, score: Math.max(0.01, opts.proposals === 'multi' ? product ** (1 / MULTI_SCORE_FACTORS) : product) });
  });
  // The reference keeps MaskCut's order; proposals are ranked by their refined score.
  if (opts.proposals === 'multi') kept.sort((a, b) => b.score - a.score);
  const instances: PseudoInstance[] = [];
  const usedMasks: Uint8Array[] = [];
  for (const { mask, score } of kept) {
    const rle = encodeMask(mask, height, width);
    const area = rleArea(rle);
    if (area === 0) continue;
    usedMasks.push(mask);
    instances.push({ rle, bbox: rleToBbox(rle), area, score, feature: instanceTokenFeature(features, mask, labelSizeHW) });
  }
  if (opts.proposals === 'multi') {
    wholeOf(usedMasks).forEach((whole, i) => {
      if (whole >= 0) instances[i].wholeIndex = whole;
    });
  }
  return { labelSizeHW, proposals: opts.proposals, instances, timingsMs: { maskcut: t1 - t0, refine: performance.now() - t1 } };
}
