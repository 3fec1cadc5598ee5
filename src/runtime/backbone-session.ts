// The model-runtime interface both onnxruntime-web (workers) and onnxruntime-node (CLI) back:
// normalised NCHW in, the BackboneOutput contract of method.md §1 out.
import type { BackboneRunner, StemMap } from '../core/backbone/shift-average';
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

/** A model's session(s): whole passes, and for a model with a shared stem its two halves too. */
export interface BackboneSession extends BackboneRunner {
  readonly manifest: ModelManifest;
  readonly info: BackendInfo;
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

/**
 * The session as if its model had no shared stem: each shifted pass runs stem and head on its own
 * window, which is bit for bit the unsplit model's pass (the old way, for side-by-side benchmarks).
 */
export function withWholePasses(session: BackboneSession): BackboneSession {
  const sa = session.manifest.shiftAverage;
  if (!sa?.stem) return session;
  const { stem: _stem, ...rest } = sa;
  return { manifest: { ...session.manifest, shiftAverage: rest }, info: session.info, run: session.run, release: session.release };
}

function stemMap(out: Record<string, OrtTensorLike>, name: string): StemMap {
  const data = asFloat32(out[name], name);
  const [batch, channels, height, width] = out[name].dims;
  if (out[name].dims.length !== 4 || batch !== 1) throw new Error(`the stem's output "${name}" is [${out[name].dims}]; expected [1, C, h, w]`);
  return { data, channels, height, width };
}

/**
 * Wraps any ORT session; `makeTensor` is the flavour's Tensor constructor. With `stemSession` (a
 * model whose manifest names a shared stem), `session` is the head and a whole pass runs both.
 */
export function wrapSession(
  session: OrtSessionLike,
  manifest: ModelManifest,
  info: BackendInfo,
  makeTensor: (data: Float32Array, dims: number[]) => unknown,
  stemSession?: OrtSessionLike,
): BackboneSession {
  const S = manifest.inputSize;
  const checkInput = (inputNchw: Float32Array, side: number) => {
    if (inputNchw.length !== 3 * side * side) throw new Error(`input has ${inputNchw.length} values; expected 3×${side}×${side}`);
  };
  const stemName = manifest.shiftAverage?.stem?.output;
  if (!stemSession || !stemName) {
    if (stemSession || stemName) throw new Error(`model ${manifest.id}: a shared stem needs both its manifest entry and its graph`);
    return {
      manifest,
      info,
      async run(inputNchw) {
        checkInput(inputNchw, S);
        return toBackboneOutput(manifest, await session.run({ [manifest.inputName]: makeTensor(inputNchw, [1, 3, S, S]) }));
      },
      release: () => session.release(),
    };
  }
  const stem = async (inputNchw: Float32Array, side: number) => {
    checkInput(inputNchw, side);
    return stemMap(await stemSession.run({ [manifest.inputName]: makeTensor(inputNchw, [1, 3, side, side]) }), stemName);
  };
  const head = async (map: StemMap) => toBackboneOutput(manifest, await session.run({ [stemName]: makeTensor(map.data, [1, map.channels, map.height, map.width]) }));
  return {
    manifest,
    info,
    stem,
    head,
    run: async (inputNchw) => head(await stem(inputNchw, S)),
    release: async () => {
      await stemSession.release();
      await session.release();
    },
  };
}
