// The view worker: paints overlays, answers hover lookups and builds exports from the session
// store (IndexedDB), loading no model so that it answers quickly while the pool computes.
import * as Comlink from 'comlink';
import { zipFiles } from '../src/core/coco/zip';
import { buildSessionExport, type ExportImage } from '../src/core/export/session-export';
import type { ImagePass } from '../src/core/pipeline/image-pass';
import { pixelInfo, renderOverlay, type LabelGrid } from '../src/core/render/overlay';
import { getResult, openSessionDb, type SessionDb } from '../src/storage/session-db';
import { LABELS, PASS, type StoredLabels } from './pipeline-jobs';
import type { ViewWorkerApi } from './view-api';

let dbPromise: Promise<SessionDb> | null = null;
const db = () => (dbPromise ??= openSessionDb());

/** Recently shown label maps, so hovering does not decode IndexedDB records on every mouse move. */
const gridCache = new Map<string, LabelGrid & { version: number }>();
const GRID_CACHE_SIZE = 8;

async function labelGrid(id: string): Promise<LabelGrid | null> {
  const stored = await getResult<StoredLabels>(await db(), id, LABELS);
  if (!stored) return null;
  const cached = gridCache.get(id);
  if (cached && cached.version === stored.clustersVersion) return cached;
  const pass = await getResult<ImagePass>(await db(), id, PASS);
  const grid = {
    labels: stored,
    thingK: stored.thingCount,
    width: pass?.labelSizeHW.width ?? 0,
    height: pass?.labelSizeHW.height ?? 0,
    version: stored.clustersVersion,
  };
  gridCache.set(id, grid);
  if (gridCache.size > GRID_CACHE_SIZE) gridCache.delete(gridCache.keys().next().value as string);
  return grid;
}

async function exportImages(images: Parameters<ViewWorkerApi['exportZip']>[0]): Promise<ExportImage[]> {
  const store = await db();
  const out: ExportImage[] = [];
  for (const im of images) {
    const [pass, labels] = await Promise.all([getResult<ImagePass>(store, im.id, PASS), getResult<StoredLabels>(store, im.id, LABELS)]);
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

const api: ViewWorkerApi = {
  async render(id, style) {
    const grid = await labelGrid(id);
    if (!grid) return null;
    const rgba = renderOverlay(grid, style);
    return Comlink.transfer({ rgba, width: grid.width, height: grid.height }, [rgba.buffer]);
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
};

Comlink.expose(api);
