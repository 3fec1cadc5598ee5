// The shown photo's user-label map (a Uint16Array at label resolution, never in React state): load
// on show, strokes and fills, per-photo undo/redo, debounced saves to the session store.
//
// Undo: strokes keep their own history per photo (a diff of the pixels each stroke changed), not
// useSeg's cluster stacks: a stroke belongs to one photo and its diff can be large, while the cluster
// stacks are session-wide and tiny. In Label mode, Ctrl+Z undoes strokes of the shown photo first
// (labelling-actions.ts wraps edit.undo); class additions stay on the cluster stacks.
import { applyDiff, diffMaps, fillMask, paintCapsule, unionRect, type LabelDiff, type LabelMap, type PixelRect } from '../../../core/labelling/label-map';
import { openSessionDb, type SessionDb } from '../../../storage/session-db';
import { getUserLabels, putUserLabels } from '../../../storage/user-labels';
import { viewWorker } from '../../processing/view-client';
import { userLabelledIds } from '../../processing/user-labels';
import { useSeg } from '../../state/segmentation-store';
import { useApp } from '../../state/store';
import { useLabelling } from './label-state';

/** Edits are written this long after the last one, so a burst of strokes is one write. */
const SAVE_DELAY_MS = 400;
/** Undo steps kept per photo. */
const MAX_HISTORY = 100;

interface Shown extends LabelMap {
  id: string;
}

interface History {
  undo: LabelDiff[];
  redo: LabelDiff[];
}

interface Stroke {
  before: Uint16Array;
  value: number;
  lastX: number;
  lastY: number;
  rect: PixelRect | null;
}

let dbPromise: Promise<SessionDb> | null = null;
const sessionDb = () => (dbPromise ??= openSessionDb());

let shown: Shown | null = null;
let stroke: Stroke | null = null;
let loading: string | null = null;
/** Bumped by show(): a hide() still waiting for its save must not drop a map shown again since. */
let hideToken = 0;
let saveTimer: ReturnType<typeof setTimeout> | null = null;
let saving: Promise<void> = Promise.resolve();
const histories = new Map<string, History>();
/** Painters of the label canvas: `rect` null means everything changed (a new photo or map). */
const listeners = new Set<(rect: PixelRect | null) => void>();

function historyOf(id: string): History {
  let h = histories.get(id);
  if (!h) histories.set(id, (h = { undo: [], redo: [] }));
  return h;
}

function publishHistory(): void {
  const h = shown ? historyOf(shown.id) : { undo: [], redo: [] };
  useLabelling.getState().set({ history: { undo: h.undo.length, redo: h.redo.length } });
}

function emit(rect: PixelRect | null): void {
  listeners.forEach((l) => l(rect));
}

function record(diff: LabelDiff): void {
  if (!shown || !diff.indices.length) return;
  const h = historyOf(shown.id);
  h.undo.push(diff);
  if (h.undo.length > MAX_HISTORY) h.undo.shift();
  h.redo = [];
  publishHistory();
  scheduleSave();
}

function scheduleSave(): void {
  useLabelling.getState().set({ saveState: 'pending' });
  if (saveTimer) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => void flush(), SAVE_DELAY_MS);
}

/** Writes the shown photo's map now if an edit waits; resolves when every write is done. */
export function flush(): Promise<void> {
  if (saveTimer) {
    clearTimeout(saveTimer);
    saveTimer = null;
    const s = shown;
    if (s) {
      // A copy, so that strokes made while the write is queued do not race IndexedDB's clone.
      const categoryRowMajor = s.categoryRowMajor.slice();
      saving = saving
        .then(async () => {
          const rec = await putUserLabels(await sessionDb(), { id: s.id, labelSizeHW: [s.height, s.width], categoryRowMajor });
          useLabelling.getState().markLabelled(s.id, rec.labelledPixels > 0);
        })
        .catch((err: unknown) => useApp.getState().notify('error', `Your labels were not saved: ${(err as Error).message}`))
        .finally(() => {
          if (!saveTimer) useLabelling.getState().set({ saveState: 'saved' });
        });
    }
  }
  return saving;
}

