// Reads a COCO panoptic export from disk one image at a time (coco-formats.md §Panoptic): the JSON,
// and each PNG when asked, checked with the same consistency rules the reference evaluator applies.
//
// `openPanoptic(p)` accepts:
//  - a .json file: its PNGs are in the folder of the same name without .json (panopticapi's
//    annotations/<name>.json + annotations/<name>/), or else in the first sibling folder holding
//    the first annotation's file_name (e.g. coco-panoptic-2: panoptic_examples.json + panoptic/);
//  - a folder: a batch output (annotations/panoptic_pseudo.json), or the one JSON in it whose
//    `annotations` carry segments_info.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CocoFormatError, isRecord } from '../../core/coco/json';
import { checkPanopticAnnotation, pngToIdMap, type IdMap, type PanopticAnnotation, type PanopticDataset } from '../../core/coco/panoptic';
import type { CocoCategory, CocoImage } from '../../core/coco/types';
import { PANOPTIC_NAME } from '../outputs';

export interface PanopticImageData {
  annotation: PanopticAnnotation;
  idMap: IdMap;
}

export interface PanopticSource {
  jsonPath: string;
  pngDir: string;
  categories: CocoCategory[];
  annotations: PanopticAnnotation[];
  /** images[] of the JSON by id, when it has them (file names let ids be matched across files). */
  imagesById: Map<number, CocoImage>;
  load(annotation: PanopticAnnotation): Promise<PanopticImageData>;
}

function isPanopticJson(value: unknown): value is PanopticDataset {
  return isRecord(value) && Array.isArray(value.annotations) && value.annotations.every((a) => isRecord(a) && Array.isArray(a.segments_info));
}

async function findJson(p: string): Promise<string> {
  if (!statSync(p).isDirectory()) return p;
  const ours = path.join(p, 'annotations', `${PANOPTIC_NAME}.json`);
  if (existsSync(ours)) return ours;
  for (const name of readdirSync(p).filter((n) => n.endsWith('.json')).sort()) {
    const json: unknown = JSON.parse(await readFile(path.join(p, name), 'utf8'));
    if (isPanopticJson(json)) return path.join(p, name);
  }
  throw new Error(`${p} holds no panoptic JSON (annotations with segments_info)`);
}

function findPngDir(jsonPath: string, firstFileName: string | undefined): string {
  const sameName = jsonPath.replace(/\.json$/, '');
  if (existsSync(sameName) && statSync(sameName).isDirectory()) return sameName;
  const parent = path.dirname(jsonPath);
  const dirs = readdirSync(parent, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(parent, e.name)).sort();
  const hit = firstFileName ? dirs.find((d) => existsSync(path.join(d, firstFileName))) : undefined;
  if (!hit) throw new Error(`no folder beside ${jsonPath} holds its PNGs (looked for ${firstFileName ?? 'any annotation'})`);
  return hit;
}

export async function openPanoptic(p: string, fallbackCategories?: CocoCategory[]): Promise<PanopticSource> {
  if (!existsSync(p)) throw new Error(`${p} does not exist`);
  const jsonPath = await findJson(path.resolve(p));
  const json: unknown = JSON.parse(await readFile(jsonPath, 'utf8'));
  if (!isPanopticJson(json)) throw new CocoFormatError(jsonPath, ['not a COCO panoptic JSON (annotations with segments_info)']);
  const categories = Array.isArray(json.categories) ? json.categories : fallbackCategories;
  if (!categories) throw new CocoFormatError(jsonPath, ['has no categories and none were given']);
  const pngDir = findPngDir(jsonPath, json.annotations[0]?.file_name);
  const categoryIds = new Set(categories.map((c) => c.id));
  const imagesById = new Map((json.images ?? []).map((im) => [im.id, im]));
  return {
    jsonPath,
    pngDir,
    categories,
    annotations: json.annotations,
    imagesById,
    async load(annotation) {
      const idMap = pngToIdMap(new Uint8Array(await readFile(path.join(pngDir, annotation.file_name))));
      const problems = checkPanopticAnnotation(annotation, idMap, categoryIds, imagesById.get(annotation.image_id));
      if (problems.length) throw new CocoFormatError(`${jsonPath} image ${annotation.image_id}`, problems);
      return { annotation, idMap };
    },
  };
}
