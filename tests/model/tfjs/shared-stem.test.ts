// A CNN split into a shared stem and a head (shift-average.ts, SharedStem): the two graphs the
// converter makes compute, one after the other, exactly what the whole graph does (method.md §1).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random';
import { buildDefaultCnn, type CnnChoice } from '../../../src/model/cnn-default';
import { CNN_OUTPUTS, convertLayersModelToOnnx, STEM_IO } from '../../../src/model/tfjs/tfjs-to-onnx';
import { decodeWeights } from '../../../src/model/tfjs/weights';
import { syntheticModel } from './synthetic-model';

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

const image = (side: number, seed: number) => {
  const r = mulberry32(seed);
  return new ort.Tensor('float32', Float32Array.from({ length: 3 * side * side }, () => r()), [1, 3, side, side]);
};

describe('a CNN split at a stem layer', () => {
  const { json, shardBytes } = syntheticModel(10);
  const weights = decodeWeights(json.weightsManifest, shardBytes);

  it('stem then head gives the whole graph’s outputs, and the stem runs at any size', async () => {
    const whole = convertLayersModelToOnnx(json, weights, { outputLayer: 'bn_s2', inputSize: 10 });
    const stem = convertLayersModelToOnnx(json, weights, { outputLayer: 'concat', inputSize: 10, output: 'features', symbolicSize: true });
    const head = convertLayersModelToOnnx(json, weights, {
      outputLayer: 'bn_s2', inputSize: 10, inputLayer: { name: 'concat', channels: stem.channels, height: stem.gridH, width: stem.gridW },
    });
    const x = image(10, 1);
    const map = (await run(stem.bytes, { [CNN_OUTPUTS.input]: x }))[STEM_IO.features];
    expect(map.dims).toEqual([1, stem.channels, stem.gridH, stem.gridW]);
    const split = await run(head.bytes, { [STEM_IO.features]: map });
    const ref = await run(whole.bytes, { [CNN_OUTPUTS.input]: x });
    for (const k of ['keys', 'cls'] as const) {
      const a = split[k].data as Float32Array, b = ref[k].data as Float32Array;
      expect(a.length).toBe(b.length);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    }
    // Symbolic height and width: the same stem takes a 14-px canvas and gives a larger map.
    const larger = (await run(stem.bytes, { [CNN_OUTPUTS.input]: image(14, 2) }))[STEM_IO.features];
    expect(larger.dims).toEqual([1, stem.channels, stem.gridH + 2, stem.gridW + 2]);
  });

  it('refuses a head that reads from before its input layer', () => {
    // 'add' reads conv_v and conv_p, which read act_dw and avg: starting at act_dw leaves avg's input outside.
    expect(() => convertLayersModelToOnnx(json, weights, { outputLayer: 'add', inputSize: 10, inputLayer: { name: 'act_dw', channels: 8, height: 5, width: 5 } })).toThrow(/also reads the model's input/);
  });

  it('builds a manifest whose stem moves whole cells per step, and refuses a step its pads do not allow', async () => {
    const packaged = { json, shardBytes, packageId: 'synthetic@0' };
    const choice: CnnChoice = { network: 'inception_v3', layer: 'bn_s2', inputSize: 10, networkStridePx: 4, stemLayer: 'concat' };
    const built = await buildDefaultCnn(choice, packaged);
    expect(built.manifest.shiftAverage?.stem).toMatchObject({ output: STEM_IO.features, stepCells: 2 });
    expect(built.stemBytes?.length).toBeGreaterThan(0);
    // conv_a is SAME at stride 2: its pads change with the input's parity, so an odd step cannot share it.
    await expect(buildDefaultCnn({ ...choice, networkStridePx: 3 }, packaged)).rejects.toThrow(/pads differently/);
  });
});
