// The per-image half of U2Seg's pseudo-labelling (method.md §2, §3): MaskCut on the keys,
// upsampling and refinement to the label resolution, and a feature per instance for clustering.
import type { BackboneOutput } from '../backbone/types';
import { encodeMask, rleArea, rleToBbox } from '../coco/rle';
import type { BboxXYWH, Rle } from '../coco/types';
import { instanceTokenFeature } from './instance-features';
import { maskCut, MASKCUT_DEFAULTS } from './maskcut';
import { MaskRefiner, type RefineMethod } from './refine';
import { upsampleMaskCutMasks, type SizeHW } from './upsample';

export interface ImagePassOptions {
  tau: number;
  maxMasks: number;
  refine: RefineMethod;
}

export const IMAGE_PASS_DEFAULTS: ImagePassOptions = { tau: MASKCUT_DEFAULTS.tau, maxMasks: MASKCUT_DEFAULTS.maxMasks, refine: 'crf' };

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
}

export interface ImagePass {
  /** Resolution of the masks and label maps (the photo, or its downscaled working copy). */
  labelSizeHW: SizeHW;
  instances: PseudoInstance[];
  timingsMs: { maskcut: number; refine: number };
}

/** MaskCut + upsampling + refinement + instance features for one image. */
export function runImagePass(
  rgba: Uint8ClampedArray | Uint8Array,
  labelSizeHW: SizeHW,
  features: BackboneOutput,
  options: Partial<ImagePassOptions> = {},
): ImagePass {
  const opts = { ...IMAGE_PASS_DEFAULTS, ...options };
  const { height, width } = labelSizeHW;
  if (rgba.length !== height * width * 4) throw new Error(`RGBA has ${rgba.length} bytes; expected ${height}×${width}×4`);
  const t0 = performance.now();
  const cut = maskCut(features.keys, features.gridH, features.gridW, features.keyDim, { tau: opts.tau, maxMasks: opts.maxMasks });
  const t1 = performance.now();
  const upsampled = upsampleMaskCutMasks(cut.masks, cut.gridH, cut.gridW, labelSizeHW);
  const rounds = upsampled.map((mask, round) => ({ mask, round })).filter(({ mask }) => mask.some((v) => v));
  const refiner = new MaskRefiner(rgba, labelSizeHW, { refine: opts.refine });
  const refinedAll = refiner.refineAll(rounds.map((r) => r.mask));
  refiner.dispose();
  const instances: PseudoInstance[] = [];
  rounds.forEach(({ round }, i) => {
    const refined = refinedAll[i];
    if (!refined.maskRowMajor) return;
    const rle = encodeMask(refined.maskRowMajor, height, width);
    const area = rleArea(rle);
    if (area === 0) return;
    instances.push({
      rle,
      bbox: rleToBbox(rle),
      area,
      score: Math.max(0.01, (1 - 0.1 * round) * refined.iou),
      feature: instanceTokenFeature(features, refined.maskRowMajor, labelSizeHW),
    });
  });
  return { labelSizeHW, instances, timingsMs: { maskcut: t1 - t0, refine: performance.now() - t1 } };
}
