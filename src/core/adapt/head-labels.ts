// A photo's labels from the adaptation head, in the cluster table's category space (method.md §6:
// after adaptation the head replaces clustering): semantics from the head's per-pixel argmax,
// instances from MaskCut's masks that the head calls a thing class, and the §5 panoptic merge.
//
// MaskCut's masks follow object boundaries far better than the head's coarse grid components, so
// they come first; a grid component of a thing class that those masks leave mostly uncovered is
// added too, so objects MaskCut missed (it keeps at most a few per photo) still become instances.
import { decodeMask, encodeMask, rleToBbox } from '../coco/rle';
import type { BboxXYWH, Rle } from '../coco/types';
import { mergePanopticPseudoLabels, type PanopticResult } from '../pipeline/panoptic-merge';
import type { SizeHW } from '../pipeline/upsample';
import type { HeadClasses } from './head';
import { classifyMasks, predictFromProbabilities } from './predict';
import { IGNORE_TARGET } from './train';

export interface HeadInstance {
  rle: Rle;
  bbox: BboxXYWH;
  score: number;
  categoryId: number;
  source: 'maskcut' | 'head';
}

export interface HeadLabels {
  /** Category id per pixel at the label resolution; 0 never occurs (the head always answers). */
  semanticCategoryRowMajor: Uint16Array;
  instances: HeadInstance[];
  /** Segment categories are table category ids. */
  panoptic: PanopticResult;
}

/** A head component joins MaskCut's instances when less than this fraction of it is already covered. */
const MAX_COVERED_FRACTION = 0.5;

export function headLabels(
  probs: Float32Array, gridH: number, gridW: number, classes: HeadClasses, categoryIds: readonly number[],
  labelSizeHW: SizeHW, maskcut: readonly { rle: Rle }[],
): HeadLabels {
  if (categoryIds.length !== classes.names.length) throw new Error(`${categoryIds.length} categories for ${classes.names.length} head classes`);
  const thingCount = classes.thingCount, n = labelSizeHW.height * labelSizeHW.width;
  const pred = predictFromProbabilities(probs, gridH, gridW, classes, labelSizeHW, { panoptic: false });
  const masks = maskcut.map((m) => decodeMask(m.rle));
  const verdicts = classifyMasks(probs, gridH, gridW, classes, masks, labelSizeHW, 'all');
  const kept: { mask: Uint8Array; classIndex: number; score: number; source: HeadInstance['source'] }[] = [];
  const covered = new Uint8Array(n);
  verdicts.forEach((v, i) => {
    if (v.classIndex < 0 || v.classIndex >= thingCount) return;
    kept.push({ mask: masks[i], classIndex: v.classIndex, score: v.score, source: 'maskcut' });
    for (let p = 0; p < n; p++) covered[p] |= masks[i][p];
  });
  for (const inst of pred.instances) {
    const mask = decodeMask(inst.rle);
    let inside = 0;
    for (let p = 0; p < n; p++) if (mask[p] && covered[p]) inside++;
    if (inside < MAX_COVERED_FRACTION * inst.area) kept.push({ mask, classIndex: inst.classIndex, score: inst.score, source: 'head' });
  }
  const stuffOfPixel = Uint8Array.from(pred.semanticRowMajor, (c) => (c >= thingCount ? c - thingCount : IGNORE_TARGET));
  const things = kept.map((k) => ({ maskRowMajor: k.mask, clusterId: k.classIndex }));
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
    const rle = encodeMask(k.mask, labelSizeHW.height, labelSizeHW.width);
    return { rle, bbox: rleToBbox(rle), score: k.score, categoryId: categoryIds[k.classIndex], source: k.source };
  });
  const semanticCategoryRowMajor = Uint16Array.from(pred.semanticRowMajor, (c) => categoryIds[c]);
  return { semanticCategoryRowMajor, instances, panoptic };
}
