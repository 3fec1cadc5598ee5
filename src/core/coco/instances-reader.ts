// Reader/validator for imported COCO instances: datasets and results lists, polygons and both RLE forms.
// coco-formats.md §RLE; every record goes through checkInstanceRecord so that errors read the same everywhere.
import type { CocoAnnotation, CocoInstancesDataset, CocoResult } from './instances';
import { Issues, isFiniteNumber, isInteger, isRecord, parseJsonInput, show } from './json';
import { compressRle, decompressCounts, polygonsToRle, rleArea, rleToBbox } from './rle';
import type { BboxXYWH, CocoCategory, CocoImage, CompressedRle, Rle } from './types';

export interface ParsedInstancesDataset {
  dataset: CocoInstancesDataset;
  /** masks[i] is annotations[i] as uncompressed RLE (pycocotools annToRLE). */
  masks: Rle[];
}

export interface ParsedInstancesResults {
  /** area always recomputed from the mask and bbox filled in when absent, as loadRes does. */
  results: CocoResult[];
  masks: Rle[];
}

/** Parses and validates a dataset; throws CocoFormatError listing every bad record. */
export function readInstancesDataset(input: unknown): ParsedInstancesDataset {
  const json = parseJsonInput(input, 'COCO instances dataset');
  const issues = new Issues();
  const parsed = checkDataset(json, issues);
  issues.throwIfAny('COCO instances dataset');
  return parsed as ParsedInstancesDataset;
}

/** Parses and validates a results list against the images (and categories) it refers to. */
export function readInstancesResults(
  input: unknown,
  images: readonly CocoImage[],
  categories?: readonly CocoCategory[],
): ParsedInstancesResults {
  const json = parseJsonInput(input, 'COCO results');
  const issues = new Issues();
  const context: RecordContext = {
    imagesById: new Map(images.map((image) => [image.id, image])),
    categoryIds: categories ? new Set(categories.map((c) => c.id)) : undefined,
  };
  const results: CocoResult[] = [];
  const masks: Rle[] = [];
  if (!Array.isArray(json)) issues.add('results', `must be an array of {image_id, category_id, segmentation, score}`);
  else {
    json.forEach((record, index) => {
      const where = `results[${index}]${isRecord(record) && isInteger(record.image_id) ? ` (image ${record.image_id})` : ''}`;
      const checked = checkInstanceRecord(record, where, context, 'result', issues);
      if (!checked || !isRecord(record)) return;
      const area = rleArea(checked.mask);
      const bbox = isBbox(record.bbox) ? (record.bbox.slice() as BboxXYWH) : rleToBbox(checked.mask);
      // Normalised to compressed RLE so that downstream code sees one form whatever was imported.
      results.push({ ...(record as unknown as CocoResult), segmentation: compressRle(checked.mask), area, bbox });
      masks.push(checked.mask);
    });
  }
  issues.throwIfAny('COCO results');
  return { results, masks };
}

interface RecordContext {
  imagesById: ReadonlyMap<number, CocoImage>;
  /** Undefined when the caller has no category list to check against. */
  categoryIds: ReadonlySet<number> | undefined;
}

function checkDataset(json: unknown, issues: Issues): ParsedInstancesDataset | undefined {
  if (!isRecord(json)) {
    issues.add('dataset', 'must be an object with images, annotations and categories');
    return undefined;
  }
  for (const key of ['images', 'annotations', 'categories']) {
    if (!Array.isArray(json[key])) issues.add('dataset', `\`${key}\` must be an array, got ${show(json[key])}`);
  }
  if (issues.count > 0) return undefined;
  const images = checkImages(json.images as unknown[], issues);
  const categories = checkCategories(json.categories as unknown[], issues);
  const context: RecordContext = {
    imagesById: new Map(images.map((image) => [image.id, image])),
    categoryIds: new Set(categories.map((c) => c.id)),
  };
  const annotations: CocoAnnotation[] = [];
  const masks: Rle[] = [];
  const firstIndexOfId = new Map<number, number>();
  (json.annotations as unknown[]).forEach((record, index) => {
    const id = isRecord(record) ? record.id : undefined;
    const where = `annotations[${index}]${isInteger(id) ? ` (id ${id})` : ''}`;
    if (isInteger(id)) {
      const first = firstIndexOfId.get(id);
      if (first !== undefined) issues.add(where, `duplicate annotation id ${id} (also annotations[${first}])`);
      else firstIndexOfId.set(id, index);
    }
    const checked = checkInstanceRecord(record, where, context, 'annotation', issues);
    if (!checked) return;
    annotations.push(record as unknown as CocoAnnotation);
    masks.push(checked.mask);
  });
  const dataset = { ...(json as unknown as CocoInstancesDataset), images, categories, annotations };
  return { dataset, masks };
}

