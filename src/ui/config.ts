// The page's settings from its URL (README "Page settings"), read and typed in one place: every
// other module asks pageConfig(), so an unknown value falls back the same way everywhere.
import type { ProposalMode } from '../core/pipeline/image-pass';
import type { RefineMethod } from '../core/pipeline/refine';
import type { BackendPreference } from '../runtime/ort-web';

export interface PageConfig {
  /** ?backend=webgpu|wasm forces the inference backend; otherwise WebGPU when there is an adapter. */
  backend: BackendPreference;
  /** ?model=<id> loads that model instead of the remembered or served default one. */
  modelId: string | null;
  /** ?refine=crf|guided|none: MaskCut's mask refinement (default crf). */
  refine: RefineMethod;
  /** ?proposals=reference|multi: CutLER's MaskCut, or the multi-view proposal stage (default: DEFAULT_APP_PROPOSALS). */
  proposals: ProposalMode;
  /** The address names the stage: it wins over the user's remembered choice (proposal-choice.ts). */
  proposalsInUrl: boolean;
  /** ?workers=N (1…8): backbone workers in the pool; null = by cores (poolPlan). */
  workers: number | null;
  /** ?threads=N (1…16): WASM threads of each worker's model; null = by cores (poolPlan). */
  threads: number | null;
  /** ?debug: test and benchmark hooks on globalThis.__u2seg, crash simulation, recent backbone outputs kept. */
  debug: boolean;
  /** ?stego=off keeps k-means stuff clusters (a slow machine; tests that time other things). */
  stego: boolean;
  /** ?regions=off: the first photo waits for its masks before anything is painted (the old way; `npm run bench -- app --vs regions=off`). */
  regionsFirst: boolean;
  /** ?overlap=off: each photo's masks are made by the worker that ran its backbone, not by a segmenting worker beside it (the old way). */
  overlap: boolean;
  /** ?stem=off: a model with a shared stem runs four whole passes, as before it had one (the old way, bit for bit). */
  sharedStem: boolean;
  /**
   * ?ahead=N (0…4): photos in flight beyond one per worker, so that the model's worker embeds the
   * next photos while its segmenting worker is still busy (0: one per worker, the old way).
   */
  aheadPhotos: number;
}

const MAX_WORKERS = 8;
const MAX_AHEAD = 4;
const DEFAULT_AHEAD = 1;
const MAX_THREADS = 16;

/** The app's proposal stage when the URL names none (README: measured on coco-dev). */
export const DEFAULT_APP_PROPOSALS: ProposalMode = 'reference';

/** The settings a query string asks for (a leading "?" is optional). */
export function readConfig(search: string): PageConfig {
  const q = new URLSearchParams(search);
  const backend = q.get('backend');
  const refine = q.get('refine');
  const proposals = q.get('proposals');
  const workers = Number(q.get('workers'));
  const threads = Number(q.get('threads'));
  return {
    backend: backend === 'webgpu' || backend === 'wasm' ? backend : 'auto',
    modelId: q.get('model') || null,
    refine: refine === 'none' || refine === 'guided' || refine === 'crf' ? refine : 'crf',
    proposals: proposals === 'reference' || proposals === 'multi' ? proposals : DEFAULT_APP_PROPOSALS,
    proposalsInUrl: proposals === 'reference' || proposals === 'multi',
    workers: workers >= 1 ? Math.min(MAX_WORKERS, Math.floor(workers)) : null,
    threads: threads >= 1 ? Math.min(MAX_THREADS, Math.floor(threads)) : null,
    debug: q.has('debug'),
    stego: q.get('stego') !== 'off',
    regionsFirst: q.get('regions') !== 'off',
    overlap: q.get('overlap') !== 'off',
    sharedStem: q.get('stem') !== 'off',
    aheadPhotos: q.has('ahead') && Number(q.get('ahead')) >= 0 ? Math.min(MAX_AHEAD, Math.floor(Number(q.get('ahead')))) : DEFAULT_AHEAD,
  };
}

/** Where the user's choice of proposal stage is remembered (proposal-choice.ts writes it). */
export const CHOSEN_PROPOSALS_KEY = 'u2seg.proposals';

/** The stage this page starts with: the address's, else the remembered choice, else the default. */
export function startingProposals(config: PageConfig = pageConfig()): ProposalMode {
  if (config.proposalsInUrl) return config.proposals;
  const chosen = globalThis.localStorage?.getItem(CHOSEN_PROPOSALS_KEY);
  return chosen === 'reference' || chosen === 'multi' ? chosen : config.proposals;
}

let current: PageConfig | null = null;

/** This page's settings (its URL does not change while it runs). */
export function pageConfig(): PageConfig {
  return (current ??= readConfig(globalThis.location?.search ?? ''));
}
