// Loads predicted instances for evaluation (method.md §7): a results list or a dataset-style file
// (our instances.json, with per-annotation scores), aligned to the ground truth's image ids.
//
// Image ids: a results list is taken as is (pycocotools' loadRes). A dataset's images are matched
// to ground-truth images by file name (base name), so a pseudo-label file written with other ids
// still lines up; the evaluated images are then exactly the dataset's images.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readInstancesDataset, readInstancesResults, type ParsedInstancesDataset } from '../../core/coco/instances-reader';
import { decompressRle } from '../../core/coco/rle';
import type { CocoImage } from '../../core/coco/types';
import type { PredInstance } from './instance-scores';

export interface LoadedPredictions {
  preds: PredInstance[];
  /** Prediction category ids, sorted (cluster ids for pseudo labels). */
  categoryIds: number[];
  /** Images to evaluate on; undefined = all ground-truth images. */
  imageIds?: number[];
  /** Prediction image id → ground-truth image id. */
  imageIdMap: Map<number, number>;
  /**
   * The predictions' categories are ground-truth classes (a results list whose ids are all GT ids,
   * or a dataset whose categories carry the GT's names), not clusters to be mapped.
   */
  categoriesAreClasses: boolean;
}

export async function readJsonFile(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

/** Prediction image id → ground-truth id by base file name (ids kept where no name matches). */
export function matchImagesByName(predImages: readonly CocoImage[], gtImages: readonly CocoImage[]): Map<number, number> {
  const gtByName = new Map(gtImages.map((im) => [path.posix.basename(im.file_name), im.id]));
  return new Map(predImages.map((im) => [im.id, gtByName.get(path.posix.basename(im.file_name)) ?? im.id]));
}

function fromDataset(json: unknown, gt: ParsedInstancesDataset): LoadedPredictions {
  const parsed = readInstancesDataset(json);
  const imageIdMap = matchImagesByName(parsed.dataset.images, gt.dataset.images);
  const gtIds = new Set(gt.dataset.images.map((im) => im.id));
  const unknown = parsed.dataset.images.filter((im) => !gtIds.has(imageIdMap.get(im.id) ?? -1));
  if (unknown.length) throw new Error(`${unknown.length} predicted image(s) are not in the ground truth, e.g. ${unknown[0].file_name}`);
  const preds = parsed.dataset.annotations.map((a, i) => ({
    image_id: imageIdMap.get(a.image_id) ?? a.image_id,
    category_id: a.category_id,
    score: typeof (a as { score?: unknown }).score === 'number' ? (a as unknown as { score: number }).score : 1,
    bbox: a.bbox,
    rle: parsed.masks[i],
  }));
  const gtNames = new Map(gt.dataset.categories.map((c) => [c.id, c.name]));
  return {
    preds,
    categoriesAreClasses: parsed.dataset.categories.every((c) => gtNames.get(c.id) === c.name),
    categoryIds: parsed.dataset.categories.map((c) => c.id).sort((x, y) => x - y),
    imageIds: parsed.dataset.images.map((im) => imageIdMap.get(im.id) ?? im.id),
    imageIdMap,
  };
}

function fromResults(json: unknown, gt: ParsedInstancesDataset): LoadedPredictions {
  const parsed = readInstancesResults(json, gt.dataset.images);
  const preds = parsed.results.map((r, i) => ({ image_id: r.image_id, category_id: r.category_id, score: r.score, bbox: r.bbox, rle: parsed.masks[i] ?? decompressRle(r.segmentation) }));
  const categoryIds = [...new Set(preds.map((p) => p.category_id))].sort((x, y) => x - y);
  const gtIds = new Set(gt.dataset.categories.map((c) => c.id));
  return { preds, categoryIds, imageIdMap: new Map(), categoriesAreClasses: categoryIds.every((id) => gtIds.has(id)) };
}

/** A results list (JSON array) or a dataset-style file (object with annotations). */
export async function loadPredictions(file: string, gt: ParsedInstancesDataset): Promise<LoadedPredictions> {
  const json = await readJsonFile(file);
  return Array.isArray(json) ? fromResults(json, gt) : fromDataset(json, gt);
}
