// COCO panoptic: id ↔ RGB, id map ↔ PNG, segments_info, the evaluator's consistency checks, writer and reader.
// coco-formats.md §Panoptic (id = R + 256·G + 256²·B, 0 = void; refusals as in panopticapi pq_compute).
import { decode as decodePng, encode as encodePng } from 'fast-png';
import { CocoFormatError, Issues, isInteger, isRecord, jsonBytes, parseJsonInput, show } from './json';
import type { BboxXYWH, CocoCategory, CocoImage } from './types';

export interface PanopticSegmentInfo {
  id: number;
  category_id: number;
  area: number;
  bbox: BboxXYWH;
  iscrowd: 0 | 1;
}

export interface PanopticAnnotation {
  image_id: number;
  file_name: string;
  segments_info: PanopticSegmentInfo[];
}

export interface PanopticDataset {
  info?: Record<string, unknown>;
  licenses?: unknown[];
  images?: CocoImage[];
  annotations: PanopticAnnotation[];
  categories: CocoCategory[];
}

/** Segment ids per pixel, row-major; 0 = void. */
export interface IdMap {
  idsRowMajor: Uint32Array;
  height: number;
  width: number;
}

/** What a caller knows about a segment before its area and bbox are measured. */
export interface SegmentLabel {
  id: number;
  category_id: number;
  iscrowd?: 0 | 1;
}

const MAX_ID = 256 ** 3 - 1;

export function rgbToId(r: number, g: number, b: number): number {
  return r + 256 * g + 256 * 256 * b;
}

export function idToRgb(id: number): [number, number, number] {
  return [id % 256, Math.floor(id / 256) % 256, Math.floor(id / 65536) % 256];
}

/** Id map → 8-bit RGB PNG bytes. */
export function idMapToPng(idMap: IdMap): Uint8Array {
  const { idsRowMajor, height, width } = idMap;
  if (idsRowMajor.length !== height * width) throw new Error(`id map has ${idsRowMajor.length} values, expected ${height}×${width}`);
  const rgb = new Uint8Array(height * width * 3);
  for (let p = 0; p < idsRowMajor.length; p++) {
    const id = idsRowMajor[p];
    if (id > MAX_ID) throw new Error(`segment id ${id} does not fit in 24-bit RGB`);
    rgb[3 * p] = id & 0xff;
    rgb[3 * p + 1] = (id >>> 8) & 0xff;
    rgb[3 * p + 2] = (id >>> 16) & 0xff;
  }
  return encodePng({ width, height, data: rgb, depth: 8, channels: 3 });
}

/** 8-bit RGB(A) PNG bytes → id map; alpha is ignored, as PIL → numpy → rgb2id ignores it. */
export function pngToIdMap(png: Uint8Array): IdMap {
  const decoded = decodePng(png);
  const { width, height, channels, depth } = decoded;
  if (depth !== 8 || decoded.palette || (channels !== 3 && channels !== 4)) {
    throw new Error(`panoptic PNG must be 8-bit RGB, got ${channels} channel(s) at ${depth} bits${decoded.palette ? ' (palette)' : ''}`);
  }
  const idsRowMajor = new Uint32Array(width * height);
  const data = decoded.data;
  for (let p = 0; p < idsRowMajor.length; p++) {
    const o = p * channels;
    idsRowMajor[p] = data[o] + 256 * data[o + 1] + 65536 * data[o + 2];
  }
  return { idsRowMajor, height, width };
}

/** Pixel count and tight [x, y, w, h] of every non-void id in the map. */
export function segmentStats(idMap: IdMap): Map<number, { area: number; bbox: BboxXYWH }> {
  const { idsRowMajor, width } = idMap;
  const extents = new Map<number, { area: number; x0: number; y0: number; x1: number; y1: number }>();
  for (let p = 0; p < idsRowMajor.length; p++) {
    const id = idsRowMajor[p];
    if (id === 0) continue;
    const x = p % width;
    const y = (p - x) / width;
    const e = extents.get(id);
    if (!e) extents.set(id, { area: 1, x0: x, y0: y, x1: x, y1: y });
    else {
      e.area++;
      if (x < e.x0) e.x0 = x;
      if (x > e.x1) e.x1 = x;
      // Rows arrive in order, so only the last row can grow.
      e.y1 = y;
    }
  }
  const stats = new Map<number, { area: number; bbox: BboxXYWH }>();
  for (const [id, e] of extents) {
    stats.set(id, { area: e.area, bbox: [e.x0, e.y0, e.x1 - e.x0 + 1, e.y1 - e.y0 + 1] });
  }
  return stats;
}

/**
 * segments_info for the given labels, measured on the id map. A labelled id absent from the map gets
 * area 0 and is then refused by checkPanopticAnnotation, so the caller hears about it in one place.
 */
