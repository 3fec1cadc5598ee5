// State of the adaptation (method.md §6 in the browser): the saved head's summary, the running
// training's progress, the user's training options and each photo's segments as the head labels it.
import { create } from 'zustand';
import type { AdaptProgress, AdaptRequest, AppliedLabels, HeadSummary } from '../../../workers/adapt-api';
import type { SegmentSummary } from '../../../workers/backbone-api';

/** The training choices the dialog offers (the rest of a request comes from the session). */
export type AdaptOptions = Pick<AdaptRequest, 'kind' | 'hiddenDim' | 'epochs' | 'pseudoLabels' | 'userWeight' | 'rounds' | 'backend'>;

/** Which labels the views show while a head exists. */
export type LabelSource = 'head' | 'clusters';

interface AdaptState {
  summary: HeadSummary | null;
  progress: AdaptProgress | null;
  running: boolean;
  options: AdaptOptions;
  source: LabelSource;
  headSegmentsById: Record<string, SegmentSummary[]>;
  setSummary(summary: HeadSummary | null): void;
  setProgress(progress: AdaptProgress | null): void;
  setRunning(running: boolean): void;
  setOptions(patch: Partial<AdaptOptions>): void;
  setSource(source: LabelSource): void;
  /** Replaces (fresh head) or extends (new photos) the head's segments. */
  putHeadSegments(applied: AppliedLabels[], replace: boolean): void;
  reset(): void;
}

export const ADAPT_DEFAULTS: AdaptOptions = { kind: 'mlp', hiddenDim: 128, epochs: 8, pseudoLabels: true, userWeight: 5, rounds: 1, backend: 'auto' };

export const useAdapt = create<AdaptState>()((set) => ({
  summary: null,
  progress: null,
  running: false,
  options: ADAPT_DEFAULTS,
  source: 'head',
  headSegmentsById: {},
  setSummary: (summary) => set({ summary }),
  setProgress: (progress) => set({ progress }),
  setRunning: (running) => set({ running }),
  setOptions: (patch) => set((s) => ({ options: { ...s.options, ...patch } })),
  setSource: (source) => set({ source }),
  putHeadSegments: (applied, replace) =>
    set((s) => ({ headSegmentsById: { ...(replace ? {} : s.headSegmentsById), ...Object.fromEntries(applied.map((a) => [a.id, a.segments])) } })),
  reset: () => set({ summary: null, progress: null, running: false, headSegmentsById: {} }),
}));

/** The segments the views show for a photo: the head's when it labels the photo and is shown. */
export function useShownSegments(clusterSegments: SegmentSummary[] | undefined, id: string): SegmentSummary[] | undefined {
  const head = useAdapt((s) => (s.source === 'head' && s.summary ? s.headSegmentsById[id] : undefined));
  return head ?? clusterSegments;
}
