// The view worker: paints overlays, answers hover lookups and builds exports from the session
// store (IndexedDB), loading no model so that it answers quickly while the pool computes.
import * as Comlink from 'comlink';
import { zipFiles } from '../src/core/coco/zip';
import { buildSessionExport, type ExportImage } from '../src/core/export/session-export';
import { pixelInfo, renderOverlay, type LabelGrid } from '../src/core/render/overlay';
import { readInstancesDataset, type ParsedInstancesDataset } from '../src/core/coco/instances-reader';
import { groundTruthFor, nameColour, renderGroundTruth } from '../src/core/render/ground-truth';
import type { StoredHeadLabels } from '../src/storage/records';
import { pcaRgba } from '../src/core/features/pca';
import { getFeatures, sharedSessionDb } from '../src/storage/session-db';
import { currentHeadLabels, getGroundTruthText, getLabels, getPass, putGroundTruthText } from '../src/storage/session-records';
import { instanceSelectionMethods } from './instance-selection-view';
import { userLabelsViewMethods } from './user-labels-view';
import type { GroundTruthSummary, LabelSource, ViewWorkerApi } from './view-api';

const db = sharedSessionDb;

/** Recently shown label maps, so hovering does not decode IndexedDB records on every mouse move. */
const gridCache = new Map<string, LabelGrid & { version: number }>();
const GRID_CACHE_SIZE = 8;

/** Which labels the views show: the adapted head's (when a head exists) or the clusters'. */
let labelSource: LabelSource = 'head';

async function labelGrid(id: string): Promise<LabelGrid | null> {
  const head = labelSource === 'head' ? await currentHeadLabels(await db(), id) : null;
  if (head) return headGrid(id, head);
  const stored = await getLabels(await db(), id);
  if (!stored) return null;
  const cached = gridCache.get(id);
  if (cached && cached.version === stored.clustersVersion) return cached;
  const pass = await getPass(await db(), id);
  const grid = {
    labels: stored,
    thingK: stored.thingCount,
    width: pass?.labelSizeHW.width ?? 0,
    height: pass?.labelSizeHW.height ?? 0,
    version: stored.clustersVersion,
  };
  return remember(id, grid);
}

/** Head labels are cached under negative versions so they never pass for cluster labels. */
function headGrid(id: string, head: StoredHeadLabels): LabelGrid {
  const cached = gridCache.get(id);
  if (cached && cached.version === -head.headVersion) return cached;
  const grid = {
    labels: { semanticRowMajor: new Uint16Array(0), semanticCategoryRowMajor: head.semanticCategoryRowMajor, panoptic: head.panoptic },
    thingK: 0,
    width: head.labelSizeHW.width,
    height: head.labelSizeHW.height,
    version: -head.headVersion,
  };
  return remember(id, grid);
}

function remember(id: string, grid: LabelGrid & { version: number }): LabelGrid {
  gridCache.set(id, grid);
  if (gridCache.size > GRID_CACHE_SIZE) gridCache.delete(gridCache.keys().next().value as string);
  return grid;
}

/** The pass instance painted at a pixel; null under an adapted head, whose instances are its own. */
async function shownInstance(id: string, x: number, y: number): Promise<number | null> {
  if (labelSource === 'head' && (await currentHeadLabels(await db(), id))) return null;
  const grid = await labelGrid(id);
  if (!grid || x < 0 || y < 0 || x >= grid.width || y >= grid.height) return null;
  const segId = grid.labels.panoptic.idsRowMajor[Math.floor(y) * grid.width + Math.floor(x)];
  return grid.labels.panoptic.segments.find((s) => s.id === segId)?.instanceIndex ?? null;
}

