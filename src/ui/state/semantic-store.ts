// State of the semantic head (method.md §4 in the browser): whether the stuff clusters come from
// k-means on the tokens or from a trained STEGO head, and the running training's progress.
import { create } from 'zustand';
import type { SemanticProgress, SemanticSummary } from '../../../workers/semantic-api';

interface SemanticState {
  summary: SemanticSummary | null;
  progress: SemanticProgress | null;
  running: boolean;
  setSummary(summary: SemanticSummary | null): void;
  setProgress(progress: SemanticProgress | null): void;
  setRunning(running: boolean): void;
  reset(): void;
}

export const useSemantic = create<SemanticState>()((set) => ({
  summary: null,
  progress: null,
  running: false,
  setSummary: (summary) => set({ summary }),
  setProgress: (progress) => set({ progress }),
  setRunning: (running) => set({ running }),
  reset: () => set({ summary: null, progress: null, running: false }),
}));
