// The segment under a pixel as a mask, in the same three views the overlay paints (method.md §4–§5),
// so that "fill segment" labels exactly what the user sees outlined.
import type { LabelGrid, ViewMode } from './overlay';

export interface SegmentMask {
  /** 1 where the pixel belongs to the segment, label resolution, row-major. */
  maskRowMajor: Uint8Array;
  areaPx: number;
  /** The segment's category as the pipeline numbers it (things 1..thingK, stuff after). */
  categoryId: number;
}

/**
 * Semantic view: every pixel of the class under (x, y) in this photo; panoptic view: the
 * panoptic segment; instance view: the segment only when it is a thing. Null where nothing is shown.
 */
export function segmentMaskAt(g: LabelGrid, mode: ViewMode, x: number, y: number): SegmentMask | null {
  if (!(x >= 0 && y >= 0 && x < g.width && y < g.height)) return null;
  const at = Math.floor(y) * g.width + Math.floor(x);
  const mask = new Uint8Array(g.width * g.height);
  let area = 0;
  if (mode === 'semantic') {
    // An adapted head gives category ids directly; the clusters give stuff indices after the things.
    const semCategory = g.labels.semanticCategoryRowMajor;
    const sem = semCategory ?? g.labels.semanticRowMajor;
    const value = sem[at];
    const categoryId = semCategory ? value : g.thingK + value + 1;
    if (!categoryId) return null;
    for (let i = 0; i < sem.length; i++) {
      if (sem[i] !== value) continue;
      mask[i] = 1;
      area++;
    }
    return { maskRowMajor: mask, areaPx: area, categoryId };
  }
  const ids = g.labels.panoptic.idsRowMajor;
  const segment = g.labels.panoptic.segments.find((s) => s.id === ids[at]);
  if (!ids[at] || !segment || (mode === 'instance' && !segment.isThing)) return null;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== segment.id) continue;
    mask[i] = 1;
    area++;
  }
  return { maskRowMajor: mask, areaPx: area, categoryId: segment.categoryId };
}
