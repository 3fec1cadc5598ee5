// The typed API of the adaptation worker (method.md §6 in the browser): trains the patch head on
// the session's cached tokens with the user's labels and the pseudo labels, re-predicts every
// photo with it, and saves, exports and loads heads. Label maps and tokens never leave the worker.
import type { EpochProgress } from '../src/core/adapt/train';
import type { HeadKind } from '../src/core/adapt/head';
import type { ClusterKind, ClusterTable } from '../src/core/session/cluster-table';
import type { AdaptRoundSummary, HeadClassInfo, HeadSummary, TrainBackend } from '../src/storage/records';
import type { SegmentSummary } from './backbone-api';
import type { TrainBenchResult, TrainBenchSpec } from './train-bench';

export type TrainBackendPreference = 'auto' | TrainBackend;

export interface AdaptRequest {
  /** The session's photos, processed and labelled; the head re-predicts all of them. */
  ids: string[];
  /** The user's clusters: names, merges and hidden ones decide the classes and the targets. */
  table: ClusterTable;
  kind: HeadKind;
  hiddenDim: number;
  epochs: number;
  /** Where the user has not labelled, learn the (merged, renamed) pseudo labels. */
  pseudoLabels: boolean;
  /** Times each user-labelled patch is repeated per epoch (its weight against pseudo labels). */
  userWeight: number;
  /** 2 adds a self-training round on round 1's confident re-predictions. */
  rounds: 1 | 2;
  backend: TrainBackendPreference;
  seed: number;
}

export interface AdaptProgress {
  phase: 'preparing' | 'training' | 'predicting';
  round: number;
  rounds: number;
  /** Training: epochs and batches; predicting: photos. */
  done: number;
  total: number;
  epoch?: number;
  epochs?: number;
  /** Loss and accuracy of the epochs finished so far (this round). */
  history?: EpochProgress[];
}

export type { AdaptRoundSummary, HeadClassInfo, HeadSummary, TrainBackend };

/** A photo's panoptic segments as the head labels it (the legend counts them). */
export interface AppliedLabels {
  id: string;
  segments: SegmentSummary[];
}

/** A head file read back, before its classes are matched to the session's clusters. */
export interface ParsedHeadFile {
  names: string[];
  kinds: ClusterKind[];
  tokenDim: number;
  modelId: string | null;
}

export interface AdaptWorkerApi {
  /**
   * Trains, saves and applies a head. `cancelFlag[0]` set to 1 (Atomics) stops training at the next
   * batch and keeps what was learnt; progress goes to `onProgress`.
   */
  train(request: AdaptRequest, cancelFlag: Int32Array | null, onProgress: (p: AdaptProgress) => void): Promise<{ summary: HeadSummary; applied: AppliedLabels[] }>;
  /** Re-predicts the listed photos with the saved head (new photos). */
  apply(ids: string[], onProgress?: (p: AdaptProgress) => void): Promise<AppliedLabels[]>;
  /** The segments of the listed photos' current head labels (a reload), without predicting. */
  headSegments(ids: string[]): Promise<AppliedLabels[]>;
  headSummary(): Promise<HeadSummary | null>;
  /** The saved head as a JSON file, its classes named as the user names them now. */
  exportHead(names: string[]): Promise<Uint8Array>;
  /** Validates a head file (throws a message naming what is wrong). */
  parseHeadFile(bytes: Uint8Array): Promise<ParsedHeadFile>;
  /** Saves a validated head file with its classes matched to categories, then applies it. */
  installHead(bytes: Uint8Array, categoryIds: number[], ids: string[], onProgress?: (p: AdaptProgress) => void): Promise<{ summary: HeadSummary; applied: AppliedLabels[] }>;
  /** Forgets the head; the photos show their cluster labels again. */
  removeHead(): Promise<void>;
  /** Throws outside any call, as a crash would (robustness tests); refused unless the page runs with ?debug. */
  crashForTest(): Promise<void>;
  /** Training speed and agreement on synthetic tokens (benchmarks and the WebGPU/CPU e2e check). */
  benchmarkTraining(spec: TrainBenchSpec): Promise<TrainBenchResult>;
}
