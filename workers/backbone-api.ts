// The typed API of the backbone worker, shared by the worker and its clients (Squoosh-style):
// the UI imports only these types, never the worker's implementation.
import type { BackboneOutput, ModelManifest } from '../src/core/backbone/types';
import type { ProposalView } from '../src/core/pipeline/instance-proposals';
import type { BackendInfo } from '../src/runtime/backbone-session';
import type { BackendPreference } from '../src/runtime/ort-web';
import type { ProposalMode } from '../src/core/pipeline/image-pass';
import type { RefineMethod } from '../src/core/pipeline/refine';
import type { ProcessSummary } from '../src/storage/records';

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
  timingsMs: { decode: number; preprocess: number; backbone: number };
}

export interface ProcessOptions {
  refine: RefineMethod;
  maxMasks: number;
  /** Absent: 'reference'. */
  proposals?: ProposalMode;
}

export type { ProcessSummary };

export interface ClusterSummary {
  thingK: number;
  stuffK: number;
  /** Increments with every fit; labels remember the version they were made with. */
  version: number;
  images: number;
  ms: number;
}

export interface SegmentSummary {
  id: number;
  categoryId: number;
  isThing: boolean;
  area: number;
  score?: number;
}

export interface LabelSummary {
  id: string;
  clustersVersion: number;
  thingK: number;
  stuffK: number;
  segments: SegmentSummary[];
  ms: number;
}

/** A photo after decode and backbone, before its masks: what segmenting goes on from (the worker's `embed` holds it). */
export interface EmbeddedImage {
  id: string;
  sizeHW: [number, number];
  /** The decoded photo at the label resolution (RGBA). */
  rgba: { data: Uint8ClampedArray; width: number; height: number };
  features: BackboneOutput;
  /** 'multi' only: the whole photo's and its crops' features (embedViews). */
  views?: ProposalView[];
  proposals: ProposalMode;
  /** The model's MaskCut threshold (manifest.tau). */
  tau: number;
  timingsMs: { decode: number; backbone: number };
}

/** The first photo's regions, from its early features: the session's first clusters and its labels. */
export interface EarlyRegions {
  clusters: ClusterSummary;
  label: LabelSummary;
  /** Worker time to them: decode, the passes run so far, clusters, labels. */
  timingsMs: { decode: number; backbone: number; clusters: number; label: number };
}

export interface BackboneWorkerApi {
  /**
   * Loads a model from the app's /models/ folder; resolves with the backend actually used.
   * `sharedStem` false: a model with a shared stem runs whole passes instead (?stem=off).
   */
  init(modelId: string, pref: BackendPreference, wasmThreads: number, sharedStem?: boolean): Promise<{ info: BackendInfo; manifest: ModelManifest }>;
  /** A slice of a recent backbone output of an image (tests compare backends with it); ?debug only. */
  readFeatures(id: string, which: FeatureName, start: number, count: number): Promise<Float32Array>;
  /**
   * Decode and backbone of one photo: its tokens are stored by id with a provisional pass (no
   * masks yet), so it can be clustered and labelled while `segment` makes its masks. With
   * `onRegions` (the session's first photo), clusters and labels from its first passes go there
   * while the other passes run.
   */
  embed(id: string, file: Blob, options: ProcessOptions, onRegions?: (regions: EarlyRegions) => void): Promise<{ view: FeatureView; sizeHW: [number, number]; timingsMs: { decode: number; backbone: number } }>;
  /** The photo `embed` holds for its masks, handed over (its buffers transferred) to another worker's `segmentEmbedded`. */
  takeEmbedded(id: string): Promise<EmbeddedImage>;
  /** MaskCut (or the multi-view stage) and refinement of a photo another worker embedded; stored by id. */
  segmentEmbedded(embedded: EmbeddedImage, options: ProcessOptions): Promise<{ summary: ProcessSummary; view: FeatureView }>;
  /** MaskCut (or the multi-view stage) and refinement of a photo `embed` did (embedded again if this worker did not); stored by id. */
  segment(id: string, file: Blob, options: ProcessOptions): Promise<{ summary: ProcessSummary; view: FeatureView }>;
  /** Fits the session's thing and stuff clusters over the stored passes of these images. */
  cluster(ids: string[], options: { thingK?: number; stuffK?: number; seed: number }): Promise<ClusterSummary>;
  /** Results of a previous visit for this image, the loaded model and the asked settings (null: process it again). */
  restore(id: string, asked: ProcessOptions): Promise<{ summary: ProcessSummary; view: FeatureView; label?: LabelSummary } | null>;
  /** The stored clusters, if the session has any. */
  storedClusters(): Promise<ClusterSummary | null>;
  /** Semantic, instance and panoptic labels of one image with the current clusters. */
  label(id: string): Promise<LabelSummary>;
  /** The dense CRF in this worker (which engine, and its refinement of one mask): e2e tests. */
  denseCrfCheck(rgba: Uint8Array, width: number, height: number, mask: Uint8Array): Promise<{ backend: 'wasm' | 'ts'; mask: Uint8Array }>;
  /** Throws outside any call, as a crash would (robustness tests); refused unless the page runs with ?debug. */
  crashForTest(): Promise<void>;
  /** Times a model on a fixed input in a separate session (npm run bench). */
  benchmark(modelUrl: string, manifest: ModelManifest, pref: BackendPreference, runs: number): Promise<BackboneTiming>;
}

export interface BackboneTiming {
  info: BackendInfo;
  /** Wall time of each timed run (after one untimed warm-up run), ms. */
  msPerRun: number[];
}

export type FeatureName = 'keys' | 'tokens' | 'cls';
