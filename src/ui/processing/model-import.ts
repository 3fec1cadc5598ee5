// Imports a model file the user dropped or picked (.onnx, .pth, .safetensors) or an official DINO
// checkpoint download in the model worker, lists cached models, and switches to one (Models panel).
import * as Comlink from 'comlink';
import type { ModelIndex } from '../../../workers/backbone-api';
import { CANCELLED } from '../../core/backbone/model-import';
import type { ImportOptions, ModelProgress, ModelWorkerApi } from '../../../workers/model-api';
import type { ModelManifest } from '../../core/backbone/types';
import { deleteModel, listModels, openModelDb, type ModelDb } from '../../storage/model-cache';
import { useApp, type CheckpointEntry, type ModelEntry, type ModelJob } from '../state/store';
import { switchModel } from './pipeline';

/** How long a cancelled job may take to stop by itself before its worker is terminated, ms. */
const CANCEL_GRACE_MS = 1500;

interface ModelClient {
  api: Comlink.Remote<ModelWorkerApi>;
  /** Rejects when the worker dies or is stopped; calls race against it. */
  stopped: Promise<never>;
  stop(reason: string): void;
}

let client: ModelClient | null = null;
let db: Promise<ModelDb> | null = null;
/** Jobs run one after another: each waits for the previous one to settle. */
let lastJob: Promise<unknown> = Promise.resolve();
/** Counts started jobs, so a late cancel timer can tell whether its job is still the running one. */
let jobNumber = 0;

function modelDb(): Promise<ModelDb> {
  db ??= openModelDb();
  return db;
}

function modelWorker(): ModelClient {
  if (client) return client;
  const worker = new Worker(new URL('../../../workers/model.worker.ts', import.meta.url), { type: 'module' });
  let reject: (err: Error) => void = () => {};
  const stopped = new Promise<never>((_, r) => {
    reject = r;
  });
  stopped.catch(() => {});
  const c: ModelClient = {
    api: Comlink.wrap<ModelWorkerApi>(worker),
    stopped,
    stop(reason) {
      worker.terminate();
      reject(new Error(reason));
      if (client === c) client = null;
    },
  };
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    c.stop(`the model worker stopped (${e.message || 'crashed or ran out of memory'})`);
  });
  client = c;
  return c;
}

function options(): ImportOptions {
  const { inputSizePx, numHeads } = useApp.getState().models;
  return { inputSize: inputSizePx, numHeads: numHeads ?? undefined };
}

function setJob(job: ModelJob | null): void {
  useApp.getState().setModels({ job });
}

function onProgress(progress: ModelProgress): void {
  const job = useApp.getState().models.job;
  if (job) setJob({ ...job, ...progress });
}

/** Runs one job in the model worker with progress in the store; resolves with the stored manifest. */
function runJob(job: ModelJob, call: (api: Comlink.Remote<ModelWorkerApi>) => Promise<ModelManifest>): Promise<ModelManifest> {
  const run = lastJob.then(async () => {
    jobNumber++;
    setJob(job);
    const c = modelWorker();
    try {
      return await Promise.race([call(c.api), c.stopped]);
    } finally {
      setJob(null);
    }
  });
  lastJob = run.catch(() => {});
  return run;
}

/** After a successful import: list it, say so, and use it (features depend on the model). */
async function adopt(manifest: ModelManifest, what: string): Promise<void> {
  const { notify } = useApp.getState();
  await refreshModels();
  notify('info', `${what} is ready as "${manifest.name}"; switching to it.`);
  // A model that fails to load leaves the backend in its error state, which the page shows.
  await switchModel(manifest.id).catch(() => {});
}

