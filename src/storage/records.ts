// The shapes of what the session store keeps, shared by the workers that write them and the page
// that reads them (and by the worker APIs that return some of them): one module, no worker imports.
import type { HeadKind } from '../core/adapt/head';
import type { SerializedHead } from '../core/adapt/head-codec';
import type { HeadLabels } from '../core/adapt/head-labels';
import type { EpochProgress } from '../core/adapt/train';
import type { ImageLabels } from '../core/pipeline/image-labels';
import type { ProposalMode } from '../core/pipeline/image-pass';
import type { RefineMethod } from '../core/pipeline/refine';
import type { SessionClusters } from '../core/pipeline/session-clusters';
import type { SizeHW } from '../core/pipeline/upsample';
import type { ClusterKind, ClusterTable } from '../core/session/cluster-table';

/** A photo's processing facts (the `summary` result; also what the backbone worker's process() returns). */
export interface ProcessSummary {
  id: string;
  /** Original photo size. */
  sizeHW: [number, number];
  /** Size of masks and label maps (the photo, downscaled when larger than LABEL_MAX_SIDE). */
  labelSizeHW: [number, number];
  instances: number;
  timingsMs: Record<string, number>;
  /** How the masks were made; absent in sessions saved before it was recorded (they used 'reference'). */
  /** revision: the multi-view stage's PROPOSAL_STAGE_REVISION ('multi' only; absent before revisions were kept). */
  made?: { proposals: ProposalMode; refine: RefineMethod; revision?: number };
}

/** A photo's cluster labels (the `labels` result), tied to the clusters they were made with. */
export interface StoredLabels extends ImageLabels {
  clustersVersion: number;
  /** Thing categories are 1..thingCount, stuff follows (at least 1 so stuff ids are stable). */
  thingCount: number;
}

/** What the session keeps about its semantic head (method.md §4), beside the head itself. */
export interface SemanticSummary {
  modelId: string;
  photos: number;
  steps: number;
  totalSteps: number;
  stopped: boolean;
  finalLoss: number;
  trainMs: number;
  createdAt: number;
  /** Which trainer ran (absent in sessions saved before there were two). */
  backend?: TrainBackend;
  /** Why the CPU trained where WebGPU did not (no adapter, a software one, a failure), or the adapter that did. */
  backendNote?: string;
}

/** The session's clusters (meta `clusters`). */
export interface StoredClusters extends SessionClusters {
  version: number;
  imageIds: string[];
  /** How the semantic head (clusters.semanticHead) was trained, when there is one. */
  semantic?: SemanticSummary;
}

/** The user's names, colours and merges (meta `clusterTable`), valid for clusters of `version`. */
export interface StoredClusterTable {
  version: number;
  table: ClusterTable;
}

/** The user's own labels of a photo (result `user-labels`): the few-shot targets of method.md §6. */
export interface UserLabels {
  id: string;
  /** The photo's label resolution (the pipeline's labelSizeHW), [height, width]. */
  labelSizeHW: [number, number];
  /** Category id (the cluster table's ids) per pixel, row-major; 0 = not labelled by the user. */
  categoryRowMajor: Uint16Array;
  /** Pixels with a category, so lists need not scan the map. */
  labelledPixels: number;
  updatedAt: number;
}

export type TrainBackend = 'cpu' | 'webgpu';

export interface HeadClassInfo {
  categoryId: number;
  name: string;
  kind: ClusterKind;
}

export interface AdaptRoundSummary {
  round: number;
  history: EpochProgress[];
  /** Training patches (user-labelled ones counted once). */
  samples: number;
  userSamples: number;
  /** Fraction of user-labelled patches the round's head gets right; null without user labels. */
  userAgreement: number | null;
  /** Fraction of patches whose class changed from the previous round's prediction; null in round 1. */
  changedFraction: number | null;
}

export interface HeadSummary {
  version: number;
  classes: HeadClassInfo[];
  kind: HeadKind;
  hiddenDim: number;
  tokenDim: number;
  modelId: string;
  backend: TrainBackend | 'imported';
  rounds: AdaptRoundSummary[];
  labelledImages: number;
  /** Photos the head learnt from, and those a memory budget left out of training (still labelled). */
  trainedImages: number;
  leftOutImages: number;
  /** True when training was cancelled (the head keeps what it had learnt). */
  stopped: boolean;
  createdAt: number;
}

/** The adaptation head (meta `adaptHead`, method.md §6). */
export interface StoredHead {
  version: number;
  head: SerializedHead;
  /** Table category of each head class. */
  categoryIds: number[];
  summary: HeadSummary;
}

/** A photo's labels predicted by the head (result `head-labels`); stale when headVersion is not the head's. */
export interface StoredHeadLabels extends HeadLabels {
  headVersion: number;
  labelSizeHW: SizeHW;
}
