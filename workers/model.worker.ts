// The model worker (Models panel): turns a dropped or downloaded checkpoint into a cached ONNX
// backbone off the UI thread (convert with convertDino, or validate an .onnx), as typed by model-api.ts.
import * as Comlink from 'comlink';
import { IMAGENET_MEAN, IMAGENET_STD, type ModelManifest } from '../src/core/backbone/types';
import { readCheckpoint, sniffCheckpointFormat } from '../src/model/checkpoint/read-checkpoint';
import { assertBackboneOnnx } from '../src/model/validate';
import { convertDino, DINO_CHECKPOINTS, DINO_DEFAULTS, sha256Hex, toDinoNames } from '../src/model/vit/dino';
import type { StateDict } from '../src/model/vit/vit-onnx';
import { openModelDb, putModel, type ModelDb } from '../src/storage/model-cache';
import { CANCELLED } from '../src/core/backbone/model-import';
import type { ImportOptions, ModelJobStage, ModelWorkerApi, ProgressCallback } from './model-api';

const DINO_HEAD_DIM = 64;
/** Least time between two download progress reports, ms (keeps the message channel quiet). */
const PROGRESS_INTERVAL_MS = 100;

let db: Promise<ModelDb> | null = null;
let job: AbortController | null = null;

function modelDb(): Promise<ModelDb> {
  db ??= openModelDb();
  return db;
}

/** Starts a job, cancelling any earlier one (one job at a time). */
function beginJob(): AbortSignal {
  job?.abort();
  job = new AbortController();
  return job.signal;
}

function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new Error(CANCELLED);
}

/** Progress calls cross to the UI thread; a closed page must not fail the job. */
function report(onProgress: ProgressCallback | undefined, stage: ModelJobStage, extra: { doneBytes?: number; totalBytes?: number } = {}): void {
  if (!onProgress) return;
  Promise.resolve(onProgress({ stage, ...extra })).catch(() => {});
}

/** "tiny_dino.pth" → "tiny-dino": a readable id part. */
function slug(fileName: string): string {
  const base = fileName.replace(/\.[a-z0-9]+$/i, '').toLowerCase();
  return base.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'model';
}

type ModelFormat = 'checkpoint' | 'onnx';

/** By content first (zip/pickle/safetensors headers); ONNX has no magic, so the name or a parse decides. */
function sniffModel(bytes: Uint8Array, name: string): ModelFormat {
  if (bytes.length === 0) throw new Error('the file is empty');
  if (sniffCheckpointFormat(bytes) !== 'unknown') return 'checkpoint';
  if (/\.onnx$/i.test(name)) return 'onnx';
  if (/\.(pth|pt|ckpt|bin|safetensors)$/i.test(name)) return 'checkpoint';
  return 'onnx';
}

/**
 * Heads for convertDino: undefined lets it apply DINO's rule (64-dim heads). For widths that are not
 * a multiple of 64 the weights cannot tell, so the user's override is required and checked.
 */
function headsFor(sd: StateDict, numHeads: number | undefined): number | undefined {
  const embedDim = sd.get('cls_token')?.shape.at(-1);
  if (embedDim === undefined || embedDim % DINO_HEAD_DIM === 0) return undefined;
  if (!numHeads) {
    throw new Error(
      `its embed dim ${embedDim} is not a multiple of ${DINO_HEAD_DIM}, so the number of attention heads cannot be read from the weights; choose "Heads" in the Models panel and import it again`,
    );
  }
  if (embedDim % numHeads !== 0) throw new Error(`${numHeads} heads do not divide its embed dim ${embedDim}; choose another "Heads" value`);
  return numHeads;
}

interface CheckpointSource {
  id?: string;
  nameSuffix?: string;
  source: string;
}

async function convertCheckpoint(bytes: Uint8Array, name: string, opts: ImportOptions, from: CheckpointSource, signal: AbortSignal, onProgress?: ProgressCallback) {
  report(onProgress, 'reading');
  const sd = toDinoNames(readCheckpoint(bytes, name));
  throwIfCancelled(signal);
  report(onProgress, 'converting');
  const numHeads = headsFor(sd, opts.numHeads);
  const converted = await convertDino(sd, { inputSize: opts.inputSize, numHeads, source: from.source });
  throwIfCancelled(signal);
  const id = from.id ?? converted.manifest.id;
  const manifest: ModelManifest = {
    ...converted.manifest,
    id,
    file: `${id}.onnx`,
    name: from.nameSuffix ? `${converted.manifest.name} · ${from.nameSuffix}` : converted.manifest.name,
  };
  return { manifest, bytes: converted.bytes };
}