function checkImages(records: unknown[], issues: Issues): CocoImage[] {
  const images: CocoImage[] = [];
  const seen = new Set<number>();
  records.forEach((record, index) => {
    const where = `images[${index}]${isRecord(record) && isInteger(record.id) ? ` (id ${record.id})` : ''}`;
    if (!isRecord(record)) return issues.add(where, `must be an object, got ${show(record)}`);
    const before = issues.count;
    if (!isInteger(record.id)) issues.add(where, `id must be an integer, got ${show(record.id)}`);
    else if (seen.has(record.id)) issues.add(where, `duplicate image id ${record.id}`);
    for (const key of ['width', 'height']) {
      const value = record[key];
      if (!isInteger(value) || value <= 0) issues.add(where, `${key} must be a positive integer, got ${show(value)}`);
    }
    if (typeof record.file_name !== 'string') issues.add(where, `file_name must be a string, got ${show(record.file_name)}`);
    if (issues.count > before) return;
    seen.add(record.id as number);
    images.push(record as unknown as CocoImage);
  });
  return images;
}

function checkCategories(records: unknown[], issues: Issues): CocoCategory[] {
  const categories: CocoCategory[] = [];
  const seen = new Set<number>();
  records.forEach((record, index) => {
    const where = `categories[${index}]${isRecord(record) && isInteger(record.id) ? ` (id ${record.id})` : ''}`;
    if (!isRecord(record)) return issues.add(where, `must be an object, got ${show(record)}`);
    if (!isInteger(record.id)) return issues.add(where, `id must be an integer, got ${show(record.id)}`);
    if (seen.has(record.id)) return issues.add(where, `duplicate category id ${record.id}`);
    if (typeof record.name !== 'string') return issues.add(where, `name must be a string, got ${show(record.name)}`);
    seen.add(record.id);
    categories.push(record as unknown as CocoCategory);
  });
  return categories;
}

/**
 * The one check every incoming annotation or result passes. Returns its mask when the record is usable;
 * otherwise records why under `where` and returns undefined.
 */
function checkInstanceRecord(
  record: unknown,
  where: string,
  context: RecordContext,
  kind: 'annotation' | 'result',
  issues: Issues,
): { mask: Rle } | undefined {
  if (!isRecord(record)) {
    issues.add(where, `must be an object, got ${show(record)}`);
    return undefined;
  }
  const before = issues.count;
  if (kind === 'annotation' && !isInteger(record.id)) issues.add(where, `id must be an integer, got ${show(record.id)}`);
  const image = isInteger(record.image_id) ? context.imagesById.get(record.image_id) : undefined;
  if (!isInteger(record.image_id)) issues.add(where, `image_id must be an integer, got ${show(record.image_id)}`);
  else if (!image) issues.add(where, `image_id ${record.image_id} is not in images`);
  if (!isInteger(record.category_id)) issues.add(where, `category_id must be an integer, got ${show(record.category_id)}`);
  else if (context.categoryIds && !context.categoryIds.has(record.category_id)) {
    issues.add(where, `category_id ${record.category_id} is not in categories`);
  }
  checkNumericFields(record, where, kind, issues);
  const mask = image ? segmentationToRle(record.segmentation, image, where, issues) : undefined;
  return issues.count === before && mask ? { mask } : undefined;
}

