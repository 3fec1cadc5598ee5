import { describe, expect, it } from 'vitest';
import { decodeMask, encodeMask, rleArea } from '../../../src/core/coco/rle';
import { instancesAt, instanceTree, nextPick, renderSelection, rleHasPixel, wholeOfSelection } from '../../../src/core/render/instance-selection';

const W = 12, H = 9;
function rect(x0: number, y0: number, x1: number, y1: number) {
  const m = new Uint8Array(W * H);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * W + x] = 1;
  const rle = encodeMask(m, H, W);
  return { rle, area: rleArea(rle), score: 0.5, mask: m };
}

// A whole (0) with two parts (1, 2), a part of part 1 (3), and a separate object (4).
const whole = rect(0, 0, 8, 8);
const partA = rect(0, 0, 4, 8);
const partB = rect(4, 0, 8, 4);
const partOfA = rect(1, 1, 3, 3);
const other = rect(9, 2, 12, 6);
const instances = [whole, partA, partB, partOfA, other];

describe('rleHasPixel', () => {
  it('agrees with the decoded mask at every pixel, including the borders', () => {
    for (const inst of instances) {
      const decoded = decodeMask(inst.rle);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(rleHasPixel(inst.rle, x + 0.7, y + 0.2)).toBe(decoded[y * W + x] === 1);
      expect(rleHasPixel(inst.rle, -1, 0)).toBe(false);
      expect(rleHasPixel(inst.rle, W, 0)).toBe(false);
    }
  });
});

describe('instancesAt', () => {
  it('lists the masks under a pixel smallest first', () => {
    expect(instancesAt(instances, 2, 2)).toEqual([3, 1, 0]);
    expect(instancesAt(instances, 5, 1)).toEqual([2, 0]);
    expect(instancesAt(instances, 10, 3)).toEqual([4]);
    expect(instancesAt(instances, 8, 8)).toEqual([]);
  });
});

describe('instanceTree', () => {
  it('links each part to its smallest whole and each whole to its direct parts', () => {
    const nodes = instanceTree(instances);
    expect(nodes.map((n) => n.whole)).toEqual([-1, 0, 0, 1, -1]);
    expect(nodes.map((n) => n.parts)).toEqual([[1, 2], [3], [], [], []]);
    expect(nodes[0].areaPx).toBe(64);
  });

  it('wholeOfSelection: the common whole of parts, -1 for wholes or parts of different wholes', () => {
    const nodes = instanceTree(instances);
    expect(wholeOfSelection(nodes, [1, 2])).toBe(0);
    expect(wholeOfSelection(nodes, [3])).toBe(1);
    expect(wholeOfSelection(nodes, [0])).toBe(-1);
    expect(wholeOfSelection(nodes, [2, 3])).toBe(-1);
    expect(wholeOfSelection(nodes, [])).toBe(-1);
  });
});

describe('nextPick', () => {
  it('starts at the mask the view shows, then walks up to the wholes and wraps to the smallest', () => {
    const covering = [3, 1, 0];
    expect(nextPick(covering, 0, null)).toBe(0);
    expect(nextPick(covering, 0, 0)).toBe(3);
    expect(nextPick(covering, 0, 3)).toBe(1);
    expect(nextPick(covering, 0, 1)).toBe(0);
  });

  it('falls back to the smallest mask when the shown one is not under the pixel or unknown', () => {
    expect(nextPick([3, 1], null, null)).toBe(3);
    expect(nextPick([3, 1], 4, 2)).toBe(3);
    expect(nextPick([], 0, 0)).toBeNull();
  });
});

describe('renderSelection', () => {
  it('tints the selected masks, outlines their borders opaque, and leaves everything else clear', () => {
    const rgba = renderSelection([whole.rle, other.rle], W, H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const inside = whole.mask[i] || other.mask[i];
        expect(rgba[i * 4 + 3] > 0).toBe(Boolean(inside));
      }
    }
    expect(rgba[(0 * W + 0) * 4 + 3]).toBe(255); // corner: border
    expect(rgba[(4 * W + 4) * 4 + 3]).toBe(90); // middle of the whole: tint only
  });

  it('refuses masks of another size', () => {
    expect(() => renderSelection([encodeMask(new Uint8Array(4), 2, 2)], W, H)).toThrow(/2×2/);
  });
});
