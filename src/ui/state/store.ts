// The UI's state: only small, serialisable facts (ids, names, statuses, timings). Pixels and
// tensors live in workers and in pixel-store.ts, keyed by the same ids.
import { create } from 'zustand';
import type { ProposalMode } from '../../core/pipeline/image-pass';
import { startingProposals } from '../config';
import type { BackendInfo } from '../../runtime/backbone-session';
import type { ModelJobStage } from '../../../workers/model-api';

export type ImageStatus = 'queued' | 'running' | 'done' | 'error';

export interface ImageEntry {
  id: string;
  name: string;
  status: ImageStatus;
  error?: string;
  sizeHW?: [number, number];
  gridHW?: [number, number];
  timingsMs?: Record<string, number>;
}

export interface Message {
  id: number;
  level: 'error' | 'info';
  text: string;
}

export interface BackendState {
  status: 'loading' | 'ready' | 'error';
  info?: BackendInfo;
  /** Backbone workers in the pool, each with info.threads WASM threads. */
  workers?: number;
  modelName?: string;
  modelId?: string;
  error?: string;
}

/** A model the Models panel lists: served from /models/ or imported into the browser's cache. */
export interface ModelEntry {
  id: string;
  name: string;
  origin: 'served' | 'cached';
  inputSizePx?: number;
  sizeBytes?: number;
}

/** The one running model import or download, as small facts (the bytes stay in the model worker). */
export interface ModelJob {
  kind: 'import' | 'download';
  /** File name or checkpoint label. */
  label: string;
  /** DINO_CHECKPOINTS id of a download. */
  checkpointId?: string;
  stage: 'starting' | ModelJobStage;
  doneBytes?: number;
  totalBytes?: number;
}

/** An official checkpoint the panel offers to download (DINO_CHECKPOINTS). */
export interface CheckpointEntry {
  id: string;
  label: string;
  url: string;
}

export interface ModelsState {
  served: ModelEntry[];
  cached: ModelEntry[];
  checkpoints: CheckpointEntry[];
  job: ModelJob | null;
  /** Input side a checkpoint is converted at, px. */
  inputSizePx: number;
  /** Heads override for checkpoints whose width is not a multiple of 64; null = read from the weights. */
  numHeads: number | null;
}

interface AppState {
  images: ImageEntry[];
  selectedId: string | null;
  backend: BackendState;
  messages: Message[];
  models: ModelsState;
  /** The proposal stage new photos are processed with (proposal-choice.ts sets it). */
  proposals: ProposalMode;
  addImages(entries: ImageEntry[]): void;
  updateImage(id: string, patch: Partial<ImageEntry>): void;
  select(id: string | null): void;
  setBackend(b: BackendState): void;
  notify(level: Message['level'], text: string): void;
  dismiss(id: number): void;
  setModels(patch: Partial<ModelsState>): void;
  setProposals(mode: ProposalMode): void;
}

let nextMessageId = 1;

export const useApp = create<AppState>()((set) => ({
  images: [],
  selectedId: null,
  backend: { status: 'loading' },
  messages: [],
  models: { served: [], cached: [], checkpoints: [], job: null, inputSizePx: 480, numHeads: null },
  proposals: startingProposals(),
  addImages: (entries) =>
    set((s) => ({ images: [...s.images, ...entries], selectedId: s.selectedId ?? entries[0]?.id ?? null })),
  updateImage: (id, patch) => set((s) => ({ images: s.images.map((im) => (im.id === id ? { ...im, ...patch } : im)) })),
  select: (id) => set({ selectedId: id }),
  setBackend: (backend) => set({ backend }),
  notify: (level, text) => set((s) => ({ messages: [...s.messages, { id: nextMessageId++, level, text }] })),
  dismiss: (id) => set((s) => ({ messages: s.messages.filter((m) => m.id !== id) })),
  setModels: (patch) => set((s) => ({ models: { ...s.models, ...patch } })),
  setProposals: (proposals) => set({ proposals }),
}));
