// The pipeline half of the backbone worker's API: process, cluster and label over the session
// store; kept apart from model loading so each file has one job.
import type { BackboneOutput } from '../src/core/backbone/types';
import type { BackboneSession } from '../src/runtime/backbone-session';
import { sharedSessionDb } from '../src/storage/session-db';
import * as Comlink from 'comlink';
import { transferables } from '../src/core/transferables';
import type { BackboneWorkerApi, EarlyRegions, EmbeddedImage, FeatureView, ProcessOptions } from './backbone-api';
import { clusterSession, embedImage, instanceOffsets, labelOne, restoreImage, segmentImage, storedClusters } from './pipeline-jobs';

type PipelineApi = Pick<BackboneWorkerApi, 'embed' | 'segment' | 'takeEmbedded' | 'segmentEmbedded' | 'restore' | 'storedClusters' | 'cluster' | 'label'>;

const db = sharedSessionDb;

/** Embedded photos waiting for their masks: the page asks for them right after (or after showing the first photo's regions). */
const WAITING_MAX = 4;

/** What the page keeps of a photo's features: sizes and timings (the PCA view is the view worker's, drawn on demand). */
function featureView(e: EmbeddedImage): FeatureView {
  return { id: e.id, sizeHW: e.sizeHW, gridH: e.features.gridH, gridW: e.features.gridW, timingsMs: { decode: e.timingsMs.decode, preprocess: 0, backbone: e.timingsMs.backbone } };
}

/**
 * `keep` receives each image's full backbone output (the worker keeps the latest for readFeatures);
 * `crfReady`: the CRF's WebAssembly kernels, loading since the worker started (segmenting waits for them).
 */
export function pipelineApi(getSession: () => BackboneSession | null, keep: (id: string, out: BackboneOutput) => void, crfReady: Promise<unknown>): PipelineApi {
  const waiting = new Map<string, EmbeddedImage>();
  const segmentEmbedded = async (embedded: EmbeddedImage, options: ProcessOptions) => {
    await crfReady;
    const { summary } = await segmentImage(await db(), embedded, options);
    return { summary, view: featureView(embedded) };
  };
  return {
    async embed(id, file, options, onRegions) {
      const session = getSession();
      if (!session) throw new Error('no model is loaded yet');
      // The page's callback is answered there; the passes go on meanwhile.
      const regions = onRegions ? (r: EarlyRegions) => void onRegions(r) : undefined;
      const embedded = await embedImage(session, await db(), id, file, options, regions);
      keep(id, embedded.features);
      // Held until its segment() call; only the latest few (a photo the page dropped meanwhile is not kept).
      waiting.set(id, embedded);
      while (waiting.size > WAITING_MAX) waiting.delete(waiting.keys().next().value as string);
      return { view: featureView(embedded), sizeHW: embedded.sizeHW, timingsMs: embedded.timingsMs };
    },

    async segment(id, file, options) {
      let embedded = waiting.get(id);
      waiting.delete(id);
      // Another worker embedded it (or this one was replaced meanwhile): embed it again here.
      if (!embedded || embedded.proposals !== (options.proposals ?? 'reference')) {
        const session = getSession();
        if (!session) throw new Error('no model is loaded yet');
        embedded = await embedImage(session, await db(), id, file, options);
        keep(id, embedded.features);
      }
      return segmentEmbedded(embedded, options);
    },

    async takeEmbedded(id) {
      const embedded = waiting.get(id);
      if (!embedded) throw new Error(`photo ${id} is not waiting for its masks in this worker`);
      waiting.delete(id);
      return Comlink.transfer(embedded, transferables(embedded));
    },

    segmentEmbedded,

    async restore(id, asked) {
      const session = getSession();
      if (!session) return null;
      const found = await restoreImage(await db(), id, session.manifest, asked);
      if (!found) return null;
      const { summary, label, tokens } = found;
      const view: FeatureView = { id, sizeHW: summary.sizeHW, gridH: tokens.gridH, gridW: tokens.gridW, timingsMs: { decode: 0, preprocess: 0, backbone: 0 } };
      return { summary, view, label };
    },

    async storedClusters() {
      return storedClusters(await db());
    },

    async cluster(ids, options) {
      return clusterSession(await db(), ids, options);
    },

    async label(id) {
      const store = await db();
      return labelOne(store, id, await instanceOffsets(store));
    },
  };
}
