// The UI's state: only small, serialisable facts (ids, names, statuses, timings). Pixels and
// tensors live in workers and in pixel-store.ts, keyed by the same ids.
import { create } from 'zustand';
import type { BackendInfo } from '../../runtime/backbone-session';

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
  modelName?: string;
  modelId?: string;
  error?: string;
}

interface AppState {
  images: ImageEntry[];
  selectedId: string | null;
  backend: BackendState;
  messages: Message[];
  addImages(entries: ImageEntry[]): void;
  updateImage(id: string, patch: Partial<ImageEntry>): void;
  select(id: string | null): void;
  setBackend(b: BackendState): void;
  notify(level: Message['level'], text: string): void;
  dismiss(id: number): void;
}

let nextMessageId = 1;

export const useApp = create<AppState>()((set) => ({
  images: [],
  selectedId: null,
  backend: { status: 'loading' },
  messages: [],
  addImages: (entries) =>
    set((s) => ({ images: [...s.images, ...entries], selectedId: s.selectedId ?? entries[0]?.id ?? null })),
  updateImage: (id, patch) => set((s) => ({ images: s.images.map((im) => (im.id === id ? { ...im, ...patch } : im)) })),
  select: (id) => set({ selectedId: id }),
  setBackend: (backend) => set({ backend }),
  notify: (level, text) => set((s) => ({ messages: [...s.messages, { id: nextMessageId++, level, text }] })),
  dismiss: (id) => set((s) => ({ messages: s.messages.filter((m) => m.id !== id) })),
}));
