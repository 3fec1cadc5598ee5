// The thin orchestrator of the page: loads the default model in the worker, routes every dropped
// file through the one validation path (sniff), and queues images for feature extraction.
import type { ModelManifest } from '../../core/backbone/types';
import { sniff } from '../../core/input/sniff';
import type { BackendPreference } from '../../runtime/ort-web';
import type { FeatureName, ModelIndex } from '../../../workers/backbone-api';
import { listImages, openSessionDb, putImage, type SessionDb } from '../../storage/session-db';
import { pixelStore } from '../state/pixel-store';
import { useApp } from '../state/store';
import { guarded, startBackboneWorker, type BackboneClient } from './backbone-client';
import { importModelFile } from './model-import';
import { JobQueue } from './queue';

let client: BackboneClient | null = null;
let ready: Promise<void> | null = null;
let db: Promise<SessionDb> | null = null;

function sessionDb(): Promise<SessionDb> {
  db ??= openSessionDb();
  return db;
}

const queue = new JobQueue((id) => useApp.getState().updateImage(id, { status: 'error', error: 'cancelled' }));

function backendPreference(): BackendPreference {
  const p = new URLSearchParams(location.search).get('backend');
  return p === 'webgpu' || p === 'wasm' ? p : 'auto';
}

const CHOSEN_MODEL_KEY = 'u2seg.model';

async function servedDefaultModelId(): Promise<string> {
  const res = await fetch(`${import.meta.env.BASE_URL}models/index.json`);
  if (!res.ok) throw new Error('no models are installed (models/index.json is missing); run "npm run setup"');
  return ((await res.json()) as ModelIndex).default;
}

function loadModel(c: BackboneClient, pickId: () => Promise<string>): Promise<void> {
  const { setBackend } = useApp.getState();
  setBackend({ status: 'loading' });
  const loading = (async () => {
    try {
      const id = await pickId();
      const { info, manifest } = await guarded(c, c.api.init(id, backendPreference()));
      setBackend({ status: 'ready', info, modelName: manifest.name, modelId: manifest.id });
    } catch (err) {
      setBackend({ status: 'error', error: (err as Error).message });
      throw err;
    }
  })();
  loading.catch(() => {});
  return loading;
}

/** Model order of precedence: ?model=, the user's last choice, the served default. */
export function startSession(): Promise<void> {
  if (ready) return ready;
  client = startBackboneWorker();
  exposeDebugHooks();
  const c = client;
  ready = loadModel(c, async () => {
    const forced = new URLSearchParams(location.search).get('model');
    if (forced) return forced;
    const chosen = localStorage.getItem(CHOSEN_MODEL_KEY);
    if (chosen) {
      try {
        await guarded(c, c.api.init(chosen, backendPreference()));
        return chosen;
      } catch {
        localStorage.removeItem(CHOSEN_MODEL_KEY);
      }
    }
    return servedDefaultModelId();
  });
  return ready;
}

/** Loads another backbone and processes every photo again with it (features depend on the model). */
export async function switchModel(modelId: string): Promise<void> {
  await startSession().catch(() => {});
  if (!client) return;
  queue.cancel();
  ready = loadModel(client, async () => modelId);
  await ready;
  localStorage.setItem(CHOSEN_MODEL_KEY, modelId);
  const images = useApp.getState().images;
  enqueue(images.flatMap((im) => {
    const file = pixelStore.get(im.id)?.file;
    return file ? [{ id: im.id, file, known: true }] : [];
  }));
}

async function head(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.slice(0, 64).arrayBuffer());
}

export async function ingestFiles(files: File[]): Promise<void> {
  const { notify } = useApp.getState();
  const accepted: { id: string; file: File }[] = [];
  for (const file of files) {
    const kind = sniff(await head(file), file.name);
    if (kind.kind === 'image') {
      accepted.push({ id: crypto.randomUUID(), file });
    } else if (kind.kind === 'unknown') {
      notify('error', `${file.name} was not added: ${kind.reason}.`);
    } else if (kind.kind === 'json') {
      notify('error', `${file.name} was not added: importing COCO files is not available yet.`);
    } else {
      void importModelFile(file, kind.kind);
    }
  }
  if (!accepted.length) return;
  try {
    const store = await sessionDb();
    const now = Date.now();
    await Promise.all(accepted.map(({ id, file }, i) => putImage(store, { id, name: file.name, blob: file, addedAt: now + i })));
  } catch (err) {
    notify('error', `Photos are shown but not saved for the next visit (browser storage refused: ${(err as Error).message}).`);
  }
  enqueue(accepted);
}

/** Brings back the photos of the previous visit (IndexedDB) and processes them again. */
export async function restoreSession(): Promise<void> {
  try {
    const stored = await listImages(await sessionDb());
    enqueue(stored.map((s) => ({ id: s.id, file: new File([s.blob], s.name, { type: s.blob.type }) })));
  } catch (err) {
    useApp.getState().notify('error', `The previous session could not be restored: ${(err as Error).message}`);
  }
}

/** Queues photos for processing; `known` ones are already listed (re-processing after a model switch). */
function enqueue(accepted: { id: string; file: File; known?: boolean }[]): void {
  if (!accepted.length) return;
  const { addImages, updateImage } = useApp.getState();
  const fresh = accepted.filter((a) => !a.known);
  fresh.forEach(({ id, file }) => pixelStore.put(id, file));
  addImages(fresh.map(({ id, file }) => ({ id, name: file.name, status: 'queued' as const })));
  accepted.filter((a) => a.known).forEach(({ id }) => updateImage(id, { status: 'queued', error: undefined }));
  queue.push(...accepted.map(({ id, file }) => ({ id, run: (signal: AbortSignal) => extract(id, file, signal) })));
}

async function extract(id: string, file: File, signal: AbortSignal): Promise<void> {
  const { updateImage } = useApp.getState();
  if (signal.aborted) return;
  updateImage(id, { status: 'running' });
  try {
    await startSession();
    if (!client) throw new Error('the feature worker is not running');
    const view = await guarded(client, client.api.features(id, file));
    if (signal.aborted) {
      updateImage(id, { status: 'error', error: 'cancelled' });
      return;
    }
    pixelStore.setFeatures(id, view);
    updateImage(id, { status: 'done', sizeHW: view.sizeHW, gridHW: [view.gridH, view.gridW], timingsMs: view.timingsMs });
  } catch (err) {
    const text = (err as Error).message ?? String(err);
    updateImage(id, { status: 'error', error: text });
    useApp.getState().notify('error', text);
  }
}

/** `?debug` exposes read-only hooks for the e2e tests (backend agreement checks). */
export function exposeDebugHooks(): void {
  if (!new URLSearchParams(location.search).has('debug')) return;
  (globalThis as { __u2seg?: unknown }).__u2seg = {
    readFeatures: async (name: string, which: FeatureName, start: number, count: number) => {
      const im = useApp.getState().images.find((i) => i.name === name);
      if (!im || !client) throw new Error(`no image named ${name}`);
      return Array.from(await client.api.readFeatures(im.id, which, start, count));
    },
    benchmark: (url: string, manifest: ModelManifest, pref: BackendPreference, runs: number) => {
      if (!client) throw new Error('the feature worker is not running');
      return client.api.benchmark(url, manifest, pref, runs);
    },
  };
}

export function cancelAll(): void {
  queue.cancel();
}
