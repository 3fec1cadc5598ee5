// The typed API of the backbone worker, shared by the worker and its clients (Squoosh-style):
// the UI imports only these types, never the worker's implementation.
import type { ModelManifest } from '../src/core/backbone/types';
import type { BackendInfo } from '../src/runtime/backbone-session';
import type { BackendPreference } from '../src/runtime/ort-web';

export interface ModelIndexEntry {
  id: string;
  name: string;
}

export interface ModelIndex {
  default: string;
  models: ModelIndexEntry[];
}

export interface FeatureView {
  id: string;
  /** Original photo size (before any downscaling for features). */
  sizeHW: [number, number];
  gridH: number;
  gridW: number;
  /** PCA colouring of the patch tokens, RGBA [gridH * gridW * 4]. */
  pcaRgba: Uint8ClampedArray;
  timingsMs: { decode: number; preprocess: number; backbone: number; pca: number };
}

export interface BackboneWorkerApi {
  /** Loads a model from the app's /models/ folder; resolves with the backend actually used. */
  init(modelId: string, pref: BackendPreference): Promise<{ info: BackendInfo; manifest: ModelManifest }>;
  /** Decodes, runs the backbone and returns a small feature view. Rejects with a readable message. */
  features(id: string, file: Blob): Promise<FeatureView>;
  /** A slice of the cached backbone output of an image (tests compare backends with it). */
  readFeatures(id: string, which: FeatureName, start: number, count: number): Promise<Float32Array>;
  /** Times a model on a fixed input in a separate session (npm run bench). */
  benchmark(modelUrl: string, manifest: ModelManifest, pref: BackendPreference, runs: number): Promise<BackboneTiming>;
}

export interface BackboneTiming {
  info: BackendInfo;
  /** Wall time of each timed run (after one untimed warm-up run), ms. */
  msPerRun: number[];
}

export type FeatureName = 'keys' | 'tokens' | 'cls';
