import { describe, expect, it } from 'vitest';
import { averageShiftedPasses, embedPhoto, featureGrid, passesPerPhoto, SHIFT_OFFSETS, type BackboneRunner, type StemMap } from '../../../src/core/backbone/shift-average';
import { manifestProblems, type BackboneOutput, type ModelManifest } from '../../../src/core/backbone/types';
import { toNormalisedNchw, type RgbaImage } from '../../../src/core/image/resize';

const manifest: ModelManifest = {
  id: 'toy', name: 'toy', architecture: 'cnn', inputSize: 8, stride: 2, mean: [0, 0, 0], std: [1, 1, 1],
  inputName: 'image', outputs: { keys: 'k', tokens: 't', cls: 'c' }, tau: 0.5, licence: '', source: '', sha256: '', file: 'toy.onnx',
  shiftAverage: { stepPx: 2 },
};

function photo(width: number, height: number): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([(i * 37) % 251, (i * 11) % 241, (i * 5) % 239, 255], i * 4);
  return { data, width, height };
}

/**
 * A toy stride-2 "network": each cell's feature is the red value at its top-left input pixel plus a
 * term that alternates with the cell's column and depends on nothing else, as the default CNN's
 * border-anchored pattern does.
 */
function toyNetwork(calls: Float32Array[]): BackboneRunner {
  return {
    run: async (input: Float32Array): Promise<BackboneOutput> => {
      calls.push(input);
      return toyHead(await toyStem(input, manifest.inputSize));
    },
  };
}

/** The toy's first half: the red value at each cell's top-left pixel, a [1, side/2, side/2] map. */
async function toyStem(input: Float32Array, side: number): Promise<StemMap> {
  const G = Math.floor(side / 2);
  const data = new Float32Array(G * G);
  for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) data[y * G + x] = input[2 * y * side + 2 * x];
  return { data, channels: 1, height: G, width: G };
}

/** The toy's second half: adds the term that alternates with the column of its own map. */
async function toyHead(map: StemMap): Promise<BackboneOutput> {
  const tokens = map.data.map((v, i) => v + ((i % map.width) % 2 ? 0.5 : -0.5));
  return { keys: tokens, keyDim: 1, tokens, tokenDim: 1, cls: new Float32Array([1]), gridH: map.height, gridW: map.width };
}

