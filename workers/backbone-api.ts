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
}

export type FeatureName = 'keys' | 'tokens' | 'cls';
