// STEGO in the page (method.md §4): once a batch is labelled with the provisional k-means stuff
// clusters, the semantic worker trains STEGO's head on every processed photo; the clusters it
// refits on the head's codes then replace k-means' in the semantic and panoptic views and exports.
import * as Comlink from 'comlink';
import { STEGO_MIN_PHOTOS } from '../../core/stego/train';
import type { SemanticProgress, StegoBackendPreference } from '../../../workers/semantic-api';
import { useSemantic } from '../state/semantic-store';
import { useApp } from '../state/store';
import { cancellableJobs } from './cancellable';
import { pageConfig } from '../config';
import { adoptClusters, onSessionSettled, processedIds } from './pipeline';
import { restartSemanticWorker, semanticWorker, semanticWorkerCrashed } from './semantic-client';

const jobs = cancellableJobs(semanticWorkerCrashed, restartSemanticWorker);
const onProgress = Comlink.proxy((p: SemanticProgress) => useSemantic.getState().setProgress(p));

/** `?stego=off` keeps k-means (a user on a slow machine; tests that time other things). */
function stegoDisabled(): boolean {
  return !pageConfig().stego;
}

/** Trains when the session is big enough and the head (if any) was trained on under half its photos. */
function wantsTraining(photos: number): boolean {
  const { running, summary } = useSemantic.getState();
  if (running || stegoDisabled() || photos < STEGO_MIN_PHOTOS) return false;
  const modelId = useApp.getState().backend.modelId;
  return !summary || summary.modelId !== modelId || photos >= 2 * summary.photos;
}

/** The page's backend setting decides the trainer too: ?backend=wasm keeps it on the CPU, ?backend=webgpu forces WebGPU. */
function stegoBackend(): StegoBackendPreference {
  const { backend } = pageConfig();
  return backend === 'wasm' ? 'cpu' : backend;
}

export async function trainSemantic(): Promise<void> {
  const s = useSemantic.getState();
  const ids = processedIds();
  if (s.running) return;
  if (ids.length < 2) {
    useApp.getState().notify('error', 'STEGO learns from pairs of photos: process at least two first.');
    return;
  }
  s.setRunning(true);
  s.setProgress({ phase: 'preparing', step: 0, totalSteps: 0, history: [] });
  const { notify } = useApp.getState();
  try {
    const result = await jobs.run((flag) => semanticWorker().train({ ids, seed: 0, backend: stegoBackend() }, flag, onProgress));
    if (!result) {
      notify('info', 'Semantic training cancelled: the k-means clusters stay.');
      return;
    }
    // Adopt first: the panel says "STEGO" only once the photos are queued for relabelling with its clusters.
    await adoptClusters(result.clusters);
    useSemantic.getState().setSummary(result.semantic);
    const { photos, steps, stopped } = result.semantic;
    notify('info', `${stopped ? `Stopped after ${steps} steps; the` : 'The'} semantic head learnt from ${photos} photos: the semantic and panoptic views now show its ${result.clusters.stuffK} clusters.`);
  } catch (err) {
    notify('error', `Semantic training failed (${(err as Error).message}): the k-means clusters stay.`);
  } finally {
    useSemantic.getState().setRunning(false);
    useSemantic.getState().setProgress(null);
  }
}

export function cancelSemantic(): void {
  jobs.cancel();
}

/** A reload: the stored head's summary comes back with the clusters it made. */
export async function restoreSemantic(): Promise<void> {
  useSemantic.getState().setSummary(await semanticWorker().summary());
}

onSessionSettled(() => {
  if (wantsTraining(processedIds().length)) void trainSemantic();
});