describe('shift-averaged features', () => {
  it('run the four windows of the photo resized to inputSize + step and cancel an alternating term', async () => {
    const calls: Float32Array[] = [];
    const img = photo(13, 9);
    const out = await embedPhoto(img, manifest, toyNetwork(calls));
    expect(calls).toHaveLength(SHIFT_OFFSETS.length);
    expect(passesPerPhoto(manifest)).toBe(4);
    expect(featureGrid(manifest)).toEqual({ gridH: 5, gridW: 5 });
    expect([out.gridH, out.gridW]).toEqual([5, 5]);
    // Independent reading: the canvas the windows are cut from is the photo resized to 10×10.
    const canvas = toNormalisedNchw(img, 10, manifest.mean, manifest.std);
    for (let Y = 0; Y < 5; Y++) {
      for (let X = 1; X < 4; X++) {
        // Interior columns are seen at both parities, so the ±0.5 term cancels exactly.
        expect(out.tokens[Y * 5 + X]).toBeCloseTo(canvas[2 * Y * 10 + 2 * X], 5);
      }
    }
    // Edge columns are seen by one column offset only and keep their parity's term.
    expect(out.tokens[0]).toBeCloseTo(canvas[0] - 0.5, 5);
    expect(out.tokens[4]).toBeCloseTo(canvas[8] + 0.5, 5);
  });

  it("'diagonal' runs two of the windows, cancels the term on inner cells and fills the unseen corners from their neighbours", async () => {
    const calls: Float32Array[] = [];
    const img = photo(13, 9);
    const diagonal: ModelManifest = { ...manifest, shiftAverage: { stepPx: 2, pattern: 'diagonal' } };
    const out = await embedPhoto(img, diagonal, toyNetwork(calls));
    expect(calls).toHaveLength(2);
    expect(passesPerPhoto(diagonal)).toBe(2);
    expect([out.gridH, out.gridW]).toEqual([5, 5]);
    const canvas = toNormalisedNchw(img, 10, manifest.mean, manifest.std);
    // Cells inside both windows: (1..3)² — seen at both column parities.
    for (let Y = 1; Y < 4; Y++) for (let X = 1; X < 4; X++) expect(out.tokens[Y * 5 + X]).toBeCloseTo(canvas[2 * Y * 10 + 2 * X], 5);
    // (4, 0) and (0, 4): no window sees them; each is the mean of its two seen neighbours.
    expect(out.tokens[4]).toBeCloseTo((out.tokens[3] + out.tokens[9]) / 2, 5);
    expect(out.tokens[20]).toBeCloseTo((out.tokens[15] + out.tokens[21]) / 2, 5);
    expect(out.tokens.every(Number.isFinite)).toBe(true);
  });

  it('previews the diagonal passes before the other two run, and returns the same features as without a preview', async () => {
    const img = photo(13, 9);
    const plainCalls: Float32Array[] = [];
    const plain = await embedPhoto(img, manifest, toyNetwork(plainCalls));
    const calls: Float32Array[] = [];
    const previews: { tokens: Float32Array; callsBefore: number }[] = [];
    const out = await embedPhoto(img, manifest, toyNetwork(calls), async (p) => {
      previews.push({ tokens: p.tokens, callsBefore: calls.length });
    });
    expect(previews).toHaveLength(1);
    expect(previews[0].callsBefore).toBe(2);
    // The preview is what the 'diagonal' pattern gives (its own two passes, in its order).
    const diagonal = await embedPhoto(img, { ...manifest, shiftAverage: { stepPx: 2, pattern: 'diagonal' } }, toyNetwork([]));
    expect(Array.from(previews[0].tokens)).toEqual(Array.from(diagonal.tokens));
    // The same four windows, in another order, averaged in the pattern's order: bit for bit the same.
    expect(calls).toHaveLength(4);
    expect(Array.from(out.tokens)).toEqual(Array.from(plain.tokens));
    expect(Array.from(out.keys)).toEqual(Array.from(plain.keys));
    expect(Array.from(out.cls)).toEqual(Array.from(plain.cls));
  });

  it('is one plain pass without shiftAverage', async () => {
    const calls: Float32Array[] = [];
    const { shiftAverage: _s, ...plain } = manifest;
    const out = await embedPhoto(photo(8, 8), plain, toyNetwork(calls));
    expect(calls).toHaveLength(1);
    expect([out.gridH, out.gridW]).toEqual([4, 4]);
    expect(featureGrid(plain)).toEqual({ gridH: 4, gridW: 4 });
  });

  it('with a shared stem, runs the stem once on the canvas and the head on its crops: the same features where the stem shifts exactly', async () => {
    const img = photo(13, 9);
    const whole = await embedPhoto(img, manifest, toyNetwork([]));
    const stemSides: number[] = [], headMaps: StemMap[] = [];
    const split: ModelManifest = { ...manifest, shiftAverage: { stepPx: 2, stem: { file: 'toy.stem.onnx', sha256: 'x', output: 'map', stepCells: 1 } } };
    const runner: BackboneRunner = {
      run: () => Promise.reject(new Error('a whole pass is not expected')),
      stem: async (input, side) => (stemSides.push(side), toyStem(input, side)),
      head: async (map) => (headMaps.push(map), toyHead(map)),
    };
    const out = await embedPhoto(img, split, runner);
    // The stem sees the 10-px canvas once (a 5-cell map); each head a 4-cell crop of it.
    expect(stemSides).toEqual([10]);
    expect(headMaps.map((m) => [m.height, m.width])).toEqual([[4, 4], [4, 4], [4, 4], [4, 4]]);
    // The toy's stem moves by exactly one cell per step, so crops of its map are the windows' maps.
    expect(Array.from(out.tokens)).toEqual(Array.from(whole.tokens));
    // The preview order still applies.
    const previews: number[] = [];
    headMaps.length = 0;
    await embedPhoto(img, split, runner, async () => void previews.push(headMaps.length));
    expect(previews).toEqual([2]);
    await expect(embedPhoto(img, split, toyNetwork([]))).rejects.toThrow(/shared stem/);
  });

  it('a manifest names its shared stem completely or is refused', () => {
    const stem = { file: 'toy.stem.onnx', sha256: 'ab', output: 'map', stepCells: 1 };
    const valid = { ...manifest, licence: 'MIT', source: 'test' };
    expect(manifestProblems(valid)).toEqual([]);
    expect(manifestProblems({ ...valid, shiftAverage: { stepPx: 2, stem } })).toEqual([]);
    expect(manifestProblems({ ...valid, shiftAverage: { stepPx: 2, stem: { ...stem, stepCells: 0 } } })).toEqual([expect.stringMatching(/shiftAverage.stem/)]);
    expect(manifestProblems({ ...valid, shiftAverage: { stepPx: 2, stem: { ...stem, file: '' } } })).toEqual([expect.stringMatching(/shiftAverage.stem/)]);
  });

  it('refuses passes of different shapes', () => {
    const a: BackboneOutput = { keys: new Float32Array(4), keyDim: 1, tokens: new Float32Array(4), tokenDim: 1, cls: new Float32Array(1), gridH: 2, gridW: 2 };
    const b = { ...a, gridH: 1, gridW: 4 };
    expect(() => averageShiftedPasses([a, a, a, b])).toThrow(/disagree/);
    expect(() => averageShiftedPasses([a])).toThrow(/4 shifted passes/);
  });
});
