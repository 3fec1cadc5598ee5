// The labelling session (the user's label map of the shown photo): strokes, fills and clears are undo
// steps per photo, saves are debounced and written once, a reload after another writer is one step.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UserLabels } from '../../../src/storage/records';
import { LabelSession, MAX_HISTORY, type LabelSessionDeps } from '../../../src/ui/features/labelling/label-session';
import { useLabelling } from '../../../src/ui/features/labelling/label-state';

const H = 10, W = 20;

/** An in-memory store and a view whose "segment" is the left quarter of the photo. */
function fakes(sizes: Record<string, [number, number]> = { a: [H, W], b: [H, W] }) {
  const stored = new Map<string, UserLabels>();
  const writes: string[] = [];
  const errors: string[] = [];
  const deps: LabelSessionDeps = {
    getLabels: async (id) => stored.get(id),
    putLabels: async (labels) => {
      writes.push(labels.id);
      const rec = { ...labels, categoryRowMajor: labels.categoryRowMajor.slice(), labelledPixels: labels.categoryRowMajor.filter((c) => c).length, updatedAt: 0 };
      stored.set(labels.id, rec);
      return rec;
    },
    labelSizeHW: async (id) => sizes[id] ?? null,
    segmentMask: async (_id, _mode, x) => (x < W / 4 ? { maskRowMajor: Uint8Array.from({ length: H * W }, (_, i) => (i % W < W / 4 ? 1 : 0)), width: W, height: H } : null),
    viewMode: () => 'panoptic',
    notifyError: (text) => errors.push(text),
    saveDelayMs: 50,
  };
  return { deps, stored, writes, errors };
}

const count = (map: Uint16Array | undefined, value: number) => (map ? map.filter((c) => c === value).length : 0);

describe('LabelSession', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useLabelling.setState({ radiusPx: 2, history: { undo: 0, redo: 0 }, saveState: 'saved', labelledIds: {} });
  });
  afterEach(() => vi.useRealTimers());

  it('shows an empty map at the label size, paints a stroke as one undo step, and saves it once after the delay', async () => {
    const f = fakes();
    const s = new LabelSession(f.deps);
    await s.show('a');
    expect([s.shownMap()?.height, s.shownMap()?.width]).toEqual([H, W]);
    s.beginStroke(2, 5, 7);
    s.extendStroke(10, 5);
    s.extendStroke(17, 5);
    s.endStroke();
    const painted = count(s.shownMap()?.categoryRowMajor, 7);
    expect(painted).toBeGreaterThan(15 * 3);
    expect(useLabelling.getState().history).toEqual({ undo: 1, redo: 0 });
    expect(useLabelling.getState().saveState).toBe('pending');
    expect(f.writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(60);
    expect(f.writes).toEqual(['a']);
    expect(count(f.stored.get('a')?.categoryRowMajor, 7)).toBe(painted);
    expect(useLabelling.getState().labelledIds).toEqual({ a: true });
    expect(useLabelling.getState().saveState).toBe('saved');
  });

  it('undoes and redoes strokes, fills and clears of the shown photo only', async () => {
    const f = fakes();
    const s = new LabelSession(f.deps);
    await s.show('a');
    s.beginStroke(15, 5, 3);
    s.endStroke();
    const afterStroke = s.shownMap()?.categoryRowMajor.slice();
    expect(await s.fillSegment(1, 1, 4)).toBe(true);
    expect(count(s.shownMap()?.categoryRowMajor, 4)).toBe(H * (W / 4));
    expect(await s.fillSegment(15, 1, 4)).toBe(false); // no segment there: nothing recorded
    s.clearShown();
    expect(count(s.shownMap()?.categoryRowMajor, 0)).toBe(H * W);
    expect(useLabelling.getState().history.undo).toBe(3);
    expect(s.undoStroke()).toBe(true); // the clear
    expect(s.undoStroke()).toBe(true); // the fill
    expect(s.shownMap()?.categoryRowMajor).toEqual(afterStroke);
    expect(useLabelling.getState().history).toEqual({ undo: 1, redo: 2 });
    expect(s.redoStroke()).toBe(true);
    expect(count(s.shownMap()?.categoryRowMajor, 4)).toBe(H * (W / 4));
    // Another photo has its own (empty) history; coming back finds the first one's.
    await s.show('b');
    expect(s.undoStroke()).toBe(false);
    await s.show('a');
    expect(useLabelling.getState().history).toEqual({ undo: 2, redo: 1 });
    await vi.advanceTimersByTimeAsync(60);
    expect(count(f.stored.get('a')?.categoryRowMajor, 4)).toBe(H * (W / 4));
  });

  it('saves pending edits before showing another photo, and keeps at most MAX_HISTORY steps', async () => {
    const f = fakes();
    const s = new LabelSession(f.deps);
    await s.show('a');
    for (let i = 0; i < MAX_HISTORY + 5; i++) {
      s.beginStroke(i % W, 2, 1 + (i % 2));
      s.endStroke();
    }
    expect(useLabelling.getState().history.undo).toBe(MAX_HISTORY);
    await s.show('b');
    expect(f.writes).toEqual(['a']); // flushed by show, not by the timer
  });

  it('starts over when the stored map has another size, and shows nothing before processing', async () => {
    const f = fakes({ a: [H, W] });
    f.stored.set('a', { id: 'a', labelSizeHW: [5, 5], categoryRowMajor: new Uint16Array(25).fill(2), labelledPixels: 25, updatedAt: 0 });
    const s = new LabelSession(f.deps);
    await s.show('a');
    expect(count(s.shownMap()?.categoryRowMajor, 0)).toBe(H * W);
    await s.show('unprocessed');
    expect(s.shownMap()).toBeNull();
  });

  it('takes a map another writer stored as one undoable step, and reports a failed save', async () => {
    const f = fakes();
    const s = new LabelSession(f.deps);
    await s.show('a');
    f.stored.set('a', { id: 'a', labelSizeHW: [H, W], categoryRowMajor: new Uint16Array(H * W).fill(9), labelledPixels: H * W, updatedAt: 0 });
    await s.reloadAfterWrite(['a']);
    expect(count(s.shownMap()?.categoryRowMajor, 9)).toBe(H * W);
    expect(s.undoStroke()).toBe(true);
    expect(count(s.shownMap()?.categoryRowMajor, 9)).toBe(0);
    f.deps.putLabels = async () => {
      throw new Error('quota exceeded');
    };
    await s.settle();
    expect(f.errors).toEqual(['Your labels were not saved: quota exceeded']);
  });
});
