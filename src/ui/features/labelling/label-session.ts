// The shown photo's user-label map (a Uint16Array at label resolution, never in React state): load
// on show, strokes and fills, per-photo undo/redo, debounced saves to the session store.
//
// Undo: strokes keep their own history per photo (a diff of the pixels each stroke changed), not
// useSeg's cluster stacks: a stroke belongs to one photo and its diff can be large, while the cluster
// stacks are session-wide and tiny. In Label mode, Ctrl+Z undoes strokes of the shown photo first
// (labelling-actions.ts wraps edit.undo); class additions stay on the cluster stacks.
//
// LabelSession holds the state and takes its store, view worker and messages as dependencies
// (tests give it fakes); the page's one instance is `labelSession`, whose methods this module exports.
import { applyDiff, diffMaps, fillMask, paintCapsule, unionRect, type LabelDiff, type LabelMap, type PixelRect } from '../../../core/labelling/label-map';
import type { ViewMode } from '../../../core/render/overlay';
import type { UserLabels } from '../../../storage/records';
import { sharedSessionDb } from '../../../storage/session-db';
import { getUserLabels, putUserLabels } from '../../../storage/session-records';
import { viewWorker } from '../../processing/view-client';
import { userLabelledIds } from '../../processing/user-labels';
import { useSeg } from '../../state/segmentation-store';
import { useApp } from '../../state/store';
import { useLabelling } from './label-state';

/** Undo steps kept per photo. */
export const MAX_HISTORY = 100;

export interface LabelSessionDeps {
  getLabels(id: string): Promise<UserLabels | undefined>;
  putLabels(labels: Omit<UserLabels, 'labelledPixels' | 'updatedAt'>): Promise<UserLabels>;
  /** The photo's label resolution [height, width], null before it is processed. */
  labelSizeHW(id: string): Promise<[number, number] | null>;
  /** The segment under a label pixel in the shown view, as the overlay paints it. */
  segmentMask(id: string, mode: ViewMode, x: number, y: number): Promise<{ maskRowMajor: Uint8Array; width: number; height: number } | null>;
  /** The view mode a fill takes its segment from. */
  viewMode(): ViewMode;
  notifyError(text: string): void;
  /** Edits are written this long after the last one, so a burst of strokes is one write. */
  saveDelayMs: number;
}

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

export class LabelSession {
  private shown: Shown | null = null;
  private stroke: Stroke | null = null;
  private loading: string | null = null;
  /** Bumped by show(): a hide() still waiting for its save must not drop a map shown again since. */
  private hideToken = 0;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private readonly histories = new Map<string, History>();
  /** Painters of the label canvas: `rect` null means everything changed (a new photo or map). */
  private readonly listeners = new Set<(rect: PixelRect | null) => void>();

  constructor(private readonly deps: LabelSessionDeps) {}

  private historyOf(id: string): History {
    let h = this.histories.get(id);
    if (!h) this.histories.set(id, (h = { undo: [], redo: [] }));
    return h;
  }

  private publishHistory(): void {
    const h = this.shown ? this.historyOf(this.shown.id) : { undo: [], redo: [] };
    useLabelling.getState().set({ history: { undo: h.undo.length, redo: h.redo.length } });
  }

  private emit(rect: PixelRect | null): void {
    this.listeners.forEach((l) => l(rect));
  }

  private record(diff: LabelDiff): void {
    if (!this.shown || !diff.indices.length) return;
    const h = this.historyOf(this.shown.id);
    h.undo.push(diff);
    if (h.undo.length > MAX_HISTORY) h.undo.shift();
    h.redo = [];
    this.publishHistory();
    this.scheduleSave();
  }

