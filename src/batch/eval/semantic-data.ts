// The photos and dense ground truth of the semantic evaluation (method.md §7, Semantic): COCO-Stuff
// label maps mapped to STEGO's 27 classes, and COCO instances painted as their 12 thing supercategories.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decode as decodePng } from 'fast-png';
import { cocoStuffToCoarse27, COCO_STUFF27_NAMES, IGNORE_LABEL } from '../../core/metrics/semantic';
import type { SizeHW } from '../../core/pipeline/upsample';
import { cacheDir, hasEntry, readEntryArrays, readEntryMeta } from '../cache';
import { listImages } from '../image-list';
import type { ProgressSink } from '../progress';
import { runSegment, SEGMENT_DEFAULTS } from '../segment';
import { loadEvalGroundTruth } from '../adapt/scoring';

export interface SemanticPhoto {
  key: string;
  /** Which data set it belongs to (its folder's name). */
  dataset: string;
  labelSizeHW: SizeHW;
  photoSizeHW: SizeHW;
  gridH: number;
  gridW: number;
  tokens: Float32Array;
  /** Class index per photo pixel, IGNORE_LABEL where unscored. */
  truth: Uint8Array;
}

export interface SemanticDataset {
  name: string;
  classNames: string[];
  photos: SemanticPhoto[];
}

/** Caches the folder's tokens with the batch pipeline (refine none: only tokens are needed here). */
async function cachedEntries(imagesDir: string, outDir: string, model: string | undefined, limit: number | undefined, progress: ProgressSink | null) {
  let files = await listImages(imagesDir, [outDir]);
  if (limit !== undefined) files = files.slice(0, limit);
  if (!files.length) throw new Error(`no photos under ${imagesDir}`);
  const dir = cacheDir(outDir);
  if (!files.every((f) => hasEntry(dir, f.key))) {
    progress?.write(`caching tokens of ${imagesDir} in ${dir}\n`);
    await runSegment({ ...SEGMENT_DEFAULTS, refine: 'none', folder: imagesDir, outDir, model, limit, progress });
  }
  const usable = files.filter((f) => hasEntry(dir, f.key));
  return Promise.all(usable.map(async (f) => readEntryArrays(dir, await readEntryMeta(dir, f.key))));
}

type Entry = Awaited<ReturnType<typeof cachedEntries>>[number];

function photoOf(entry: Entry, dataset: string, truth: Uint8Array): SemanticPhoto {
  const { meta } = entry;
  return {
    key: meta.key,
    dataset,
    labelSizeHW: { height: meta.labelSizeHW[0], width: meta.labelSizeHW[1] },
    photoSizeHW: { height: meta.photoSizeHW[0], width: meta.photoSizeHW[1] },
    gridH: meta.gridH,
    gridW: meta.gridW,
    tokens: entry.tokens,
    truth,
  };
}

/** COCO-Stuff-27: `<dir>/images/*.jpg` with `<dir>/labels/<stem>.png` (value v = class v + 1, 255 unlabelled). */
export async function loadCocoStuff(dir: string, outDir: string, model: string | undefined, limit: number | undefined, progress: ProgressSink | null): Promise<SemanticDataset> {
  const entries = await cachedEntries(path.join(dir, 'images'), outDir, model, limit, progress);
  const name = path.basename(dir);
  const photos = await Promise.all(entries.map(async (e) => {
    const stem = path.parse(e.meta.key).name;
    const png = decodePng(new Uint8Array(await readFile(path.join(dir, 'labels', `${stem}.png`))));
    if (png.channels !== 1 || png.width !== e.meta.photoSizeHW[1] || png.height !== e.meta.photoSizeHW[0]) {
      throw new Error(`${stem}.png is not a ${e.meta.photoSizeHW[1]}×${e.meta.photoSizeHW[0]} single-channel label map`);
    }
    return photoOf(e, name, cocoStuffToCoarse27(png.data));
  }));
  return { name: `${name} (COCO-Stuff-27)`, classNames: [...COCO_STUFF27_NAMES], photos };
}

/**
 * COCO instances as a dense map of the 12 thing supercategories; pixels no annotation covers,
 * and crowd regions, are not scored (the map says which thing is there, not what the rest is).
 */
export async function loadCocoThingSupercategories(dir: string, outDir: string, model: string | undefined, limit: number | undefined, progress: ProgressSink | null): Promise<SemanticDataset> {
  const entries = await cachedEntries(path.join(dir, 'images'), outDir, model, limit, progress);
  const gt = await loadEvalGroundTruth(path.join(dir, 'instances.json'), entries.map((e) => e.meta.key));
  const name = path.basename(dir);
  const photos = entries.map((e) => {
    const classMap = gt.classMaps.get(gt.imageIdOfKey.get(e.meta.key) ?? -1);
    if (!classMap) throw new Error(`${e.meta.key} has no ground truth`);
    const truth = Uint8Array.from(classMap, (c) => (c < gt.otherClass ? gt.superOfClass[c] : IGNORE_LABEL));
    return photoOf(e, name, truth);
  });
  return { name: `${name} (12 thing supercategories)`, classNames: gt.superNames.slice(0, -1), photos };
}