async function exportImages(images: Parameters<ViewWorkerApi['exportZip']>[0]): Promise<ExportImage[]> {
  const store = await db();
  const out: ExportImage[] = [];
  for (const im of images) {
    const head = labelSource === 'head' ? await currentHeadLabels(store, im.id) : null;
    if (head) {
      out.push({
        image: { id: im.cocoId, file_name: im.fileName, height: im.sizeHW[0], width: im.sizeHW[1] },
        labelSizeHW: head.labelSizeHW,
        instances: head.instances.map((inst) => ({ rle: inst.rle, score: inst.score, categoryId: inst.categoryId })),
        semanticRowMajor: new Uint16Array(0),
        semanticCategoryRowMajor: head.semanticCategoryRowMajor,
        panopticIdsRowMajor: head.panoptic.idsRowMajor,
        segments: head.panoptic.segments.map((s) => ({ id: s.id, categoryId: s.categoryId })),
      });
      continue;
    }
    const [pass, labels] = await Promise.all([getPass(store, im.id), getLabels(store, im.id)]);
    if (!pass || !labels) continue;
    out.push({
      image: { id: im.cocoId, file_name: im.fileName, height: im.sizeHW[0], width: im.sizeHW[1] },
      labelSizeHW: pass.labelSizeHW,
      instances: pass.instances.map((inst, i) => ({ rle: inst.rle, score: inst.score, categoryId: labels.instanceClusters[i] + 1 })),
      semanticRowMajor: labels.semanticRowMajor,
      panopticIdsRowMajor: labels.panoptic.idsRowMajor,
      segments: labels.panoptic.segments.map((s) => ({ id: s.id, categoryId: s.categoryId })),
    });
  }
  return out;
}

let groundTruth: ParsedInstancesDataset | null | undefined;

async function loadGroundTruth(): Promise<ParsedInstancesDataset | null> {
  if (groundTruth !== undefined) return groundTruth;
  const text = await getGroundTruthText(await db());
  groundTruth = text ? readInstancesDataset(text) : null;
  return groundTruth;
}

function summarise(gt: ParsedInstancesDataset): GroundTruthSummary {
  const { images, annotations, categories } = gt.dataset;
  return { images: images.length, annotations: annotations.length, categories: categories.length, fileNames: images.map((im) => im.file_name) };
}

const api: ViewWorkerApi = {
  async setLabelSource(source) {
    labelSource = source;
  },

  async importGroundTruth(file) {
    const text = await file.text();
    const parsed = readInstancesDataset(text);
    await putGroundTruthText(await db(), text);
    groundTruth = parsed;
    return summarise(parsed);
  },

  async groundTruthSummary() {
    const gt = await loadGroundTruth().catch(() => null);
    return gt ? summarise(gt) : null;
  },

  async renderGroundTruth(fileName) {
    const gt = await loadGroundTruth();
    const image = gt ? groundTruthFor(gt, fileName) : null;
    if (!image) return null;
    const rgba = renderGroundTruth(image, nameColour);
    return Comlink.transfer({ rgba, width: image.width, height: image.height }, [rgba.buffer]);
  },

  async render(id, style) {
    const grid = await labelGrid(id);
    if (!grid) return null;
    const rgba = renderOverlay(grid, style);
    return Comlink.transfer({ rgba, width: grid.width, height: grid.height }, [rgba.buffer]);
  },

  async featurePca(id) {
    const feats = await getFeatures(await db(), id);
    if (!feats) return null;
    const rgba = pcaRgba(feats.tokens, feats.gridH * feats.gridW, feats.tokenDim);
    return Comlink.transfer({ rgba, width: feats.gridW, height: feats.gridH }, [rgba.buffer]);
  },

  async pixelInfo(id, mode, x, y) {
    const grid = await labelGrid(id);
    return grid ? pixelInfo(grid, mode, x, y) : null;
  },

  async exportZip(images, table, options) {
    const list = await exportImages(images);
    if (!list.length) throw new Error('no image has results to export yet');
    const zip = zipFiles(buildSessionExport(list, table, options));
    return Comlink.transfer(zip, [zip.buffer]);
  },

  // The user's own labels (fill segment, label size, ground truth as labels).
  ...userLabelsViewMethods({ db, labelGrid, groundTruth: loadGroundTruth }),
  ...instanceSelectionMethods({ db, shownInstance }),
};

Comlink.expose(api);
