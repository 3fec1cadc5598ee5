// The model runtime for browsers (runs inside workers): onnxruntime-web, WebGPU when an adapter
// exists and the caller allows it, otherwise WASM with as many threads as isolation permits.
import * as ort from 'onnxruntime-web/webgpu';
import type { ModelManifest } from '../core/backbone/types';
import { wrapSession, type BackendInfo, type BackboneSession } from './backbone-session';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

/** ORT's .wasm/.mjs files are copied to /ort/ by the setup step and served by the app itself. */
const ORT_ASSETS = `${import.meta.env?.BASE_URL ?? '/'}ort/`;

/** The threads asked for, where the page may have threads at all. */
function wasmThreads(asked: number): number {
  // Threads need SharedArrayBuffer, which needs COOP/COEP (crossOriginIsolated).
  if (!globalThis.crossOriginIsolated) return 1;
  return Math.max(1, Math.min(16, asked));
}

async function webGpuAdapter(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return null;
  try {
    const adapter = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string; description?: string } } | null;
    if (!adapter) return null;
    const i = adapter.info ?? {};
    return [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'WebGPU adapter';
  } catch {
    return null;
  }
}

/** The graph's bytes, and its shared stem's where the manifest names one. */
export interface ModelBytes {
  bytes: Uint8Array;
  stemBytes?: Uint8Array;
}

/** `threads`: WASM threads for this worker's session (its pool's share of the cores). */
export async function openWebBackbone(model: ModelBytes, manifest: ModelManifest, pref: BackendPreference, threads = Math.min(4, navigator.hardwareConcurrency || 1)): Promise<BackboneSession> {
  ort.env.wasm.wasmPaths = ORT_ASSETS;
  ort.env.wasm.numThreads = wasmThreads(threads);
  const adapter = pref === 'wasm' ? null : await webGpuAdapter();
  if (pref === 'webgpu' && !adapter) throw new Error('WebGPU was requested but this browser gives no WebGPU adapter');
  const tensor = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
  if (adapter) {
    try {
      const [session, stem] = await openGraphs(model, 'webgpu');
      const info: BackendInfo = { backend: 'webgpu', threads: ort.env.wasm.numThreads ?? 1, detail: adapter };
      return wrapSession(session, manifest, info, tensor, stem);
    } catch (err) {
      if (pref === 'webgpu') throw err;
      console.warn('WebGPU session failed, falling back to WASM:', err);
    }
  }
  const [session, stem] = await openGraphs(model, 'wasm');
  return wrapSession(session, manifest, { backend: 'wasm', threads: ort.env.wasm.numThreads ?? 1 }, tensor, stem);
}

async function openGraphs(model: ModelBytes, ep: 'webgpu' | 'wasm'): Promise<[ort.InferenceSession, ort.InferenceSession | undefined]> {
  const open = (bytes: Uint8Array) => ort.InferenceSession.create(bytes, { executionProviders: [ep] });
  // One after the other: a failed head must not leave a stem session behind, and WebGPU init is serial anyway.
  const stem = model.stemBytes ? await open(model.stemBytes) : undefined;
  try {
    return [await open(model.bytes), stem];
  } catch (err) {
    await stem?.release();
    throw err;
  }
}
