// Paints label maps as a colour overlay (detectron2's look: category colours, instance colours,
// outlines) and answers "what is under this pixel" for hover, for the three views of method.md §4–§5.
import type { ImageLabels } from '../pipeline/image-labels';

export type ViewMode = 'semantic' | 'instance' | 'panoptic';
export type ColourBy = 'cluster' | 'instance';

export interface OverlayStyle {
  mode: ViewMode;
  colourBy: ColourBy;
  outlines: boolean;
  /** RGBA per category id (index = category id; alpha 0 hides the category). */
  lutRgba: Uint8Array;
}

export interface LabelGrid {
  /**
   * semanticCategoryRowMajor, when present, holds category ids for the semantic view (the adapted
   * head labels things too); otherwise semanticRowMajor's stuff clusters follow the things.
   */
  labels: Pick<ImageLabels, 'semanticRowMajor' | 'panoptic'> & { semanticCategoryRowMajor?: Uint16Array };
  thingK: number;
  width: number;
  height: number;
}

/** A distinct colour per instance id (golden-angle hues), so neighbours differ. */
export function instanceColour(id: number): [number, number, number] {
  const h = ((id * 137.508) % 360) / 60;
  const x = Math.round(255 * (1 - Math.abs((h % 2) - 1)));
  const table: [number, number, number][] = [[255, x, 0], [x, 255, 0], [0, 255, x], [0, x, 255], [x, 0, 255], [255, 0, x]];
  return table[Math.floor(h) % 6];
}

/** Category and segment of every pixel in a view; segment 0 = nothing shown. */
function viewMaps(g: LabelGrid, mode: ViewMode): { category: (i: number) => number; segment: (i: number) => number } {
  const sem = g.labels.semanticRowMajor;
  const semCategory = g.labels.semanticCategoryRowMajor;
  if (semCategory) return mode === 'semantic' ? { category: (i) => semCategory[i], segment: (i) => semCategory[i] } : panopticMaps(g, mode);
  if (mode === 'semantic') return { category: (i) => g.thingK + sem[i] + 1, segment: (i) => g.thingK + sem[i] + 1 };
  return panopticMaps(g, mode);
}

function panopticMaps(g: LabelGrid, mode: ViewMode): { category: (i: number) => number; segment: (i: number) => number } {
  const ids = g.labels.panoptic.idsRowMajor;
  const byId = new Map(g.labels.panoptic.segments.map((s) => [s.id, s]));
  const thingOnly = mode === 'instance';
  return {
    category: (i) => {
      const s = byId.get(ids[i]);
      return !s || (thingOnly && !s.isThing) ? 0 : s.categoryId;
    },
    segment: (i) => {
      const s = byId.get(ids[i]);
      return !s || (thingOnly && !s.isThing) ? 0 : s.id;
    },
  };
}

export function renderOverlay(g: LabelGrid, style: OverlayStyle): Uint8ClampedArray {
  const { width, height } = g;
  const out = new Uint8ClampedArray(width * height * 4);
  const { category, segment } = viewMaps(g, style.mode);
  const things = new Set(g.labels.panoptic.segments.filter((s) => s.isThing).map((s) => s.id));
  const lut = style.lutRgba;
  for (let i = 0; i < width * height; i++) {
    const c = category(i);
    if (!c || lut[c * 4 + 3] === 0) continue;
    const seg = segment(i);
    const rgb = style.colourBy === 'instance' && style.mode !== 'semantic' && things.has(seg) ? instanceColour(seg) : [lut[c * 4], lut[c * 4 + 1], lut[c * 4 + 2]];
    out[i * 4] = rgb[0];
    out[i * 4 + 1] = rgb[1];
    out[i * 4 + 2] = rgb[2];
    out[i * 4 + 3] = lut[c * 4 + 3];
  }
  if (style.outlines) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const s = segment(i);
        const edge = (x + 1 < width && segment(i + 1) !== s) || (y + 1 < height && segment(i + width) !== s);
        if (edge && (s || (x + 1 < width && segment(i + 1)) || (y + 1 < height && segment(i + width)))) out.set([255, 255, 255, 255], i * 4);
      }
    }
  }
  return out;
}

export interface PixelInfo {
  categoryId: number;
  segmentId: number;
  isThing: boolean;
  /** Pixels of the segment at label resolution (the semantic view counts the class in this image). */
  areaPx: number;
  score?: number;
}

export function pixelInfo(g: LabelGrid, mode: ViewMode, x: number, y: number): PixelInfo | null {
  if (x < 0 || y < 0 || x >= g.width || y >= g.height) return null;
  const i = Math.floor(y) * g.width + Math.floor(x);
  const { category, segment } = viewMaps(g, mode);
  const c = category(i);
  if (!c) return null;
  if (mode === 'semantic') {
    let area = 0;
    for (let j = 0; j < g.width * g.height; j++) if (category(j) === c) area++;
    return { categoryId: c, segmentId: 0, isThing: false, areaPx: area };
  }
  const seg = g.labels.panoptic.segments.find((s) => s.id === segment(i));
  return seg ? { categoryId: c, segmentId: seg.id, isThing: seg.isThing, areaPx: seg.area, score: seg.score } : null;
}
