// The typed API of the semantic worker (method.md §4 in the browser): trains STEGO's head on the
// session's cached tokens and refits the stuff clusters in its code space. Tokens never leave it.
import type { StegoTrainOptions } from '../src/core/stego/train';
import type { SemanticSummary } from '../src/storage/records';
import type { ClusterSummary } from './backbone-api';

export interface SemanticRequest {
  /** The session's processed photos; the head trains on all of them. */
  ids: string[];
  seed: number;
  /** Stuff clusters to fit on the codes; the current clusters' count when absent. */
  stuffK?: number;
  options?: Partial<StegoTrainOptions>;
}

export interface SemanticProgress {
  phase: 'preparing' | 'training' | 'clustering';
  step: number;
  totalSteps: number;
  /** Loss at each report so far (the curve). */
  history: { step: number; loss: number }[];
  msPerStep?: number;
}

/** What the session keeps about its semantic head (a stored record: src/storage/records.ts). */
export type { SemanticSummary };

export interface SemanticWorkerApi {
  /** Trains, refits the stuff clusters on the codes and stores them as the session's new clusters. */
  train(request: SemanticRequest, cancelFlag: Int32Array | null, onProgress: (p: SemanticProgress) => void): Promise<{ clusters: ClusterSummary; semantic: SemanticSummary }>;
  /** The stored head's summary, if the session's clusters have one. */
  summary(): Promise<SemanticSummary | null>;
}
