// The pipeline half of the backbone worker's API: process, cluster and label over the session
// store; kept apart from model loading so each file has one job.
import type { BackboneOutput } from '../src/core/backbone/types';
import type { BackboneSession } from '../src/runtime/backbone-session';
import { sharedSessionDb } from '../src/storage/session-db';
import type { BackboneWorkerApi, FeatureView } from './backbone-api';
import { clusterSession, instanceOffsets, labelOne, processImage, restoreImage, storedClusters } from './pipeline-jobs';

type PipelineApi = Pick<BackboneWorkerApi, 'process' | 'restore' | 'storedClusters' | 'cluster' | 'label'>;

const db = sharedSessionDb;

/** `keep` receives each image's full backbone output (the worker keeps the latest for readFeatures). */
export function pipelineApi(getSession: () => BackboneSession | null, keep: (id: string, out: BackboneOutput) => void): PipelineApi {
  return {
    async process(id, file, options) {
      const session = getSession();
      if (!session) throw new Error('no model is loaded yet');
      const { summary, features } = await processImage(session, await db(), id, file, options);
      keep(id, features);
      // The PCA view is the view worker's, drawn when the user shows it: not on the way to the overlay.
      const view: FeatureView = {
        id,
        sizeHW: summary.sizeHW,
        gridH: features.gridH,
        gridW: features.gridW,
        timingsMs: { decode: summary.timingsMs.decode, preprocess: 0, backbone: summary.timingsMs.backbone },
      };
      return { summary, view };
    },

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