  private scheduleSave(): void {
    useLabelling.getState().set({ saveState: 'pending' });
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.flush(), this.deps.saveDelayMs);
  }

  /** Writes the shown photo's map now if an edit waits; resolves when every write is done. */
  flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      const s = this.shown;
      if (s) {
        // A copy, so that strokes made while the write is queued do not race IndexedDB's clone.
        const categoryRowMajor = s.categoryRowMajor.slice();
        this.saving = this.saving
          .then(async () => {
            const rec = await this.deps.putLabels({ id: s.id, labelSizeHW: [s.height, s.width], categoryRowMajor });
            useLabelling.getState().markLabelled(s.id, rec.labelledPixels > 0);
          })
          .catch((err: unknown) => this.deps.notifyError(`Your labels were not saved: ${(err as Error).message}`))
          .finally(() => {
            if (!this.saveTimer) useLabelling.getState().set({ saveState: 'saved' });
          });
      }
    }
    return this.saving;
  }

  subscribe(listener: (rect: PixelRect | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The shown photo's map, for painting (read only). */
  shownMap(): Shown | null {
    return this.shown;
  }

  /** Loads a photo's labels (or an empty map at its label resolution); earlier edits are saved first. */
  async show(id: string): Promise<void> {
    this.hideToken++;
    if (this.shown?.id === id || this.loading === id) return;
    this.loading = id;
    this.endStroke();
    await this.flush();
    const [stored, size] = await Promise.all([this.deps.getLabels(id), this.deps.labelSizeHW(id)]);
    if (this.loading !== id) return;
    this.loading = null;
    const [height, width] = size ?? stored?.labelSizeHW ?? [0, 0];
    if (!height || !width) {
      this.shown = null;
    } else {
      // A map stored at another size (a photo processed again differently) cannot be aligned: start over.
      const fits = stored && stored.labelSizeHW[0] === height && stored.labelSizeHW[1] === width;
      this.shown = { id, width, height, categoryRowMajor: fits ? stored.categoryRowMajor : new Uint16Array(width * height) };
    }
    this.publishHistory();
    this.emit(null);
  }

  /** Forgets the shown map (the photo left the viewer); its pending edit is saved first. */
  hide(id: string): void {
    if (this.shown?.id !== id) return;
    this.endStroke();
    const token = ++this.hideToken;
    void this.flush().then(() => {
      if (token === this.hideToken && this.shown?.id === id && !this.saveTimer) this.shown = null;
    });
  }

  beginStroke(x: number, y: number, value: number): void {
    if (!this.shown) return;
    this.endStroke();
    this.stroke = { before: this.shown.categoryRowMajor.slice(), value, lastX: x, lastY: y, rect: null };
    this.extendStroke(x, y);
  }

  extendStroke(x: number, y: number): void {
    const { shown, stroke } = this;
    if (!shown || !stroke) return;
    const radius = useLabelling.getState().radiusPx;
    const rect = paintCapsule(shown, stroke.lastX, stroke.lastY, x, y, radius, stroke.value);
    stroke.lastX = x;
    stroke.lastY = y;
    stroke.rect = unionRect(stroke.rect, rect);
    if (rect) this.emit(rect);
  }

  /** One stroke = one undo step. */
  endStroke(): void {
    const s = this.stroke;
    this.stroke = null;
    if (!this.shown || !s) return;
    this.record(diffMaps(s.before, this.shown.categoryRowMajor, this.shown.width, s.rect));
  }

  /** Labels the whole segment under (x, y) in the current view with `value`; false where there is none. */
  async fillSegment(x: number, y: number, value: number): Promise<boolean> {
    const target = this.shown;
    if (!target) return false;
    const found = await this.deps.segmentMask(target.id, this.deps.viewMode(), x, y);
    if (!found || this.shown !== target || found.width !== target.width || found.height !== target.height) return false;
    this.endStroke();
    const before = target.categoryRowMajor.slice();
    const rect = fillMask(target, found.maskRowMajor, value);
    this.record(diffMaps(before, target.categoryRowMajor, target.width, rect));
    this.emit(rect);
    return true;
  }

  /** Erases every label of the shown photo (one undo step). */
  clearShown(): void {
    if (!this.shown) return;
    this.endStroke();
    const before = this.shown.categoryRowMajor.slice();
    this.shown.categoryRowMajor.fill(0);
    this.record(diffMaps(before, this.shown.categoryRowMajor, this.shown.width));
    this.emit(null);
  }

  private step(direction: 'undo' | 'redo'): boolean {
    if (!this.shown) return false;
    this.endStroke();
    const h = this.historyOf(this.shown.id);
    const diff = (direction === 'undo' ? h.undo : h.redo).pop();
    if (!diff) return false;
    (direction === 'undo' ? h.redo : h.undo).push(diff);
    const rect = applyDiff(this.shown, diff, direction);
    this.publishHistory();
    this.scheduleSave();
    this.emit(rect);
    return true;
  }

  undoStroke(): boolean {
    return this.step('undo');
  }

  redoStroke(): boolean {
    return this.step('redo');
  }

  /**
   * After another writer replaced stored maps (ground truth as labels): the shown photo takes its new
   * map as one undoable step; other photos' histories no longer match their maps and are dropped.
   */
  async reloadAfterWrite(ids: readonly string[]): Promise<void> {
    for (const id of ids) if (id !== this.shown?.id) this.histories.delete(id);
    const target = this.shown;
    if (!target || !ids.includes(target.id)) return;
    const stored = await this.deps.getLabels(target.id);
    if (!stored || this.shown !== target || stored.categoryRowMajor.length !== target.categoryRowMajor.length) return;
    this.endStroke();
    const diff = diffMaps(target.categoryRowMajor, stored.categoryRowMajor, target.width);
    target.categoryRowMajor.set(stored.categoryRowMajor);
    if (diff.indices.length) {
      const h = this.historyOf(target.id);
      h.undo.push(diff);
      h.redo = [];
      // Undoing it must be saved like any other step; the store already holds the new map.
      this.publishHistory();
    }
    this.emit(null);
  }

  /**
   * After every stored map was renumbered (re-clustering carried the classes over): old strokes'
   * diffs hold old ids, so all histories go, and the shown photo takes its new map.
   */
  async reloadAllAfterRenumbering(): Promise<void> {
    this.histories.clear();
    const target = this.shown;
    if (target) {
      const stored = await this.deps.getLabels(target.id);
      if (stored && this.shown === target && stored.categoryRowMajor.length === target.categoryRowMajor.length) target.categoryRowMajor.set(stored.categoryRowMajor);
    }
    this.publishHistory();
    this.emit(null);
  }

  /** Runs before any write of another worker to a map, so that no queued save overwrites it. */
  async settle(): Promise<void> {
    this.endStroke();
    await this.flush();
  }
}

/** The page's label session: the session store on this thread, the view worker for sizes and segments. */
export const labelSession = new LabelSession({
  getLabels: async (id) => getUserLabels(await sharedSessionDb(), id),
  putLabels: async (labels) => putUserLabels(await sharedSessionDb(), labels),
  labelSizeHW: (id) => viewWorker().labelSizeHW(id),
  segmentMask: (id, mode, x, y) => viewWorker().segmentMask(id, mode, x, y),
  viewMode: () => useSeg.getState().view.mode,
  notifyError: (text) => useApp.getState().notify('error', text),
  saveDelayMs: 400,
});

export const flush = () => labelSession.flush();
export const subscribe = (listener: (rect: PixelRect | null) => void) => labelSession.subscribe(listener);
export const shownMap = () => labelSession.shownMap();
export const show = (id: string) => labelSession.show(id);
export const hide = (id: string) => labelSession.hide(id);
export const beginStroke = (x: number, y: number, value: number) => labelSession.beginStroke(x, y, value);
export const extendStroke = (x: number, y: number) => labelSession.extendStroke(x, y);
export const endStroke = () => labelSession.endStroke();
export const fillSegment = (x: number, y: number, value: number) => labelSession.fillSegment(x, y, value);
export const clearShown = () => labelSession.clearShown();
export const undoStroke = () => labelSession.undoStroke();
export const redoStroke = () => labelSession.redoStroke();
export const reloadAfterWrite = (ids: readonly string[]) => labelSession.reloadAfterWrite(ids);
export const reloadAllAfterRenumbering = () => labelSession.reloadAllAfterRenumbering();
export const settle = () => labelSession.settle();

/** Brings the badges and the count in line with the store (after a reload or new photos). */
export async function refreshLabelledIds(): Promise<void> {
  const ids = useApp.getState().images.map((im) => im.id);
  const labelled = new Set(await userLabelledIds(ids));
  const { markLabelled } = useLabelling.getState();
  ids.forEach((id) => markLabelled(id, labelled.has(id)));
}

// New photos, a restored session or a cleared one: the badges follow the store.
useApp.subscribe((s, prev) => {
  if (s.images.length !== prev.images.length) void refreshLabelledIds().catch(() => undefined);
});