export function segmentsInfoFromIdMap(idMap: IdMap, labels: readonly SegmentLabel[]): PanopticSegmentInfo[] {
  const stats = segmentStats(idMap);
  return labels.map((label) => {
    const measured = stats.get(label.id);
    return {
      id: label.id,
      category_id: label.category_id,
      area: measured?.area ?? 0,
      bbox: measured ? ([...measured.bbox] as BboxXYWH) : [0, 0, 0, 0],
      iscrowd: label.iscrowd ?? 0,
    };
  });
}

/**
 * The reference evaluator's refusals for one image (PNG id not in JSON, JSON id not in PNG, unknown
 * category) plus what it would silently mishandle (duplicate ids, id 0 listed, PNG size ≠ image size).
 * Returns the problems (the caller prefixes where they are); empty when the annotation is usable.
 */
export function checkPanopticAnnotation(
  annotation: PanopticAnnotation,
  idMap: IdMap,
  categoryIds: ReadonlySet<number>,
  image?: CocoImage,
): string[] {
  const errors: string[] = [];
  const say = (message: string): void => {
    errors.push(message);
  };
  if (image && (image.height !== idMap.height || image.width !== idMap.width)) {
    say(`PNG ${annotation.file_name} is ${idMap.height}×${idMap.width} but image ${image.id} is ${image.height}×${image.width}`);
  }
  const listed = new Set<number>();
  for (const segment of annotation.segments_info) {
    if (segment.id === 0) say('segments_info lists id 0, which is reserved for void');
    if (listed.has(segment.id)) say(`duplicate segment id ${segment.id} in segments_info`);
    listed.add(segment.id);
    if (!categoryIds.has(segment.category_id)) say(`segment id ${segment.id} has unknown category_id ${segment.category_id}`);
  }
  const inPng = segmentStats(idMap);
  const pngOnly = [...inPng.keys()].filter((id) => !listed.has(id)).sort((a, b) => a - b);
  for (const id of pngOnly) {
    const [r, g, b] = idToRgb(id);
    say(`segment id ${id} (RGB ${r},${g},${b}) is in PNG ${annotation.file_name} but not in segments_info`);
  }
  const jsonOnly = [...listed].filter((id) => id !== 0 && !inPng.has(id));
  if (jsonOnly.length > 0) say(`segment ids ${jsonOnly.join(', ')} are in segments_info but not in PNG ${annotation.file_name}`);
  return errors;
}

export interface PanopticImageInput {
  image: CocoImage;
  idMap: IdMap;
  segments: readonly SegmentLabel[];
}

/**
 * Results in the layout panopticapi expects: PNGs under annotations/<name>/ and annotations/<name>.json.
 * Refuses (CocoFormatError) anything the evaluator would refuse.
 */
export function writePanoptic(
  name: string,
  perImage: readonly PanopticImageInput[],
  categories: readonly CocoCategory[],
): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const categoryIds = new Set(categories.map((c) => c.id));
  const annotations: PanopticAnnotation[] = [];
  const errors: string[] = [];
  perImage.forEach(({ image, idMap, segments }, index) => {
    // Flat folder as panopticapi expects; the image's own sub-folders are dropped, collisions refused below.
    const fileName = `${(image.file_name.split('/').pop() ?? '').replace(/\.[^.]*$/, '')}.png`;
    const annotation = { image_id: image.id, file_name: fileName, segments_info: segmentsInfoFromIdMap(idMap, segments) };
    const where = `annotations[${index}] (image ${image.id})`;
    for (const message of checkPanopticAnnotation(annotation, idMap, categoryIds, image)) errors.push(`${where}: ${message}`);
    const path = `annotations/${name}/${fileName}`;
    if (files[path]) errors.push(`${where}: PNG name ${fileName} is used by two images`);
    files[path] = idMapToPng(idMap);
    annotations.push(annotation);
  });
  if (errors.length > 0) throw new CocoFormatError(`panoptic results "${name}"`, errors);
  const dataset: PanopticDataset = {
    images: perImage.map(({ image }) => ({ ...image })),
    annotations,
    categories: categories.map((c) => ({ ...c })),
  };
  files[`annotations/${name}.json`] = jsonBytes(dataset);
  return files;
}

export interface ParsedPanoptic {
  dataset: PanopticDataset;
  /** Id map of each annotation, in annotation order. */
  idMaps: IdMap[];
  /** segments_info re-measured on each PNG (area, bbox), with category and iscrowd from the JSON. */
  measured: PanopticSegmentInfo[][];
}

/**
 * Reads a panoptic JSON and its PNGs (keyed by the annotations' file_name), validating both.
 * Categories come from the JSON, or from `categories` when the JSON has none (prediction files).
 */
