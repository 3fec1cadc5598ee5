// Phase 2 writers of a batch run (method.md §3–§5 results as COCO files, coco-formats.md): one
// photo at a time, at its ORIGINAL size, through the core COCO writers; the JSON files at the end.
//
// Layout under <out>/ (categories: thing k = id k for k = 1..K; stuff cluster c (0-based) = id
// T + c + 1 with T = max(K, 1), as the panoptic merge numbers them):
//   instances.json                 dataset style, categories "thing 1".."thing K", each annotation with `score`
//   instances_results.json         the same instances as a results list (pycocotools loadRes)
//   annotations/panoptic_pseudo/   RGB id PNGs; annotations/panoptic_pseudo.json (things + stuff categories)
//   semantic/<stem>.png            pixel = stuff category id (T + c + 1), 0 = void; 16-bit above 255 classes
//   clusters.json                  written by finalize (centroids, K, seed, model)
// PNG stems are the photo's relative path without extension, '/' replaced by '__' (one flat folder).
import path from 'node:path';
import { buildInstancesDataset, buildInstancesResults, type CocoAnnotation, type CocoResult, type InstanceInput } from '../core/coco/instances';
import { CocoFormatError } from '../core/coco/json';
import { checkPanopticAnnotation, idMapToPng, segmentsInfoFromIdMap, type PanopticAnnotation, type IdMap } from '../core/coco/panoptic';
import { decodeMask, encodeMask } from '../core/coco/rle';
import { labelMapToPng } from '../core/coco/semantic-png';
import type { CocoCategory, CocoImage, Rle } from '../core/coco/types';
import { resizeNearestLabels } from '../core/export/session-export';
import type { PanopticResult } from '../core/pipeline/panoptic-merge';
import type { SizeHW } from '../core/pipeline/upsample';
import { writeFileAtomic, writeJsonAtomic } from './atomic-file';

export const PANOPTIC_NAME = 'panoptic_pseudo';

export interface LabelledImage {
  /** COCO image record at the photo's original size. */
  image: CocoImage;
  labelSizeHW: SizeHW;
  /** Label-resolution masks with their 0-based thing cluster. */
  instances: { rle: Rle; score: number; thingCluster: number }[];
  /** 0-based stuff cluster per pixel, label resolution. */
  semanticRowMajor: Uint16Array;
  /** Label resolution; categories thing 1..K, stuff T+1..T+S. */
  panoptic: PanopticResult;
}

export interface OutputCategories {
  things: CocoCategory[];
  all: CocoCategory[];
  /** T = max(K, 1): stuff cluster c is category T + c + 1. */
  stuffOffset: number;
}

export function outputCategories(thingK: number, stuffK: number): OutputCategories {
  const things = Array.from({ length: thingK }, (_, k) => ({ id: k + 1, name: `thing ${k + 1}`, supercategory: 'thing', isthing: 1 }));
  const stuffOffset = Math.max(thingK, 1);
  const stuff = Array.from({ length: stuffK }, (_, c) => ({ id: stuffOffset + c + 1, name: `stuff ${c + 1}`, supercategory: 'stuff', isthing: 0 }));
  return { things, all: [...things, ...stuff], stuffOffset };
}

export function pngStem(key: string): string {
  return key.replace(/\.[^./]*$/, '').split('/').join('__');
}

/**
 * COCO image ids: the file-name numbers when every photo is named by a distinct integer (COCO's
 * 000000000790.jpg → 790, so ground truth lines up), else 1..N in key order.
 */
export function assignImageIds(sortedKeys: readonly string[]): number[] {
  const stems = sortedKeys.map((k) => path.posix.basename(k).replace(/\.[^.]*$/, ''));
  const numbers = stems.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  const usable = numbers.every((n) => Number.isSafeInteger(n)) && new Set(numbers).size === numbers.length;
  return usable ? numbers : sortedKeys.map((_, i) => i + 1);
}

function upsampleRle(rle: Rle, from: SizeHW, image: CocoImage): Rle {
  if (rle.size[0] === image.height && rle.size[1] === image.width) return rle;
  return encodeMask(resizeNearestLabels(decodeMask(rle), from, image.height, image.width), image.height, image.width);
}

/**
 * A photo's outputs at its original size, encoded: its instances' masks, its panoptic segments
 * (checked) and both PNGs. Pure work on the photo alone, so labels threads do it (labels-pool.ts).
 */
export interface EncodedImage {
  image: CocoImage;
  instances: InstanceInput[];
  segmentsInfo: PanopticAnnotation['segments_info'];
  panopticPng: Uint8Array;
  semanticPng: Uint8Array;
}

