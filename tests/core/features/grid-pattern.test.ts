import { describe, expect, it } from 'vitest';
import { gridPattern, labelAgreement, nonDecreasingSteps } from '../../../src/core/features/grid-pattern';

const G = 12, D = 6;

/** Smooth features: channels are slow sinusoids of position, so similarity falls with distance. */
function smooth(alternating: number): Float32Array {
  const t = new Float32Array(G * G * D);
  for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) for (let j = 0; j < D; j++) {
    t[(y * G + x) * D + j] = 1 + Math.sin(0.35 * x * (j + 1) / 3 + j) + Math.cos(0.3 * y * (j + 2) / 3) + (j === 0 ? alternating * (x % 2 ? 1 : -1) : 0);
  }
  return t;
}

describe('grid pattern figures', () => {
  it('find no pattern in smooth features', () => {
    const p = gridPattern([smooth(0)], G, G, D);
    expect(nonDecreasingSteps(p.cosine.x, 0.001)).toEqual([]);
    expect(nonDecreasingSteps(p.cosine.y, 0.001)).toEqual([]);
    expect(p.alternation.x).toBeLessThan(0.05);
  });

  it('flag a column-alternating component along x only', () => {
    const p = gridPattern([smooth(2)], G, G, D);
    expect(nonDecreasingSteps(p.cosine.x, 0.001).length).toBeGreaterThan(0);
    expect(p.cosine.x[1]).toBeGreaterThan(p.cosine.x[0]);
    expect(p.alternation.x).toBeGreaterThan(0.5);
    expect(nonDecreasingSteps(p.cosine.y, 0.001)).toEqual([]);
  });

  it('measure label agreement: stripes one cell wide agree more at 2 cells than at 1', () => {
    const width = 40, height = 20, cell = 4;
    const stripes = Uint8Array.from({ length: width * height }, (_, i) => Math.floor((i % width) / cell) % 2);
    const a = labelAgreement([{ labels: stripes, height, width }], cell, 3);
    expect(a.x[0]).toBe(0);
    expect(a.x[1]).toBe(1);
    expect(a.y).toEqual([1, 1, 1]);
    const halves = Uint8Array.from({ length: width * height }, (_, i) => ((i % width) < width / 2 ? 0 : 1));
    const b = labelAgreement([{ labels: halves, height, width }], cell, 3);
    expect(nonDecreasingSteps(b.x, 0.01)).toEqual([]);
  });
});