export function readPanoptic(
  jsonInput: unknown,
  pngByFileName: Readonly<Record<string, Uint8Array>>,
  categories?: readonly CocoCategory[],
): ParsedPanoptic {
  const json = parseJsonInput(jsonInput, 'COCO panoptic');
  const issues = new Issues();
  const dataset = checkPanopticJson(json, categories, issues);
  issues.throwIfAny('COCO panoptic');
  const parsed = dataset as PanopticDataset;
  const categoryIds = new Set(parsed.categories.map((c) => c.id));
  const imagesById = new Map((parsed.images ?? []).map((image) => [image.id, image]));
  const idMaps: IdMap[] = [];
  const measured: PanopticSegmentInfo[][] = [];
  parsed.annotations.forEach((annotation, index) => {
    const where = `annotations[${index}] (image ${annotation.image_id})`;
    const png = pngByFileName[annotation.file_name];
    if (!png) return issues.add(where, `PNG ${annotation.file_name} is missing`);
    let idMap: IdMap;
    try {
      idMap = pngToIdMap(png);
    } catch (error) {
      return issues.add(where, `PNG ${annotation.file_name}: ${(error as Error).message}`);
    }
    const image = imagesById.get(annotation.image_id);
    for (const message of checkPanopticAnnotation(annotation, idMap, categoryIds, image)) issues.add(where, message);
    idMaps.push(idMap);
    measured.push(segmentsInfoFromIdMap(idMap, annotation.segments_info));
  });
  issues.throwIfAny('COCO panoptic');
  return { dataset: parsed, idMaps, measured };
}

/** Reads what writePanoptic produced (or the same layout from a zip). */
export function readPanopticFiles(files: Readonly<Record<string, Uint8Array>>, name: string): ParsedPanoptic {
  const json = files[`annotations/${name}.json`];
  if (!json) throw new CocoFormatError(`panoptic results "${name}"`, [`annotations/${name}.json is missing`]);
  const prefix = `annotations/${name}/`;
  const pngs: Record<string, Uint8Array> = {};
  for (const [path, bytes] of Object.entries(files)) {
    if (path.startsWith(prefix)) pngs[path.slice(prefix.length)] = bytes;
  }
  return readPanoptic(json, pngs);
}

function checkPanopticJson(
  json: unknown,
  fallbackCategories: readonly CocoCategory[] | undefined,
  issues: Issues,
): PanopticDataset | undefined {
  if (!isRecord(json) || !Array.isArray(json.annotations)) {
    issues.add('panoptic JSON', 'must be an object with an `annotations` array');
    return undefined;
  }
  const categories = Array.isArray(json.categories) ? (json.categories as CocoCategory[]) : fallbackCategories;
  if (!categories) issues.add('panoptic JSON', 'has no `categories` and none were given');
  categories?.forEach((category, index) => {
    if (!isRecord(category) || !isInteger(category.id)) issues.add(`categories[${index}]`, `needs an integer id, got ${show(category)}`);
  });
  const seenImages = new Map<number, number>();
  (json.annotations as unknown[]).forEach((record, index) => {
    const where = `annotations[${index}]${isRecord(record) && isInteger(record.image_id) ? ` (image ${record.image_id})` : ''}`;
    if (!isRecord(record)) return issues.add(where, `must be an object, got ${show(record)}`);
    if (!isInteger(record.image_id)) issues.add(where, `image_id must be an integer, got ${show(record.image_id)}`);
    else if (seenImages.has(record.image_id)) {
      issues.add(where, `image ${record.image_id} already annotated by annotations[${seenImages.get(record.image_id)}]`);
    } else seenImages.set(record.image_id, index);
    if (typeof record.file_name !== 'string') issues.add(where, `file_name must be a string, got ${show(record.file_name)}`);
    if (!Array.isArray(record.segments_info)) return issues.add(where, 'segments_info must be an array');
    record.segments_info.forEach((segment: unknown, s: number) => checkSegmentRecord(segment, `${where} segments_info[${s}]`, issues));
  });
  return { ...(json as unknown as PanopticDataset), categories: categories ? [...categories] : [] };
}

function checkSegmentRecord(segment: unknown, where: string, issues: Issues): void {
  if (!isRecord(segment)) return issues.add(where, `must be an object, got ${show(segment)}`);
  if (!isInteger(segment.id) || segment.id < 0 || segment.id > MAX_ID) {
    issues.add(where, `id must be an integer in 0..${MAX_ID}, got ${show(segment.id)}`);
  }
  if (!isInteger(segment.category_id)) issues.add(where, `category_id must be an integer, got ${show(segment.category_id)}`);
  if (segment.iscrowd !== undefined && segment.iscrowd !== 0 && segment.iscrowd !== 1) {
    issues.add(where, `iscrowd must be 0 or 1, got ${show(segment.iscrowd)}`);
  }
}
