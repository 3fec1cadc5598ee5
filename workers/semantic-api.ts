// The typed API of the semantic worker (method.md §4 in the browser): trains STEGO's head on the
// session's cached tokens and refits the stuff clusters in its code space. Tokens never leave it.
import type { StegoTrainOptions } from '../src/core/stego/train';
import type { SemanticSummary, TrainBackend } from '../src/storage/records';
import type { StegoBenchResult, StegoBenchSpec } from './stego-bench';

/** Where STEGO's head trains: WebGPU when a hardware adapter is there (auto), or as the page forces it. */
export type StegoBackendPreference = 'auto' | TrainBackend;
import type { ClusterSummary } from './backbone-api';

export interface SemanticRequest {
  /** The session's processed photos; the head trains on all of them. */
  ids: string[];
  seed: number;
  /** Stuff clusters to fit on the codes; the current clusters' count when absent. */
  stuffK?: number;
  options?: Partial<StegoTrainOptions>;
  /** 'cpu' where the page runs WASM (?backend=wasm); 'webgpu' also takes a software adapter. Default auto. */
  backend?: StegoBackendPreference;
}

export interface SemanticProgress {
  phase: 'preparing' | 'training' | 'clustering';
  step: number;
  totalSteps: number;
  /** Loss at each report so far (the curve). */
  history: { step: number; loss: number }[];
  msPerStep?: number;
  /** The trainer running (known from the training phase on). */
  backend?: TrainBackend;
  backendNote?: string;
}

/** What the session keeps about its semantic head (a stored record: src/storage/records.ts). */
export type { SemanticSummary, StegoBenchResult, StegoBenchSpec, TrainBackend };

export interface SemanticWorkerApi {
  /** Trains, refits the stuff clusters on the codes and stores them as the session's new clusters. */
  train(request: SemanticRequest, cancelFlag: Int32Array | null, onProgress: (p: SemanticProgress) => void): Promise<{ clusters: ClusterSummary; semantic: SemanticSummary }>;
  /** The stored head's summary, if the session's clusters have one. */
  summary(): Promise<SemanticSummary | null>;
  /** Test hook (?debug): trains on seeded synthetic photos with the given trainer. */
  benchmarkTraining(spec: StegoBenchSpec): Promise<StegoBenchResult>;
}
