// The pipeline half of the backbone worker's API: process, cluster and label over the session
// store; kept apart from model loading so each file has one job.
import * as Comlink from 'comlink';
import type { BackboneOutput } from '../src/core/backbone/types';
import { pcaRgba } from '../src/core/features/pca';
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
      const t0 = performance.now();
      const pca = pcaRgba(features.tokens, features.gridH * features.gridW, features.tokenDim);
      summary.timingsMs.pca = performance.now() - t0;
      const view: FeatureView = {
        id,
        sizeHW: summary.sizeHW,
        gridH: features.gridH,
        gridW: features.gridW,
        pcaRgba: pca,
        timingsMs: { decode: summary.timingsMs.decode, preprocess: 0, backbone: summary.timingsMs.backbone, pca: summary.timingsMs.pca },
      };
      return Comlink.transfer({ summary, view }, [pca.buffer]);
    },

    async restore(id, asked) {
      const session = getSession();
      if (!session) return null;
      const found = await restoreImage(await db(), id, session.manifest, asked);
      if (!found) return null;
      const { summary, label, tokens } = found;
      const pca = pcaRgba(tokens.tokens, tokens.gridH * tokens.gridW, tokens.tokenDim);
      const view: FeatureView = { id, sizeHW: summary.sizeHW, gridH: tokens.gridH, gridW: tokens.gridW, pcaRgba: pca, timingsMs: { decode: 0, preprocess: 0, backbone: 0, pca: 0 } };
      return Comlink.transfer({ summary, view, label }, [pca.buffer]);
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
