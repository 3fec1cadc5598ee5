// The multi-view proposal stage: MaskCut rounds on the whole photo and on overlapping crops, each
// mask split into its parts, scored, grouped across views by IoU with mask voting. Extends method.md §2 steps 1–6.
//
// Order of work, and why:
//  1. per view, rounds until the graph has no structure left (maskcut-rounds.ts): more objects
//     than the reference's fixed 3 rounds;
//  2. optionally, each round's mask is split over its own features (mask-split.ts): neighbours
//     that the photo-level graph joined (off by default: measured worse, see PROPOSAL_DEFAULTS);
//  3. every grid mask is scored in its view (mask-score.ts), drawn onto a small canvas of the
//     photo and grouped greedily by IoU in score order (mask-nms.ts): the same object seen by
//     several views or rounds becomes one proposal, ranked by its opener's score, its support and
//     its opener's round (a view's earlier rounds find its more salient objects, as in MaskCut);
//  4. a group's mask is its members' vote at the label resolution (bilinear from each view's
//     grid, mean, > 0.5), so crops sharpen what the whole view saw coarsely.
// Refinement (dense CRF, drop rule) follows in image-pass.ts as for the reference.
import type { BackboneOutput, ModelManifest } from '../backbone/types';
import { embedPhoto, type BackboneRunner, type OnPreview } from '../backbone/shift-average';
import type { RgbaImage } from '../image/resize';
import { canvasMask, groupByIou, type CanvasMask, type MaskGroup } from './mask-nms';
import { scoreGridMask } from './mask-score';
import { MASK_SPLIT_DEFAULTS, splitMask, type MaskSplitOptions } from './mask-split';
import { canvasSize, cropLayout, cropRgba, gridMaskOnCanvas, viewPixelBox, type ViewBox } from './maskcut-crops';
import { cosineMatrix, MASKCUT_ROUNDS_DEFAULTS, maskCutRoundsOnCosines, type MaskCutRoundsOptions } from './maskcut-rounds';
import { l2NormalizeRows } from './ncut-eigen';
import type { SizeHW } from './upsample';

/**
 * Raised whenever the stage's defaults change what it makes, so stored results (batch caches, the
 * page's IndexedDB) made by an earlier revision are made again rather than mixed with new ones.
 * 2: 3 × 3 crops, 40 proposals, the round factor, no drop rule.
 */
export const PROPOSAL_STAGE_REVISION = 2;

export interface ProposalView {
  view: ViewBox;
  features: BackboneOutput;
}

export interface ProposalOptions {
  tau: number;
  /** Proposals kept after grouping, best score first. */
  maxProposals: number;
  /** Two masks whose IoU exceeds this are one object. */
  groupIou: number;
  /** Longer side of the grouping canvas, in cells. */
  groupCanvasSide: number;
  rounds: Omit<MaskCutRoundsOptions, 'tau'>;
  /** null: no splitting. */
  split: MaskSplitOptions | null;
  /** A part's score is its own times this: parts rank after the wholes they come from. */
  partWeight: number;
  /** Weigh a group's score by its support, 1 − 2^−members (objects that several views find are real). */
  supportWeight: boolean;
  /** A group's score is also times this to the power of its opener's round in its view. */
  roundDecay: number;
}

export const PROPOSAL_DEFAULTS: Omit<ProposalOptions, 'tau'> = {
  // Measured on the first 40 coco-dev photos (default model, CRF): mask AR100 7.1 % with 30
  // proposals, 7.5 % with 40 (the photos give 33 on average, at most 40 CRFs a photo).
  maxProposals: 40,
  groupIou: 0.5,
  groupCanvasSide: 96,
  rounds: MASKCUT_ROUNDS_DEFAULTS,
  // Splitting is off by default: on 40 coco-dev photos (refine none) it lowered mask AP from
  // 0.72 to 0.45–0.57 at every setting tried (depth 1–2, λ ≤ 0.3–0.5, parts weighted ×0.25–1).
  // SPLIT_PROPOSALS turns it on.
  split: null,
  supportWeight: true,
  partWeight: 1,
  // The reference's own order (its round r mask scores 1 − 0.1·r), made multiplicative so that
  // views with many rounds stay comparable. Measured: mask AP50 4.5 → 4.9 % on the first 40
  // coco-dev photos and 4.7 → 4.9 % on the next 60.
  roundDecay: 0.9,
};

/** Splitting as measured (see PROPOSAL_DEFAULTS.split): two levels, cuts with λ ≤ 0.5. */
export const SPLIT_PROPOSALS: Pick<ProposalOptions, 'split'> = { split: MASK_SPLIT_DEFAULTS };

/**
 * The crops every photo is also cut in: 3 × 3 crops of 45 % of each side (neighbours overlap by
 * 17.5 % of the photo), 4.9× the whole view's tokens per photo pixel (2.2× along each side), so medium COCO objects (32²–96² px)
 * span several cells. Measured against 2 × 2 crops of 60 % and against both layouts together
 * (14 views) on 100 coco-dev photos: 3 × 3 alone had the best mask AP50 on both the first 40 and
 * the next 60 photos.
 */
export const PROPOSAL_CROPS = { cropsPerSide: 3, cropFraction: 0.45 } as const;

export interface Proposal {
  /** 0/1 at the label resolution, row-major. */
  maskRowMajor: Uint8Array;
  score: number;
  /** Grid masks (views × rounds × parts) that voted for it. */
  support: number;
}

interface GridCandidateInView {
  viewIndex: number;
  /** The MaskCut round of its view that found it (a part: its whole's round). */
  round: number;
  maskRowMajor: Uint8Array;
  score: number;
}

