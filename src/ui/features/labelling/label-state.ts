// The labelling tools' small facts for React (mode, tool, radius, class, which photos carry labels);
// the label pixels themselves live in label-session.ts, outside React state.
import { create } from 'zustand';

export type LabelTool = 'brush' | 'eraser' | 'fill';

/** Brush radius bounds in label pixels (the photo fitted within 640 px). */
export const MIN_RADIUS_PX = 1;
export const MAX_RADIUS_PX = 64;

interface LabellingState {
  /** Label mode: pointer input paints instead of selecting (space-drag or the middle button pans). */
  active: boolean;
  tool: LabelTool;
  radiusPx: number;
  /** Category id (cluster table) the brush and fill paint; null until the user picks one. */
  classId: number | null;
  /** The user-label layer is drawn over the photo. */
  showLabels: boolean;
  /** Space held: the pointer pans the zoomed photo instead of painting. */
  panning: boolean;
  /** Photos whose stored user labels have at least one pixel (gallery badges, the count). */
  labelledIds: Record<string, true>;
  /** Undo/redo steps of the shown photo, so buttons and shortcuts know when they apply. */
  history: { undo: number; redo: number };
  /** 'pending' while an edit of the shown photo waits to be written to the store. */
  saveState: 'saved' | 'pending';
  set(patch: Partial<Omit<LabellingState, 'set' | 'markLabelled'>>): void;
  markLabelled(id: string, labelled: boolean): void;
}

export const useLabelling = create<LabellingState>()((set) => ({
  active: false,
  tool: 'brush',
  radiusPx: 8,
  classId: null,
  showLabels: true,
  panning: false,
  labelledIds: {},
  history: { undo: 0, redo: 0 },
  saveState: 'saved',
  set: (patch) => set(patch),
  markLabelled: (id, labelled) =>
    set((s) => {
      if (Boolean(s.labelledIds[id]) === labelled) return s;
      const labelledIds = { ...s.labelledIds };
      if (labelled) labelledIds[id] = true;
      else delete labelledIds[id];
      return { labelledIds };
    }),
}));

/** The next radius up or down: single pixels while small, then steps of a quarter. */
export function stepRadius(radiusPx: number, direction: 1 | -1): number {
  const next = radiusPx < 6 ? radiusPx + direction : Math.round(direction > 0 ? radiusPx * 1.25 : radiusPx / 1.25);
  return Math.min(MAX_RADIUS_PX, Math.max(MIN_RADIUS_PX, next));
}
