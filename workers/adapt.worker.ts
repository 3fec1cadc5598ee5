// The adaptation worker: trains and applies the patch head of method.md §6 over the session store,
// on WebGPU when the browser has it (and the head fits), otherwise in TypeScript on the CPU.
import * as Comlink from 'comlink';
import { headFromJson, headToJson } from '../src/core/adapt/head-codec';
import type { PatchHead } from '../src/core/adapt/head';
import { trainHeadAsync } from '../src/core/adapt/train';
import { sharedSessionDb } from '../src/storage/session-db';
import { deleteStoredHead, getStoredHead, nextHeadVersion, putStoredHead } from '../src/storage/session-records';
import type { AdaptProgress, AdaptWorkerApi, AppliedLabels, HeadSummary, TrainBackend } from './adapt-api';
import { applyStoredHead, storedHeadSegments, trainSessionHead, type TrainFn } from './adapt-jobs';
import { requireDebug } from './debug';
import { benchmarkTraining } from './train-bench';

const db = sharedSessionDb;

/** Progress messages at most this often: a batch takes milliseconds, the UI needs a few updates a second. */
const PROGRESS_INTERVAL_MS = 150;

/** Lets through the last step of a phase and every finished epoch (the loss curve), others at most every interval. */
function throttled(onProgress: (p: AdaptProgress) => void): (p: AdaptProgress) => void {
  let last = 0, epochsSeen = -1;
  return (p) => {
    const now = performance.now();
    const newEpoch = (p.history?.length ?? 0) !== epochsSeen;
    if (p.done < p.total && !newEpoch && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    epochsSeen = p.history?.length ?? 0;
    onProgress(p);
  };
}

/** The trainer to use: WebGPU when asked for or (auto) when a real GPU adapter is there, else the CPU. */
async function trainer(preference: 'auto' | TrainBackend): Promise<{ backend: () => TrainBackend; train: TrainFn; dispose: () => void }> {
  const cpu = { backend: (): TrainBackend => 'cpu', train: trainHeadAsync, dispose: () => {} };
  if (preference === 'cpu') return cpu;
  const gpu = await import('../src/adapt-gpu/webgpu-trainer');
  const found = await gpu.requestTrainingDevice();
  if (!found) {
    if (preference === 'webgpu') throw new Error('this browser offers no WebGPU adapter: train on the CPU instead');
    return cpu;
  }
  // A software adapter (SwiftShader) is far slower than the TypeScript trainer: only on request.
  if (preference === 'auto' && found.isFallback) {
    found.device.destroy();
    return cpu;
  }
  let used: TrainBackend = 'webgpu';
  const train: TrainFn = async (images, tokenDim, classes, options) => {
    try {
      return await gpu.trainHeadWebGpu(found.device, images, tokenDim, classes, options);
    } catch (err) {
      // Asked for WebGPU: say why it failed. Automatic choice: the CPU trains the same head (a run
      // too big for the device, a lost device, or a driver that rejects a kernel).
      if (preference === 'webgpu') throw err instanceof gpu.WebGpuTrainingError ? err : new Error(`WebGPU training failed: ${(err as Error).message}`);
      used = 'cpu';
      return trainHeadAsync(images, tokenDim, classes, options);
    }
  };
  return { backend: () => used, train, dispose: () => found.device.destroy() };
}

async function applyAll(ids: string[], onProgress?: (p: AdaptProgress) => void): Promise<AppliedLabels[]> {
  const report = onProgress ? throttled(onProgress) : () => {};
  return applyStoredHead(await db(), ids, (done, total) => report({ phase: 'predicting', round: 1, rounds: 1, done, total }));
}

const api: AdaptWorkerApi = {
  async train(request, cancelFlag, onProgress) {
    const report = throttled(onProgress);
    const { backend, train, dispose } = await trainer(request.backend);
    const shouldStop = () => (cancelFlag ? Atomics.load(cancelFlag, 0) === 1 : false);
    const stored = await trainSessionHead(await db(), request, backend, train, shouldStop, report).finally(dispose);
    return { summary: stored.summary, applied: await applyAll(request.ids, onProgress) };
  },

  apply: applyAll,

  async headSegments(ids) {
    return storedHeadSegments(await db(), ids);
  },

  async headSummary() {
    return (await getStoredHead(await db()))?.summary ?? null;
  },

  async exportHead(names) {
    const stored = await getStoredHead(await db());
    if (!stored) throw new Error('there is no trained head to export');
    if (names.length !== stored.categoryIds.length) throw new Error(`${names.length} names for ${stored.categoryIds.length} classes`);
    const head = headFromJson(stored.head);
    head.classes = { ...head.classes, names: [...names] };
    const s = stored.summary;
    const json = headToJson(head, { modelId: s.modelId, backend: s.backend, rounds: s.rounds.length, labelledImages: s.labelledImages, createdAt: new Date(s.createdAt).toISOString() });
    return new TextEncoder().encode(`${JSON.stringify(json)}\n`);
  },

  async parseHeadFile(bytes) {
    const { head, modelId } = parseHead(bytes);
    const kinds = head.classes.names.map((_, c): 'thing' | 'stuff' => (c < head.classes.thingCount ? 'thing' : 'stuff'));
    return { names: head.classes.names, kinds, tokenDim: head.shape.tokenDim, modelId };
  },

  async installHead(bytes, categoryIds, ids, onProgress) {
    const { head, modelId } = parseHead(bytes);
    if (categoryIds.length !== head.classes.names.length) throw new Error(`${categoryIds.length} categories for ${head.classes.names.length} head classes`);
    const store = await db();
    const version = await nextHeadVersion(store);
    const summary: HeadSummary = {
      version, classes: categoryIds.map((categoryId, c) => ({ categoryId, name: head.classes.names[c], kind: c < head.classes.thingCount ? 'thing' : 'stuff' })),
      kind: head.shape.kind, hiddenDim: head.shape.hiddenDim, tokenDim: head.shape.tokenDim, modelId: modelId ?? '', backend: 'imported', rounds: [],
      labelledImages: 0, trainedImages: 0, leftOutImages: 0, stopped: false, createdAt: Date.now(),
    };
    await putStoredHead(store, { version, head: headToJson(head, modelId ? { modelId } : undefined), categoryIds, summary });
    return { summary, applied: await applyAll(ids, onProgress) };
  },

  async removeHead() {
    await deleteStoredHead(await db());
  },

  async crashForTest() {
    requireDebug('crashForTest');
    setTimeout(() => {
      throw new Error('simulated adaptation worker crash');
    });
  },

  benchmarkTraining,
};

function parseHead(bytes: Uint8Array): { head: PatchHead; modelId: string | null } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new Error('this file is not a head file (it is not JSON)');
  }
  const head = headFromJson(json);
  const info = (json as { info?: Record<string, unknown> }).info;
  return { head, modelId: typeof info?.modelId === 'string' ? info.modelId : null };
}

Comlink.expose(api);
