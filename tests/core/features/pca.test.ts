import { describe, expect, it } from 'vitest';
import { pcaRgba } from '../../../src/core/features/pca';

describe('pcaRgba', () => {
  it('separates two clusters on the first component and fills alpha', () => {
    const N = 10, C = 4;
    const f = new Float32Array(N * C);
    for (let n = 0; n < N; n++) {
      const side = n < 5 ? 1 : -1;
      f.set([side * 3, side * -2, 0.01 * n, 0], n * C);
    }
    const rgba = pcaRgba(f, N, C);
    const reds = Array.from({ length: N }, (_, n) => rgba[n * 4]);
    const groupA = new Set(reds.slice(0, 5)), groupB = new Set(reds.slice(5));
    expect([...groupA].every((a) => [...groupB].every((b) => Math.abs(a - b) > 200))).toBe(true);
    expect(Array.from({ length: N }, (_, n) => rgba[n * 4 + 3])).toEqual(new Array(N).fill(255));
  });
});