function checkNumericFields(record: Record<string, unknown>, where: string, kind: string, issues: Issues): void {
  if (kind === 'annotation') {
    if (record.iscrowd !== 0 && record.iscrowd !== 1) issues.add(where, `iscrowd must be 0 or 1, got ${show(record.iscrowd)}`);
    if (!isFiniteNumber(record.area) || record.area < 0) issues.add(where, `area must be a number ≥ 0, got ${show(record.area)}`);
  } else if (!isFiniteNumber(record.score)) {
    issues.add(where, `score must be a finite number, got ${show(record.score)}`);
  }
  const bboxRequired = kind === 'annotation';
  if ((bboxRequired || record.bbox !== undefined) && !isBbox(record.bbox)) {
    issues.add(where, `bbox must be [x, y, w, h] with w, h ≥ 0, got ${show(record.bbox)}`);
  }
}

function isBbox(value: unknown): value is BboxXYWH {
  return Array.isArray(value) && value.length === 4 && value.every(isFiniteNumber) && value[2] >= 0 && value[3] >= 0;
}

/** Polygons, uncompressed RLE or compressed RLE → RLE of the image's size (annToRLE), or undefined + issue. */
function segmentationToRle(segmentation: unknown, image: CocoImage, where: string, issues: Issues): Rle | undefined {
  if (Array.isArray(segmentation)) return polygonsRle(segmentation, image, where, issues);
  if (!isRecord(segmentation)) {
    issues.add(where, `segmentation must be polygons or an RLE object, got ${show(segmentation)}`);
    return undefined;
  }
  const size = segmentation.size;
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => isInteger(v) && v >= 0)) {
    issues.add(where, `segmentation RLE size must be [h, w], got ${show(size)}`);
    return undefined;
  }
  const [h, w] = size as [number, number];
  if (h !== image.height || w !== image.width) {
    issues.add(where, `segmentation RLE size [${h}, ${w}] does not match image ${image.id} (${image.height}×${image.width})`);
    return undefined;
  }
  const counts = rleCounts(segmentation as unknown as CompressedRle | Rle, where, issues);
  if (!counts) return undefined;
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total !== h * w) {
    issues.add(where, `segmentation RLE counts sum to ${total}, expected ${h}×${w} = ${h * w}`);
    return undefined;
  }
  return { size: [h, w], counts };
}

function rleCounts(rle: { counts: unknown }, where: string, issues: Issues): number[] | undefined {
  if (typeof rle.counts === 'string') {
    try {
      const counts = decompressCounts(rle.counts);
      if (counts.every((c) => c >= 0)) return counts;
      issues.add(where, 'segmentation RLE string decodes to a negative count');
    } catch (error) {
      issues.add(where, `segmentation ${(error as Error).message}`);
    }
    return undefined;
  }
  if (Array.isArray(rle.counts) && rle.counts.every((c) => isInteger(c) && c >= 0)) return rle.counts as number[];
  issues.add(where, `segmentation RLE counts must be a string or non-negative integers, got ${show(rle.counts)}`);
  return undefined;
}

function polygonsRle(polygons: unknown[], image: CocoImage, where: string, issues: Issues): Rle | undefined {
  if (polygons.length === 0) {
    issues.add(where, 'segmentation has no polygons');
    return undefined;
  }
  const before = issues.count;
  polygons.forEach((polygon, p) => {
    if (!Array.isArray(polygon) || !polygon.every(isFiniteNumber)) {
      issues.add(where, `segmentation polygon ${p} must be a list of numbers, got ${show(polygon)}`);
    } else if (polygon.length === 4) {
      issues.add(where, `segmentation polygon ${p} has 4 numbers, which pycocotools reads as a box; polygons need ≥ 6`);
    } else if (polygon.length < 6 || polygon.length % 2 !== 0) {
      issues.add(where, `segmentation polygon ${p} has ${polygon.length} numbers; need an even count ≥ 6`);
    }
  });
  if (issues.count > before) return undefined;
  return polygonsToRle(polygons as number[][], image.height, image.width);
}
