// A photo's labels from the adaptation head, in the cluster table's category space (method.md §6:
// after adaptation the head replaces clustering): semantics from the head's per-pixel argmax,
// instances from MaskCut's masks that the head calls a thing class, and the §5 panoptic merge.
//
// A mask the head calls stuff (its best class over all classes is a stuff class) is no instance.
// The head's own grid components are not added as instances: measured with
// `npm run eval -- --adapt 5 --seeds 0 --heads mlp` on coco-dev, adding the components MaskCut's masks
// leave uncovered lowered self-training mask AP from 0.4–0.5 to 0.2–0.3, while the masks alone
// (with stuff-called masks dropped) match the best variant.
import { decodeMask, rleToBbox } from '../coco/rle';
import type { BboxXYWH, Rle } from '../coco/types';
import type { ProposalMode } from '../pipeline/image-pass';
import { mergePanopticPseudoLabels, panopticMasks, type PanopticResult } from '../pipeline/panoptic-merge';
import type { SizeHW } from '../pipeline/upsample';
import type { HeadClasses } from './head';
import { classifyMasks, upsampledArgmax } from './predict';
import { IGNORE_TARGET } from './train';

export interface HeadInstance {
  rle: Rle;
  bbox: BboxXYWH;
  /** Mean probability of its class over the mask. */
  score: number;
  categoryId: number;
}

export interface HeadLabels {
  /** Category id per pixel at the label resolution; 0 never occurs (the head always answers). */
  semanticCategoryRowMajor: Uint16Array;
  instances: HeadInstance[];
  /** Segment categories are table category ids. */
  panoptic: PanopticResult;
}

export function headLabels(
  probs: Float32Array, gridH: number, gridW: number, classes: HeadClasses, categoryIds: readonly number[],
  labelSizeHW: SizeHW, maskcut: readonly { rle: Rle; score?: number }[], proposals: ProposalMode = 'reference',
): HeadLabels {
  if (categoryIds.length !== classes.names.length) throw new Error(`${categoryIds.length} categories for ${classes.names.length} head classes`);
  const thingCount = classes.thingCount;
  const semantic = upsampledArgmax(probs, gridH, gridW, classes.names.length, labelSizeHW);
  const masks = maskcut.map((m) => decodeMask(m.rle));
  const verdicts = classifyMasks(probs, gridH, gridW, classes, masks, labelSizeHW, 'all');
  const kept = verdicts.flatMap((v, i) => (v.classIndex >= 0 && v.classIndex < thingCount ? [{ index: i, classIndex: v.classIndex, score: v.score }] : []));
  const stuffOfPixel = Uint8Array.from(semantic, (c) => (c >= thingCount ? c - thingCount : IGNORE_TARGET));
  // The multi-view stage's wholes and parts overlap: paint a disjoint set, as labelImage does.
  const shown = panopticMasks(kept.map((k) => masks[k.index]), kept.map((k) => maskcut[k.index].score ?? k.score), proposals);
  const things = kept.map((k, j) => ({ maskRowMajor: shown[j], clusterId: k.classIndex }));
  const panoptic = mergePanopticPseudoLabels(labelSizeHW, things, stuffOfPixel, Math.max(thingCount, 1), classes.names.length - thingCount);
  for (const seg of panoptic.segments) {
    if (seg.isThing && seg.instanceIndex !== undefined) {
      seg.score = kept[seg.instanceIndex].score;
      seg.categoryId = categoryIds[kept[seg.instanceIndex].classIndex];
    } else if (seg.semanticLabel !== undefined) {
      seg.categoryId = categoryIds[thingCount + seg.semanticLabel];
    }
  }
  const instances = kept.map((k) => {
    const rle = maskcut[k.index].rle;
    return { rle, bbox: rleToBbox(rle), score: k.score, categoryId: categoryIds[k.classIndex] };
  });
  const semanticCategoryRowMajor = Uint16Array.from(semantic, (c) => categoryIds[c]);
  return { semanticCategoryRowMajor, instances, panoptic };
}
