// State of the segmentation session: clusters and the user's edits with their history, the view
// settings, progress, and per-image segment summaries (small facts only; label maps stay in the worker).
import { create } from 'zustand';
import { applyClusterEdits, newClusterTable, type ClusterEdit, type ClusterTable } from '../../core/session/cluster-table';
import type { ColourBy, ViewMode } from '../../core/render/overlay';
import type { SegmentSummary } from '../../../workers/backbone-api';
import type { GroundTruthSummary } from '../../../workers/view-api';

export type Dialog = 'export' | 'help' | 'adapt' | null;

/** 'segmenting': the backbone ran, the masks are being made (the first photo's regions may show meanwhile). */
export type Stage = 'queued' | 'processing' | 'segmenting' | 'labelling' | 'labelled' | 'error';

export interface ClusterState {
  thingK: number;
  stuffK: number;
  version: number;
}

export interface ViewState {
  mode: ViewMode;
  colourBy: ColourBy;
  outlines: boolean;
  /** Overlay opacity 0..1 */
  opacity: number;
  showFeatures: boolean;
  /** Show imported COCO ground truth instead of the pseudo labels. */
  showGroundTruth: boolean;
}

export interface Progress {
  done: number;
  total: number;
  phase: 'idle' | 'processing' | 'clustering' | 'labelling';
}

interface SegState {
  clusters: ClusterState | null;
  table: ClusterTable;
  undoStack: ClusterEdit[][];
  redoStack: ClusterEdit[][];
  view: ViewState;
  progress: Progress;
  stageById: Record<string, Stage>;
  segmentsById: Record<string, SegmentSummary[]>;
  /** Segment under the pointer or clicked, for the legend to highlight. */
  selectedCategory: number | null;
  /** Desired thing K for the next clustering (null = automatic). */
  thingK: number | null;
  dialog: Dialog;
  groundTruth: GroundTruthSummary | null;
  setGroundTruth(gt: GroundTruthSummary | null): void;
  setDialog(d: Dialog): void;
  setClusters(c: ClusterState, table?: ClusterTable): void;
  /** Applies edits as one undoable step; throws (message for the user) when an edit is refused. */
  edit(edits: ClusterEdit[]): void;
  undo(): void;
  redo(): void;
  setView(patch: Partial<ViewState>): void;
  setProgress(p: Partial<Progress>): void;
  setStage(id: string, stage: Stage): void;
  setSegments(id: string, segments: SegmentSummary[]): void;
  selectCategory(id: number | null): void;
  setThingK(k: number | null): void;
  reset(): void;
}

const INITIAL_VIEW: ViewState = { mode: 'panoptic', colourBy: 'cluster', outlines: true, opacity: 0.6, showFeatures: false, showGroundTruth: false };

export const useSeg = create<SegState>()((set, get) => ({
  clusters: null,
  table: {},
  undoStack: [],
  redoStack: [],
  view: INITIAL_VIEW,
  progress: { done: 0, total: 0, phase: 'idle' },
  stageById: {},
  segmentsById: {},
  selectedCategory: null,
  thingK: null,
  dialog: null,
  groundTruth: null,
  setGroundTruth: (groundTruth) => set({ groundTruth }),
  setDialog: (dialog) => set({ dialog }),
  setClusters: (clusters, table) =>
    set({ clusters, table: table ?? newClusterTable(Math.max(clusters.thingK, 1), clusters.stuffK), undoStack: [], redoStack: [] }),
  edit: (edits) => {
    const { table, inverse } = applyClusterEdits(get().table, edits);
    set((s) => ({ table, undoStack: [...s.undoStack, inverse], redoStack: [] }));
  },
  undo: () => {
    const { undoStack, table } = get();
    const last = undoStack.at(-1);
    if (!last) return;
    const r = applyClusterEdits(table, last);
    set((s) => ({ table: r.table, undoStack: s.undoStack.slice(0, -1), redoStack: [...s.redoStack, r.inverse] }));
  },
  redo: () => {
    const { redoStack, table } = get();
    const last = redoStack.at(-1);
    if (!last) return;
    const r = applyClusterEdits(table, last);
    set((s) => ({ table: r.table, redoStack: s.redoStack.slice(0, -1), undoStack: [...s.undoStack, r.inverse] }));
  },
  setView: (patch) => set((s) => ({ view: { ...s.view, ...patch } })),
  setProgress: (p) => set((s) => ({ progress: { ...s.progress, ...p } })),
  setStage: (id, stage) => set((s) => ({ stageById: { ...s.stageById, [id]: stage } })),
  setSegments: (id, segments) => set((s) => ({ segmentsById: { ...s.segmentsById, [id]: segments } })),
  selectCategory: (selectedCategory) => set({ selectedCategory }),
  setThingK: (thingK) => set({ thingK }),
  reset: () => set({ clusters: null, table: {}, undoStack: [], redoStack: [], progress: { done: 0, total: 0, phase: 'idle' }, stageById: {}, segmentsById: {}, selectedCategory: null }),
}));

/** Colour lookup (RGBA per category id) for the overlay: merges followed, hidden clusters clear. */
export function overlayLut(table: ClusterTable, resolve: (id: number) => number): Uint8Array {
  const ids = Object.keys(table).map(Number);
  const lut = new Uint8Array((Math.max(0, ...ids) + 1) * 4);
  for (const id of ids) {
    const target = table[resolve(id)];
    if (!target) continue;
    const v = parseInt(target.colour.slice(1), 16);
    lut.set([(v >> 16) & 255, (v >> 8) & 255, v & 255, target.hidden || table[id].hidden ? 0 : 255], id * 4);
  }
  return lut;
}