export function encodeImage(item: LabelledImage, categories: OutputCategories): EncodedImage {
  const { image } = item;
  const instances: InstanceInput[] = item.instances.map((inst) => ({
    mask: { rle: upsampleRle(inst.rle, item.labelSizeHW, image) },
    categoryId: inst.thingCluster + 1,
    score: inst.score,
  }));
  const idMap: IdMap = {
    idsRowMajor: resizeNearestLabels(item.panoptic.idsRowMajor, item.labelSizeHW, image.height, image.width),
    height: image.height,
    width: image.width,
  };
  const labels = item.panoptic.segments.map((s) => ({ id: s.id, category_id: s.categoryId, iscrowd: 0 as const }));
  const segmentsInfo = segmentsInfoFromIdMap(idMap, labels);
  const problems = checkPanopticAnnotation({ image_id: image.id, file_name: `${pngStem(image.file_name)}.png`, segments_info: segmentsInfo }, idMap, new Set(categories.all.map((c) => c.id)), image);
  if (problems.length) throw new CocoFormatError(`panoptic labels of image ${image.id}`, problems);
  return { image, instances, segmentsInfo, panopticPng: idMapToPng(idMap), semanticPng: semanticPng(item, categories) };
}

function semanticPng(item: LabelledImage, categories: OutputCategories): Uint8Array {
  const { image } = item;
  const src = item.semanticRowMajor;
  const labels = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) labels[i] = categories.stuffOffset + src[i] + 1;
  const full = resizeNearestLabels(labels, item.labelSizeHW, image.height, image.width);
  const classCount = categories.stuffOffset + categories.all.length - categories.things.length;
  return labelMapToPng({ labelsRowMajor: full, height: image.height, width: image.width }, classCount);
}

/** Buffers of an encoded photo, for a transfer between threads. */
export function encodedBuffers(e: EncodedImage): ArrayBuffer[] {
  return [e.panopticPng.buffer, e.semanticPng.buffer] as ArrayBuffer[];
}

/** Writes photos' PNGs as they arrive, in order, and keeps the (small) JSON records until finish(). */
export class OutputWriter {
  private readonly images: CocoImage[] = [];
  private readonly annotations: (CocoAnnotation & { score: number })[] = [];
  private readonly results: CocoResult[] = [];
  private readonly panoptic: PanopticAnnotation[] = [];
  private readonly pngNames = new Set<string>();

  constructor(
    private readonly outDir: string,
    readonly categories: OutputCategories,
  ) {}

  async addImage(encoded: EncodedImage): Promise<void> {
    const { image } = encoded;
    const stem = pngStem(image.file_name);
    if (this.pngNames.has(stem)) throw new Error(`two photos map to the PNG name ${stem}.png`);
    this.pngNames.add(stem);
    this.images.push({ ...image });
    this.addInstances(encoded);
    const fileName = `${stem}.png`;
    await writeFileAtomic(path.join(this.outDir, 'annotations', PANOPTIC_NAME, fileName), encoded.panopticPng);
    this.panoptic.push({ image_id: image.id, file_name: fileName, segments_info: encoded.segmentsInfo });
    await writeFileAtomic(path.join(this.outDir, 'semantic', fileName), encoded.semanticPng);
  }

  private addInstances({ image, instances }: EncodedImage): void {
    const perImage = [{ image, instances }];
    const dataset = buildInstancesDataset(perImage, this.categories.things, { firstAnnotationId: this.annotations.length + 1 });
    if (dataset.annotations.length !== instances.length) throw new Error(`image ${image.id}: an instance mask came out empty`);
    dataset.annotations.forEach((a, i) => this.annotations.push({ ...a, score: instances[i].score ?? 0 }));
    this.results.push(...buildInstancesResults(perImage, this.categories.things));
  }

  /** The three JSON files; written last so that their presence means the PNGs are all there. */
  async finish(info: Record<string, unknown>): Promise<void> {
    const images = this.images.map((im) => ({ ...im }));
    await writeJsonAtomic(path.join(this.outDir, 'instances.json'), {
      info, images, categories: this.categories.things, annotations: this.annotations,
    }, undefined);
    await writeJsonAtomic(path.join(this.outDir, 'instances_results.json'), this.results, undefined);
    await writeJsonAtomic(path.join(this.outDir, 'annotations', `${PANOPTIC_NAME}.json`), {
      info, images, annotations: this.panoptic, categories: this.categories.all,
    }, undefined);
  }
}
