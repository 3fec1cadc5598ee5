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

async function defaultModelId(): Promise<string> {
  const forced = new URLSearchParams(location.search).get('model');
  if (forced) return forced;
  const res = await fetch(`${import.meta.env.BASE_URL}models/index.json`);
  if (!res.ok) throw new Error('no models are installed (models/index.json is missing); run "npm run setup"');
  return ((await res.json()) as ModelIndex).default;
}

export function startSession(): Promise<void> {
  if (ready) return ready;
  const { setBackend } = useApp.getState();
  client = startBackboneWorker();
  exposeDebugHooks();
  const c = client;
  ready = (async () => {
    try {
      const { info, manifest } = await guarded(c, defaultModelId().then((id) => c.api.init(id, backendPreference())));
      setBackend({ status: 'ready', info, modelName: manifest.name });
    } catch (err) {
      setBackend({ status: 'error', error: (err as Error).message });
      throw err;
    }
  })();
  ready.catch(() => {});
  return ready;
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
    } else {
      notify('error', `${file.name} was not added: importing ${kind.kind === 'json' ? 'COCO files' : 'models'} is not available yet.`);
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

function enqueue(accepted: { id: string; file: File }[]): void {
  if (!accepted.length) return;
  const { addImages } = useApp.getState();
  accepted.forEach(({ id, file }) => pixelStore.put(id, file));
  addImages(accepted.map(({ id, file }) => ({ id, name: file.name, status: 'queued' as const })));
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
