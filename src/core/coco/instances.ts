// COCO instances: dataset/result types and the writers (ground-truth-style dataset JSON, results list).
// coco-formats.md §RLE (compressed RLE, area, bbox, results shape, polygons ≥ 6 numbers).
import { jsonBytes } from './json';
import { maskToPolygons } from './polygon';
import { compressRle, decodeMask, encodeMask, polygonsToRle, rleArea, rleToBbox } from './rle';
import type { BboxXYWH, CocoCategory, CocoImage, CompressedRle, Rle, Segmentation } from './types';

export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: Segmentation;
  area: number;
  bbox: BboxXYWH;
  iscrowd: 0 | 1;
}

export interface CocoInstancesDataset {
  info?: Record<string, unknown>;
  licenses?: unknown[];
  images: CocoImage[];
  categories: CocoCategory[];
  annotations: CocoAnnotation[];
}

/** One entry of a results file, the shape pycocotools' loadRes takes for segmentation. */
export interface CocoResult {
  image_id: number;
  category_id: number;
  segmentation: CompressedRle;
  score: number;
  bbox: BboxXYWH;
  /** Filled in by the reader (loadRes recomputes it); writers leave it out. */
  area?: number;
}

/** A mask either as a row-major 0/1 map of the image's size or as an RLE of that size. */
export type InstanceMask = { maskRowMajor: ArrayLike<number> } | { rle: Rle };

export interface InstanceInput {
  mask: InstanceMask;
  categoryId: number;
  /** Required for results; ignored for a dataset. */
  score?: number;
}

export interface ImageInstances {
  image: CocoImage;
  instances: InstanceInput[];
}

export interface DatasetWriterOptions {
  /** 'rle' (default) writes compressed RLE; 'polygons' writes outer contours (holes are filled, see polygon.ts). */
  segmentation?: 'rle' | 'polygons';
  /** Id of the first annotation; the rest count up from it. Default 1. */
  firstAnnotationId?: number;
  info?: Record<string, unknown>;
}

/**
 * Ground-truth-style dataset from per-image masks. Empty masks are left out (an area-0 ground truth can
 * never be matched). area and bbox describe the segmentation as written, so polygon mode reports the
 * filled area.
 */
export function buildInstancesDataset(
  perImage: readonly ImageInstances[],
  categories: readonly CocoCategory[],
  options: DatasetWriterOptions = {},
): CocoInstancesDataset {
  const knownCategories = new Set(categories.map((c) => c.id));
  const annotations: CocoAnnotation[] = [];
  let nextId = options.firstAnnotationId ?? 1;
  for (const { image, instances } of perImage) {
    instances.forEach((instance, index) => {
      const where = `image ${image.id}, instance ${index}`;
      checkCategory(instance.categoryId, knownCategories, where);
      const rle = instanceRle(instance.mask, image, where);
      if (rleArea(rle) === 0) return;
      const written = options.segmentation === 'polygons' ? polygonSegmentation(rle, image) : rleSegmentation(rle);
      annotations.push({
        id: nextId++,
        image_id: image.id,
        category_id: instance.categoryId,
        segmentation: written.segmentation,
        area: rleArea(written.rle),
        bbox: rleToBbox(written.rle),
        iscrowd: 0,
      });
    });
  }
  const dataset: CocoInstancesDataset = {
    images: perImage.map(({ image }) => ({ ...image })),
    categories: categories.map((c) => ({ ...c })),
    annotations,
  };
  if (options.info) dataset.info = { ...options.info };
  return dataset;
}

/**
 * Results list for pycocotools' loadRes: compressed RLE always (results must be RLE), bbox from the mask.
 * Empty masks are kept, since a detector may legitimately emit one and dropping it would hide that.
 */
export function buildInstancesResults(
  perImage: readonly ImageInstances[],
  categories?: readonly CocoCategory[],
): CocoResult[] {
  const knownCategories = categories ? new Set(categories.map((c) => c.id)) : undefined;
  const results: CocoResult[] = [];
  for (const { image, instances } of perImage) {
    instances.forEach((instance, index) => {
      const where = `image ${image.id}, instance ${index}`;
      if (knownCategories) checkCategory(instance.categoryId, knownCategories, where);
      if (typeof instance.score !== 'number' || !Number.isFinite(instance.score)) {
        throw new Error(`${where}: a result needs a finite score, got ${String(instance.score)}`);
      }
      const rle = instanceRle(instance.mask, image, where);
      results.push({
        image_id: image.id,
        category_id: instance.categoryId,
        segmentation: compressRle(rle),
        score: instance.score,
        bbox: rleToBbox(rle),
      });
    });
  }
  return results;
}

/** UTF-8 JSON bytes of a dataset or results list, ready for a file map or a download. */
export function instancesJsonBytes(value: CocoInstancesDataset | readonly CocoResult[]): Uint8Array {
  return jsonBytes(value);
}

function checkCategory(categoryId: number, known: ReadonlySet<number>, where: string): void {
  if (!known.has(categoryId)) throw new Error(`${where}: category_id ${categoryId} is not in categories`);
}

function instanceRle(mask: InstanceMask, image: CocoImage, where: string): Rle {
  if ('rle' in mask) {
    const [h, w] = mask.rle.size;
    if (h !== image.height || w !== image.width) {
      throw new Error(`${where}: RLE size [${h}, ${w}] does not match image ${image.id} (${image.height}×${image.width})`);
    }
    return mask.rle;
  }
  if (mask.maskRowMajor.length !== image.height * image.width) {
    throw new Error(
      `${where}: mask has ${mask.maskRowMajor.length} pixels, image ${image.id} is ${image.height}×${image.width}`,
    );
  }
  return encodeMask(mask.maskRowMajor, image.height, image.width);
}

function rleSegmentation(rle: Rle): { segmentation: Segmentation; rle: Rle } {
  return { segmentation: compressRle(rle), rle };
}

function polygonSegmentation(rle: Rle, image: CocoImage): { segmentation: Segmentation; rle: Rle } {
  const polygons = maskToPolygons(decodeMask(rle), image.height, image.width);
  // Re-rasterised, so area and bbox match what an evaluator will see (holes filled).
  return { segmentation: polygons, rle: polygonsToRle(polygons, image.height, image.width) };
}
