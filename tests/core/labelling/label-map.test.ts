import { describe, expect, it } from 'vitest';
import { applyDiff, diffMaps, fillMask, labelCounts, paintCapsule, type LabelMap } from '../../../src/core/labelling/label-map';

const blank = (width: number, height: number): LabelMap => ({ categoryRowMajor: new Uint16Array(width * height), width, height });
const at = (m: LabelMap, x: number, y: number) => m.categoryRowMajor[y * m.width + x];

describe('user-label map edits', () => {
  it('a disc paints the pixels whose centres lie within the radius', () => {
    const m = blank(9, 9);
    const rect = paintCapsule(m, 4.5, 4.5, 4.5, 4.5, 2, 7);
    expect(rect).toEqual({ x0: 2, y0: 2, x1: 7, y1: 7 });
    expect(at(m, 4, 4)).toBe(7);
    expect(at(m, 6, 4)).toBe(7);
    expect(at(m, 6, 6)).toBe(0); // corner: √8 > 2
    expect(labelCounts(m.categoryRowMajor).get(7)).toBe(13);
  });

  it('a fast stroke is continuous between distant samples, and a tiny radius still paints', () => {
    const m = blank(40, 5);
    paintCapsule(m, 1, 2.5, 38, 2.5, 0.1, 3);
    for (let x = 1; x < 38; x++) expect(at(m, x, 2), `x=${x}`).toBe(3);
    expect(at(m, 20, 1)).toBe(0);
  });

  it('clips at the borders and paints nothing off the map', () => {
    const m = blank(4, 4);
    expect(paintCapsule(m, -10, -10, -8, -8, 1, 1)).toBeNull();
    expect(paintCapsule(m, -1, 0.5, 1, 0.5, 1, 2)).toEqual({ x0: 0, y0: 0, x1: 2, y1: 2 });
  });

  it('the eraser is a brush of 0; a segment fill sets its mask', () => {
    const m = blank(4, 2);
    fillMask(m, Uint8Array.from([1, 1, 0, 0, 0, 1, 1, 0]), 5);
    expect(Array.from(m.categoryRowMajor)).toEqual([5, 5, 0, 0, 0, 5, 5, 0]);
    paintCapsule(m, 1.5, 0.5, 1.5, 0.5, 0.5, 0);
    expect(Array.from(m.categoryRowMajor)).toEqual([5, 0, 0, 0, 0, 5, 5, 0]);
    expect(() => fillMask(m, new Uint8Array(3), 1)).toThrow(/mask has 3 pixels/);
  });

  it('a diff undoes and redoes an edit exactly', () => {
    const m = blank(6, 6);
    paintCapsule(m, 0, 0, 6, 6, 1, 2);
    const before = m.categoryRowMajor.slice();
    const rect = paintCapsule(m, 0, 6, 6, 0, 1.5, 9);
    const after = m.categoryRowMajor.slice();
    const diff = diffMaps(before, after, 6, rect);
    expect(diff.indices.length).toBeGreaterThan(0);
    expect(diffMaps(before, after, 6).indices).toEqual(diff.indices);
    applyDiff(m, diff, 'undo');
    expect(m.categoryRowMajor).toEqual(before);
    applyDiff(m, diff, 'redo');
    expect(m.categoryRowMajor).toEqual(after);
  });
});