/** `prefix` names the job ("x.pth was not imported"); a message that names it already has none. */
function reportFailure(err: unknown, what: string, prefix?: string): void {
  const text = (err as Error)?.message ?? String(err);
  const { notify } = useApp.getState();
  if (text === CANCELLED) notify('info', `${what}: cancelled.`);
  else notify('error', prefix ? `${prefix}: ${text}` : `${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
}

/** Called by the session's ingest path for every dropped model file (already sniffed), and by the picker. */
export async function importModelFile(file: File, kind: 'onnx' | 'pth' | 'safetensors'): Promise<void> {
  const job: ModelJob = { kind: 'import', label: file.name, stage: 'starting' };
  const opts = options();
  try {
    const manifest = await runJob(job, (api) => api.importFile(file, file.name, opts, Comlink.proxy(onProgress)));
    await adopt(manifest, `${file.name} (${kind})`);
  } catch (err) {
    reportFailure(err, `Import of ${file.name}`, `${file.name} was not imported`);
  }
}

/** Downloads an official DINO checkpoint by its public URL, converts it and switches to it. */
export async function downloadCheckpoint(checkpointId: string): Promise<void> {
  const known = useApp.getState().models.checkpoints.find((c) => c.id === checkpointId);
  const label = `DINO ${known?.label ?? checkpointId}`;
  const job: ModelJob = { kind: 'download', label, checkpointId, stage: 'starting' };
  const opts = options();
  try {
    const manifest = await runJob(job, (api) => api.download(checkpointId, opts, Comlink.proxy(onProgress)));
    await adopt(manifest, label);
  } catch (err) {
    // The worker's download errors name the checkpoint and URL themselves.
    const named = /could not download/.test((err as Error)?.message ?? '');
    reportFailure(err, `Download of ${label}`, named ? undefined : `${label} was not added`);
  }
}

/** Stops the running job; a conversion that does not stop in time loses its worker. */
export function cancelModelJob(): void {
  const c = client;
  if (!c || !useApp.getState().models.job) return;
  void c.api.cancel();
  const cancelled = jobNumber;
  setTimeout(() => {
    const stillRunning = jobNumber === cancelled && useApp.getState().models.job !== null;
    if (stillRunning && client === c) c.stop(CANCELLED);
  }, CANCEL_GRACE_MS);
}

async function servedModels(): Promise<ModelEntry[]> {
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}models/index.json`);
    if (!res.ok) return [];
    const index = (await res.json()) as ModelIndex;
    return index.models.map((m) => ({ id: m.id, name: m.name, origin: 'served' as const }));
  } catch {
    return [];
  }
}

async function cachedModels(): Promise<ModelEntry[]> {
  try {
    const list = await listModels(await modelDb());
    return list.map(({ manifest, sizeBytes }) => ({
      id: manifest.id,
      name: manifest.name,
      origin: 'cached' as const,
      inputSizePx: manifest.inputSize,
      sizeBytes,
    }));
  } catch (err) {
    useApp.getState().notify('error', `Imported models cannot be listed (browser storage refused: ${(err as Error).message}).`);
    return [];
  }
}

/** Loaded lazily: dino.ts brings the ONNX writer, which the first paint does not need. */
async function officialCheckpoints(): Promise<CheckpointEntry[]> {
  try {
    const { DINO_CHECKPOINTS } = await import('../../model/vit/dino');
    return Object.entries(DINO_CHECKPOINTS).map(([id, c]) => ({ id, label: c.label, url: c.url }));
  } catch {
    return []; // the panel then offers no downloads; importing files still works
  }
}

/** Re-reads the served index, the browser's model cache and the official checkpoints into the store. */
export async function refreshModels(): Promise<void> {
  const [served, cached, checkpoints] = await Promise.all([servedModels(), cachedModels(), officialCheckpoints()]);
  useApp.getState().setModels({ served, cached, checkpoints });
}

export async function deleteCachedModel(id: string): Promise<void> {
  const { backend, notify } = useApp.getState();
  if (backend.modelId === id) {
    notify('error', 'The model in use cannot be deleted; switch to another one first.');
    return;
  }
  try {
    await deleteModel(await modelDb(), id);
  } catch (err) {
    notify('error', `The model could not be deleted: ${(err as Error).message}`);
  }
  await refreshModels();
}

/** Switches the page to another model; the photos are processed again with it. */
export async function selectModel(id: string): Promise<void> {
  // A failure is shown by the backend's error state (badge and message).
  await switchModel(id).catch(() => {});
}
