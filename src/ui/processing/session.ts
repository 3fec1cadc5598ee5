// The page's model lifecycle: one pool of backbone workers, the model they run (?model=, the
// user's last choice, or the served default), and switching models.
import type { ModelManifest } from '../../core/backbone/types';
import type { BackendPreference } from '../../runtime/ort-web';
import type { FeatureName, ModelIndex } from '../../../workers/backbone-api';
import type { StegoBenchSpec } from '../../../workers/semantic-api';
import type { TrainBenchSpec } from '../../../workers/train-bench';
import { pageConfig } from '../config';
import { useApp } from '../state/store';
import { adaptWorker } from './adapt-client';
import { semanticWorker } from './semantic-client';
import { BackbonePool } from './worker-pool';

let pool: BackbonePool | null = null;
/** Workers without a model that make each photo's masks while the model's workers embed the next ones. */
let segmenters: BackbonePool | null = null;
let ready: Promise<void> | null = null;

const CHOSEN_MODEL_KEY = 'u2seg.model';

async function servedDefaultModelId(): Promise<string> {
  const res = await fetch(`${import.meta.env.BASE_URL}models/index.json`);
  if (!res.ok) throw new Error('no models are installed (models/index.json is missing); run "npm run setup"');
  return ((await res.json()) as ModelIndex).default;
}

/** Loads one model in every worker of the pool (once each); the badge follows. */
async function load(p: BackbonePool, pickId: () => Promise<string>): Promise<void> {
  const { setBackend } = useApp.getState();
  setBackend({ status: 'loading' });
  try {
    const id = await pickId();
    const { info, manifest } = await p.init(id, pageConfig().backend);
    setBackend({ status: 'ready', info, workers: p.size, modelName: manifest.name, modelId: manifest.id });
  } catch (err) {
    setBackend({ status: 'error', error: (err as Error).message });
    throw err;
  }
}

/** Starts the pool once; resolves when the model is loaded (rejects with a readable message). */
export function startSession(): Promise<void> {
  if (ready) return ready;
  const notify = (message: string) => useApp.getState().notify('error', message);
  const p = (pool = new BackbonePool(undefined, notify));
  if (pageConfig().overlap) segmenters = new BackbonePool({ workers: p.size, threadsPerWorker: 1 }, notify, false);
  exposeDebugHooks();
  ready = (async () => {
    const forced = pageConfig().modelId;
    if (forced) return load(p, async () => forced);
    const chosen = localStorage.getItem(CHOSEN_MODEL_KEY);
    if (chosen) {
      try {
        return await load(p, async () => chosen);
      } catch {
        // Deleted or damaged since: forget it and fall back to the served default.
        localStorage.removeItem(CHOSEN_MODEL_KEY);
      }
    }
    return load(p, servedDefaultModelId);
  })();
  ready.catch(() => {});
  return ready;
}

/** The pool, once its model is loaded. */
export async function readyPool(): Promise<BackbonePool> {
  await startSession();
  if (!pool) throw new Error('the processing workers are not running');
  return pool;
}

/**
 * The pool for the work after the backbone (MaskCut, CRF, clusters, labels): the segmenting
 * workers, or the model's own where there are none (?overlap=off).
 */
export async function readySegmenters(): Promise<BackbonePool> {
  const p = await readyPool();
  return segmenters ?? p;
}

/** Loads another backbone; the caller re-processes the photos (features depend on the model). */
export async function loadModel(modelId: string): Promise<void> {
  await startSession().catch(() => {});
  if (!pool) return;
  const p = pool;
  ready = load(p, async () => modelId);
  await ready;
  localStorage.setItem(CHOSEN_MODEL_KEY, modelId);
}

/** `?debug` exposes read-only hooks for the e2e tests and benchmarks. */
function exposeDebugHooks(): void {
  if (!pageConfig().debug) return;
  (globalThis as { __u2seg?: unknown }).__u2seg = {
    readFeatures: async (name: string, which: FeatureName, start: number, count: number) => {
      const im = useApp.getState().images.find((i) => i.name === name);
      if (!im) throw new Error(`no image named ${name}`);
      const p = await readyPool();
      return Array.from(await p.use((api) => api.readFeatures(im.id, which, start, count)));
    },
    crashWorker: async () => (await readyPool()).any().api.crashForTest(),
    crashSegmenter: async () => (await readySegmenters()).any().api.crashForTest(),
    denseCrfCheck: async (rgba: number[], width: number, height: number, mask: number[]) => {
      const r = await (await readyPool()).use((api) => api.denseCrfCheck(Uint8Array.from(rgba), width, height, Uint8Array.from(mask)));
      return { backend: r.backend, mask: Array.from(r.mask) };
    },
    benchmarkTraining: (spec: TrainBenchSpec) => adaptWorker().benchmarkTraining(spec),
    crashAdaptWorker: () => adaptWorker().crashForTest(),
    benchmarkStego: (spec: StegoBenchSpec) => semanticWorker().benchmarkTraining(spec),
    benchmark: async (url: string, manifest: ModelManifest, pref: BackendPreference, runs: number) => {
      const p = await readyPool();
      return p.use((api) => api.benchmark(url, manifest, pref, runs));
    },
  };
}
