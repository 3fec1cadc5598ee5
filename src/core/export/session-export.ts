// Turns a session's pseudo labels into the files the ecosystem reads (coco-formats.md): COCO
// instances (dataset + results), COCO panoptic and semantic PNGs, with the user's cluster names and merges.
import { decodeMask, encodeMask } from '../coco/rle';
import { buildInstancesDataset, buildInstancesResults, instancesJsonBytes, type ImageInstances } from '../coco/instances';
import { writePanoptic, type SegmentLabel } from '../coco/panoptic';
import { labelMapToPng } from '../coco/semantic-png';
import type { CocoCategory, CocoImage, Rle } from '../coco/types';
import { resolveCluster, type ClusterTable } from '../session/cluster-table';

export interface ExportImage {
  /** COCO image record at the photo's ORIGINAL size. */
  image: CocoImage;
  /** Resolution the labels were computed at (smaller than the photo for huge photos). */
  labelSizeHW: { height: number; width: number };
  instances: { rle: Rle; score: number; categoryId: number }[];
  /** Stuff cluster per pixel (0-based), label resolution. */
  semanticRowMajor: Uint16Array;
  /** Category id per pixel instead (an adapted head labels things too); wins when present. */
  semanticCategoryRowMajor?: Uint16Array;
  /** Panoptic segment ids per pixel, label resolution; categories as the cluster table numbers them. */
  panopticIdsRowMajor: Uint32Array;
  segments: { id: number; categoryId: number }[];
}

export interface ExportOptions {
  instances: boolean;
  panoptic: boolean;
  semantic: boolean;
  /** Polygons instead of RLE in the dataset-style instances file. */
  polygons: boolean;
  name: string;
}

export const EXPORT_DEFAULTS: ExportOptions = { instances: true, panoptic: true, semantic: true, polygons: false, name: 'u2seg' };

/** Categories after merges: every cluster that was not merged into another one, with its user name. */
export function exportCategories(table: ClusterTable): CocoCategory[] {
  return Object.values(table)
    .filter((c) => c.mergedInto == null)
    .map((c) => ({ id: c.id, name: c.name, supercategory: c.kind, isthing: c.kind === 'thing' ? 1 : 0, color: hexToRgb(c.colour) }));
}

function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Nearest-neighbour resize of any row-major label array (masks, ids) to the photo's size. */
export function resizeNearestLabels<T extends Uint8Array | Uint16Array | Uint32Array>(src: T, srcHW: { height: number; width: number }, dstH: number, dstW: number): T {
  if (srcHW.height === dstH && srcHW.width === dstW) return src;
  const out = new (src.constructor as new (n: number) => T)(dstH * dstW);
  for (let y = 0; y < dstH; y++) {
    const sy = Math.min(srcHW.height - 1, Math.floor(((y + 0.5) * srcHW.height) / dstH)) * srcHW.width;
    for (let x = 0; x < dstW; x++) out[y * dstW + x] = src[sy + Math.min(srcHW.width - 1, Math.floor(((x + 0.5) * srcHW.width) / dstW))];
  }
  return out;
}

function fullSizeRle(rle: Rle, im: ExportImage): Rle {
  const { height, width } = im.image;
  if (rle.size[0] === height && rle.size[1] === width) return rle;
  return encodeMask(resizeNearestLabels(decodeMask(rle), im.labelSizeHW, height, width), height, width);
}

/** Panoptic map with merged categories; stuff segments that now share a category become one. */
function mergedPanoptic(im: ExportImage, table: ClusterTable): { ids: Uint32Array; segments: SegmentLabel[] } {
  const remap = new Map<number, number>();
  const stuffIdByCategory = new Map<number, number>();
  const segments: SegmentLabel[] = [];
  for (const s of im.segments) {
    const category = resolveCluster(table, s.categoryId);
    if (table[category]?.kind === 'stuff') {
      const existing = stuffIdByCategory.get(category);
      if (existing !== undefined) {
        remap.set(s.id, existing);
        continue;
      }
      stuffIdByCategory.set(category, s.id);
    }
    remap.set(s.id, s.id);
    segments.push({ id: s.id, category_id: category, iscrowd: 0 });
  }
  const src = im.panopticIdsRowMajor;
  const ids = new Uint32Array(src.length);
  for (let i = 0; i < src.length; i++) ids[i] = src[i] ? (remap.get(src[i]) ?? 0) : 0;
  return { ids: resizeNearestLabels(ids, im.labelSizeHW, im.image.height, im.image.width), segments };
}

/** The whole export as a file map (paths → bytes), ready to zip or write to disk. */
export function buildSessionExport(images: readonly ExportImage[], table: ClusterTable, options: Partial<ExportOptions> = {}): Record<string, Uint8Array> {
  const opts = { ...EXPORT_DEFAULTS, ...options };
  const categories = exportCategories(table);
  // Pipeline things only: the user's added classes are numbered after the stuff, not before it.
  const thingCount = Object.values(table).filter((c) => c.kind === 'thing' && c.origin !== 'user').length;
  const files: Record<string, Uint8Array> = {};
  if (opts.instances) {
    const perImage: ImageInstances[] = images.map((im) => ({
      image: im.image,
      instances: im.instances.map((inst) => ({ mask: { rle: fullSizeRle(inst.rle, im) }, categoryId: resolveCluster(table, inst.categoryId), score: inst.score })),
    }));
    const thingCategories = categories.filter((c) => c.isthing === 1);
    files[`annotations/instances_${opts.name}.json`] = instancesJsonBytes(
      buildInstancesDataset(perImage, thingCategories, { segmentation: opts.polygons ? 'polygons' : 'rle', info: { description: 'U2Seg pseudo labels' } }),
    );
    files[`annotations/instances_${opts.name}_results.json`] = instancesJsonBytes(buildInstancesResults(perImage, thingCategories));
  }
  if (opts.panoptic) {
    const perImage = images.map((im) => {
      const { ids, segments } = mergedPanoptic(im, table);
      return { image: im.image, idMap: { idsRowMajor: ids, height: im.image.height, width: im.image.width }, segments };
    });
    Object.assign(files, writePanoptic(`panoptic_${opts.name}`, perImage, categories));
  }
  if (opts.semantic) {
    const classCount = Math.max(0, ...Object.keys(table).map(Number));
    for (const im of images) {
      // Pixel value = category id (stuff ids follow the things); 0 stays void as coco-formats.md says.
      const src = im.semanticRowMajor, categories = im.semanticCategoryRowMajor;
      const labels = categories
        ? categories.map((c) => (c ? resolveCluster(table, c) : 0))
        : src.map((s) => resolveCluster(table, thingCount + s + 1));
      const full = resizeNearestLabels(labels, im.labelSizeHW, im.image.height, im.image.width);
      const stem = im.image.file_name.split('/').pop()?.replace(/\.[^.]*$/, '') ?? String(im.image.id);
      files[`semantic/${stem}.png`] = labelMapToPng({ labelsRowMajor: full, height: im.image.height, width: im.image.width }, classCount);
    }
  }
  files['categories.json'] = new TextEncoder().encode(`${JSON.stringify(categories, null, 2)}\n`);
  return files;
}