export function subscribe(listener: (rect: PixelRect | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The shown photo's map, for painting (read only). */
export function shownMap(): Shown | null {
  return shown;
}

/** Loads a photo's labels (or an empty map at its label resolution); earlier edits are saved first. */
export async function show(id: string): Promise<void> {
  hideToken++;
  if (shown?.id === id || loading === id) return;
  loading = id;
  endStroke();
  await flush();
  const [stored, size] = await Promise.all([sessionDb().then((db) => getUserLabels(db, id)), viewWorker().labelSizeHW(id)]);
  if (loading !== id) return;
  loading = null;
  const [height, width] = size ?? stored?.labelSizeHW ?? [0, 0];
  if (!height || !width) {
    shown = null;
  } else {
    // A map stored at another size (a photo processed again differently) cannot be aligned: start over.
    const fits = stored && stored.labelSizeHW[0] === height && stored.labelSizeHW[1] === width;
    shown = { id, width, height, categoryRowMajor: fits ? stored.categoryRowMajor : new Uint16Array(width * height) };
  }
  publishHistory();
  emit(null);
}

/** Forgets the shown map (the photo left the viewer); its pending edit is saved first. */
export function hide(id: string): void {
  if (shown?.id !== id) return;
  endStroke();
  const token = ++hideToken;
  void flush().then(() => {
    if (token === hideToken && shown?.id === id && !saveTimer) shown = null;
  });
}

export function beginStroke(x: number, y: number, value: number): void {
  if (!shown) return;
  endStroke();
  stroke = { before: shown.categoryRowMajor.slice(), value, lastX: x, lastY: y, rect: null };
  extendStroke(x, y);
}

export function extendStroke(x: number, y: number): void {
  if (!shown || !stroke) return;
  const radius = useLabelling.getState().radiusPx;
  const rect = paintCapsule(shown, stroke.lastX, stroke.lastY, x, y, radius, stroke.value);
  stroke.lastX = x;
  stroke.lastY = y;
  stroke.rect = unionRect(stroke.rect, rect);
  if (rect) emit(rect);
}

/** One stroke = one undo step. */
export function endStroke(): void {
  const s = stroke;
  stroke = null;
  if (!shown || !s) return;
  record(diffMaps(s.before, shown.categoryRowMajor, shown.width, s.rect));
}

/** Labels the whole segment under (x, y) in the current view with `value`; false where there is none. */
export async function fillSegment(x: number, y: number, value: number): Promise<boolean> {
  const target = shown;
  if (!target) return false;
  const found = await viewWorker().segmentMask(target.id, useSeg.getState().view.mode, x, y);
  if (!found || shown !== target || found.width !== target.width || found.height !== target.height) return false;
  endStroke();
  const before = target.categoryRowMajor.slice();
  const rect = fillMask(target, found.maskRowMajor, value);
  record(diffMaps(before, target.categoryRowMajor, target.width, rect));
  emit(rect);
  return true;
}

/** Erases every label of the shown photo (one undo step). */
export function clearShown(): void {
  if (!shown) return;
  endStroke();
  const before = shown.categoryRowMajor.slice();
  shown.categoryRowMajor.fill(0);
  record(diffMaps(before, shown.categoryRowMajor, shown.width));
  emit(null);
}

function step(direction: 'undo' | 'redo'): boolean {
  if (!shown) return false;
  endStroke();
  const h = historyOf(shown.id);
  const diff = (direction === 'undo' ? h.undo : h.redo).pop();
  if (!diff) return false;
  (direction === 'undo' ? h.redo : h.undo).push(diff);
  const rect = applyDiff(shown, diff, direction);
  publishHistory();
  scheduleSave();
  emit(rect);
  return true;
}

export const undoStroke = () => step('undo');
export const redoStroke = () => step('redo');

/**
 * After another writer replaced stored maps (ground truth as labels): the shown photo takes its new
 * map as one undoable step; other photos' histories no longer match their maps and are dropped.
 */
export async function reloadAfterWrite(ids: readonly string[]): Promise<void> {
  for (const id of ids) if (id !== shown?.id) histories.delete(id);
  const target = shown;
  if (!target || !ids.includes(target.id)) return;
  const stored = await getUserLabels(await sessionDb(), target.id);
  if (!stored || shown !== target || stored.categoryRowMajor.length !== target.categoryRowMajor.length) return;
  endStroke();
  const diff = diffMaps(target.categoryRowMajor, stored.categoryRowMajor, target.width);
  target.categoryRowMajor.set(stored.categoryRowMajor);
  if (diff.indices.length) {
    const h = historyOf(target.id);
    h.undo.push(diff);
    h.redo = [];
    // Undoing it must be saved like any other step; the store already holds the new map.
    publishHistory();
  }
  emit(null);
}

/**
 * After every stored map was renumbered (re-clustering carried the classes over): old strokes'
 * diffs hold old ids, so all histories go, and the shown photo takes its new map.
 */
export async function reloadAllAfterRenumbering(): Promise<void> {
  histories.clear();
  const target = shown;
  if (target) {
    const stored = await getUserLabels(await sessionDb(), target.id);
    if (stored && shown === target && stored.categoryRowMajor.length === target.categoryRowMajor.length) target.categoryRowMajor.set(stored.categoryRowMajor);
  }
  publishHistory();
  emit(null);
}

/** Brings the badges and the count in line with the store (after a reload or new photos). */
export async function refreshLabelledIds(): Promise<void> {
  const ids = useApp.getState().images.map((im) => im.id);
  const labelled = new Set(await userLabelledIds(ids));
  const { markLabelled } = useLabelling.getState();
  ids.forEach((id) => markLabelled(id, labelled.has(id)));
}

/** Runs before any write of another worker to a map, so that no queued save overwrites it. */
export async function settle(): Promise<void> {
  endStroke();
  await flush();
}

// New photos, a restored session or a cleared one: the badges follow the store.
useApp.subscribe((s, prev) => {
  if (s.images.length !== prev.images.length) void refreshLabelledIds().catch(() => undefined);
});
