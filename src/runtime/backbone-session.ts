// The model-runtime interface both onnxruntime-web (workers) and onnxruntime-node (CLI) back:
// normalised NCHW in, the BackboneOutput contract of method.md §1 out.
import type { BackboneOutput, ModelManifest } from '../core/backbone/types';
import { gridSize } from '../core/backbone/types';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: BackendName;
  /** WASM threads in use (1 when the page is not cross-origin isolated). */
  threads: number;
  /** Adapter description for WebGPU (e.g. "SwiftShader" in headless tests). */
  detail?: string;
}

export interface BackboneSession {
  readonly manifest: ModelManifest;
  readonly info: BackendInfo;
  run(inputNchw: Float32Array): Promise<BackboneOutput>;
  release(): Promise<void>;
}

/** What both ORT flavours expose that we use: a structural subset of their Tensor and session types. */
export interface OrtTensorLike {
  data: unknown;
  dims: readonly number[];
}
export interface OrtSessionLike {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

function asFloat32(t: OrtTensorLike | undefined, name: string): Float32Array {
  if (!t) throw new Error(`the model has no output "${name}"`);
  if (!(t.data instanceof Float32Array)) throw new Error(`output "${name}" is not float32`);
  return t.data;
}

/** Turns raw ORT outputs into a checked BackboneOutput, so a wrong model fails with a reason. */
export function toBackboneOutput(manifest: ModelManifest, out: Record<string, OrtTensorLike>): BackboneOutput {
  const { gridH, gridW } = gridSize(manifest);
  const N = gridH * gridW;
  const keys = asFloat32(out[manifest.outputs.keys], manifest.outputs.keys);
  const tokens = asFloat32(out[manifest.outputs.tokens], manifest.outputs.tokens);
  const cls = asFloat32(out[manifest.outputs.cls], manifest.outputs.cls);
  if (keys.length % N !== 0 || tokens.length % N !== 0) {
    throw new Error(`model outputs do not fit a ${gridH}×${gridW} grid (keys ${keys.length}, tokens ${tokens.length} values)`);
  }
  return { keys, keyDim: keys.length / N, tokens, tokenDim: tokens.length / N, cls, gridH, gridW };
}

/** Wraps any ORT session; `makeTensor` is the flavour's Tensor constructor. */
export function wrapSession(
  session: OrtSessionLike,
  manifest: ModelManifest,
  info: BackendInfo,
  makeTensor: (data: Float32Array, dims: number[]) => unknown,
): BackboneSession {
  const S = manifest.inputSize;
  return {
    manifest,
    info,
    async run(inputNchw) {
      if (inputNchw.length !== 3 * S * S) throw new Error(`input has ${inputNchw.length} values; expected 3×${S}×${S}`);
      const out = await session.run({ [manifest.inputName]: makeTensor(inputNchw, [1, 3, S, S]) });
      return toBackboneOutput(manifest, out);
    },
    release: () => session.release(),
  };
}