/**
 * The features of the whole photo and of each crop of the layout (one embedPhoto per view).
 * `onPreview`: the whole photo's early features (embedPhoto), before its crops run.
 */
export async function embedViews(photo: RgbaImage, manifest: ModelManifest, runner: BackboneRunner, views: readonly ViewBox[], onPreview?: OnPreview): Promise<ProposalView[]> {
  const out: ProposalView[] = [];
  for (const view of views) {
    const box = viewPixelBox(view, photo.width, photo.height);
    const whole = box.width === photo.width && box.height === photo.height;
    const image = whole ? photo : { data: cropRgba(photo.data, photo.width, box), width: box.width, height: box.height };
    out.push({ view, features: await embedPhoto(image, manifest, runner, whole ? onPreview : undefined) });
  }
  return out;
}

/** The default layout: the whole photo, then the crops. */
export function proposalViews(): ViewBox[] {
  return cropLayout(PROPOSAL_CROPS.cropsPerSide, PROPOSAL_CROPS.cropFraction);
}

/** Steps 1–3 for one view: rounds, parts, scores. */
function viewCandidates(pv: ProposalView, viewIndex: number, options: ProposalOptions): GridCandidateInView[] {
  const { gridH, gridW, keys, keyDim } = pv.features;
  const n = gridH * gridW;
  const cosines = cosineMatrix(l2NormalizeRows(keys, n, keyDim), n, keyDim);
  const out: GridCandidateInView[] = [];
  for (const round of maskCutRoundsOnCosines(cosines, gridH, gridW, { ...options.rounds, tau: options.tau })) {
    const wholeCut = 1 - round.eigenvalue;
    out.push({ viewIndex, round: round.round, maskRowMajor: round.maskRowMajor, score: scoreGridMask(wholeCut, gridH, gridW, round.maskRowMajor, pv.view).score });
    if (!options.split) continue;
    // A part's cut quality is its whole's times its own split's, so parts rank below their whole.
    const parts = splitMask(cosines, gridH, gridW, round.maskRowMajor, options.split);
    const quality: number[] = [];
    parts.forEach((part, i) => {
      quality[i] = (part.parent < 0 ? wholeCut : quality[part.parent]) * (1 - part.eigenvalue);
      out.push({ viewIndex, round: round.round, maskRowMajor: part.maskRowMajor, score: options.partWeight * scoreGridMask(quality[i], gridH, gridW, part.maskRowMajor, pv.view).score });
    });
  }
  return out;
}

/** Proposals of one photo at the label resolution, best score first (see the module comment). */
export function instanceProposals(views: readonly ProposalView[], labelSizeHW: SizeHW, options: ProposalOptions): Proposal[] {
  const candidates = views.flatMap((pv, i) => viewCandidates(pv, i, options));
  if (!candidates.length) return [];
  const canvas = canvasSize(labelSizeHW.height, labelSizeHW.width, options.groupCanvasSide);
  const onCanvas: CanvasMask[] = candidates.map((c) => {
    const { gridH, gridW } = views[c.viewIndex].features;
    return canvasMask(gridMaskOnCanvas(c.maskRowMajor, gridH, gridW, views[c.viewIndex].view, canvas.height, canvas.width), canvas.width);
  });
  // Stable order by score: ties keep view and round order (the whole photo's first rounds first).
  const order = candidates.map((_, i) => i).sort((a, b) => candidates[b].score - candidates[a].score || a - b);
  const groupScore = (g: MaskGroup) => {
    const opener = candidates[g.members[0]];
    return opener.score * (options.supportWeight ? 1 - 2 ** -g.members.length : 1) * options.roundDecay ** opener.round;
  };
  const groups = groupByIou(onCanvas, order, canvas.width, options.groupIou)
    .map((g) => ({ g, score: groupScore(g) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, options.maxProposals);
  const { height, width } = labelSizeHW;
  return groups.map(({ g, score }) => {
    const mean = new Float32Array(height * width);
    for (const m of g.members) {
      const c = candidates[m];
      const { gridH, gridW } = views[c.viewIndex].features;
      const soft = gridMaskOnCanvas(c.maskRowMajor, gridH, gridW, views[c.viewIndex].view, height, width);
      for (let i = 0; i < mean.length; i++) mean[i] += soft[i];
    }
    const mask = new Uint8Array(mean.length);
    const half = 0.5 * g.members.length;
    for (let i = 0; i < mean.length; i++) mask[i] = mean[i] > half ? 1 : 0;
    return { maskRowMajor: mask, score, support: g.members.length };
  });
}

/**
 * For each mask, the index of the smallest other mask that holds it as a part (≥ `minInside` of
 * its pixels inside, and at least `minGrowth` times its area), or −1: the whole → part links the
 * app's selection walks.
 */
export function wholeOf(masksRowMajor: readonly Uint8Array[], minInside = 0.8, minGrowth = 1.2): number[] {
  const areas = masksRowMajor.map((m) => m.reduce((s, v) => s + v, 0));
  return masksRowMajor.map((part, i) => {
    let best = -1;
    for (let j = 0; j < masksRowMajor.length; j++) {
      if (j === i || areas[j] < minGrowth * areas[i] || !areas[i]) continue;
      if (best >= 0 && areas[j] >= areas[best]) continue;
      let inside = 0;
      const whole = masksRowMajor[j];
      for (let p = 0; p < part.length; p++) inside += part[p] & whole[p];
      if (inside >= minInside * areas[i]) best = j;
    }
    return best;
  });
}