/** An ONNX backbone's manifest, inferred from its graph signature (method.md §1). */
async function onnxManifest(bytes: Uint8Array, name: string, opts: ImportOptions): Promise<ModelManifest> {
  const sig = assertBackboneOnnx(bytes);
  const id = `file-${slug(name)}-${sig.inputSize}`;
  return {
    id,
    name: `${name} (${sig.inputSize} px)`,
    architecture: opts.architecture ?? 'vit',
    inputSize: sig.inputSize,
    // The grid divides the input: stride = S / sqrt(N).
    stride: sig.inputSize / sig.grid,
    mean: [...IMAGENET_MEAN],
    std: [...IMAGENET_STD],
    inputName: sig.inputName,
    outputs: { keys: 'keys', tokens: 'tokens', cls: 'cls' },
    tau: DINO_DEFAULTS.tau,
    licence: 'unknown (imported by the user)',
    source: name,
    sha256: await sha256Hex(bytes),
    file: `${id}.onnx`,
  };
}

async function store(manifest: ModelManifest, bytes: Uint8Array, signal: AbortSignal, onProgress?: ProgressCallback): Promise<ModelManifest> {
  throwIfCancelled(signal);
  report(onProgress, 'saving');
  try {
    await putModel(await modelDb(), { manifest, bytes });
  } catch (err) {
    throw new Error(`the browser refused to store the model (${(err as Error).message}); free some disk space or delete other cached models`, { cause: err });
  }
  return manifest;
}

function downloadError(label: string, url: string, detail: string): Error {
  return new Error(
    `could not download ${label} from ${url} (${detail}) — the browser is offline or the server refused; download the .pth yourself and drop it here`,
  );
}

/** Reads a response body chunk by chunk, reporting bytes received. */
async function readBody(res: Response, signal: AbortSignal, onProgress?: ProgressCallback): Promise<Uint8Array> {
  const totalBytes = Number(res.headers.get('content-length')) || undefined;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let doneBytes = 0;
  let lastReportMs = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    throwIfCancelled(signal);
    chunks.push(value);
    doneBytes += value.byteLength;
    if (performance.now() - lastReportMs > PROGRESS_INTERVAL_MS) {
      lastReportMs = performance.now();
      report(onProgress, 'downloading', { doneBytes, totalBytes });
    }
  }
  report(onProgress, 'downloading', { doneBytes, totalBytes: totalBytes ?? doneBytes });
  const bytes = new Uint8Array(doneBytes);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

async function fetchCheckpoint(label: string, url: string, signal: AbortSignal, onProgress?: ProgressCallback): Promise<Uint8Array> {
  if (!navigator.onLine) throw downloadError(label, url, 'the browser reports no network');
  report(onProgress, 'downloading', { doneBytes: 0 });
  let res: Response;
  try {
    res = await fetch(url, { signal, mode: 'cors' });
  } catch (err) {
    throwIfCancelled(signal);
    throw downloadError(label, url, (err as Error).message || 'network error');
  }
  if (!res.ok) throw downloadError(label, url, `HTTP ${res.status}`);
  try {
    return await readBody(res, signal, onProgress);
  } catch (err) {
    throwIfCancelled(signal);
    throw downloadError(label, url, `the transfer broke off: ${(err as Error).message}`);
  }
}

const api: ModelWorkerApi = {
  async importFile(file, name, opts, onProgress) {
    const signal = beginJob();
    const bytes = new Uint8Array(await file.arrayBuffer());
    throwIfCancelled(signal);
    if (sniffModel(bytes, name) === 'onnx') {
      report(onProgress, 'validating');
      return store(await onnxManifest(bytes, name, opts), bytes, signal, onProgress);
    }
    const from = { id: `file-${slug(name)}-${opts.inputSize}`, nameSuffix: name, source: name };
    const converted = await convertCheckpoint(bytes, name, opts, from, signal, onProgress);
    return store(converted.manifest, converted.bytes, signal, onProgress);
  },

  async download(checkpointId, opts, onProgress) {
    const ckpt = DINO_CHECKPOINTS[checkpointId];
    if (!ckpt) throw new Error(`unknown checkpoint "${checkpointId}" (known: ${Object.keys(DINO_CHECKPOINTS).join(', ')})`);
    const signal = beginJob();
    const label = `DINO ${ckpt.label}`;
    const bytes = await fetchCheckpoint(label, ckpt.url, signal, onProgress);
    const fileName = ckpt.url.split('/').pop() ?? `${checkpointId}.pth`;
    const converted = await convertCheckpoint(bytes, fileName, opts, { source: ckpt.url }, signal, onProgress);
    return store(converted.manifest, converted.bytes, signal, onProgress);
  },

  cancel() {
    job?.abort();
  },
};

Comlink.expose(api);
