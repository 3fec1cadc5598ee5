// The TF.js → ONNX converter on a tiny seeded layers model, against TF.js itself: SAME padding on odd
// and even sizes, ZeroPadding, depthwise, folded and unfolded BN, pools, Add, Concatenate (method.md §1).
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random';
import { CNN_OUTPUTS, convertLayersModelToOnnx } from '../../../src/model/tfjs/tfjs-to-onnx';
import { decodeWeights } from '../../../src/model/tfjs/weights';
import { syntheticModel } from './synthetic-model';
import { loadTfjsModel, relativeMaxError, tfjsFeatureMap } from './tfjs-reference';

function opCounts(bytes: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of onnxProto.onnx.ModelProto.decode(bytes).graph?.node ?? []) counts.set(n.opType ?? '', (counts.get(n.opType ?? '') ?? 0) + 1);
  return counts;
}

async function runOnnx(bytes: Uint8Array, inputNchw: Float32Array, inputSize: number): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  const out = await session.run({ [CNN_OUTPUTS.input]: new ort.Tensor('float32', inputNchw, [1, 3, inputSize, inputSize]) });
  await session.release();
  return out;
}

function randomImage(inputSize: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: 3 * inputSize * inputSize }, () => r());
}

describe('convertLayersModelToOnnx on a synthetic model', () => {
  // 10 px: SAME stride-2 pads 0 before / 1 after; 9 px: 1 / 1. Both must match TF.js.
  for (const inputSize of [9, 10]) {
    for (const layer of ['concat', 'maxpool', 'conv_s2', 'bn_s2']) {
      it(`matches TF.js at ${inputSize} px cut at ${layer}`, async () => {
        const { json, shardBytes } = syntheticModel(inputSize);
        const converted = convertLayersModelToOnnx(json, decodeWeights(json.weightsManifest, shardBytes), { outputLayer: layer, inputSize });
        const image = randomImage(inputSize, inputSize);
        const out = await runOnnx(converted.bytes, image, inputSize);
        const ref = await tfjsFeatureMap(await loadTfjsModel(json, shardBytes, inputSize), layer, image, inputSize);

        expect([1, converted.gridH, converted.gridW, converted.channels]).toEqual(ref.shape);
        expect(out.keys.dims).toEqual([converted.gridH * converted.gridW, converted.channels]);
        // keys are the NHWC map flattened row-major over the grid, exactly TF.js's memory order.
        expect(relativeMaxError(out.keys.data as Float32Array, ref.nhwc)).toBeLessThan(1e-5);
        expect(Array.from(out.tokens.data as Float32Array)).toEqual(Array.from(out.keys.data as Float32Array));
      });
    }
  }

  it('pools cls as the mean of the grid cells', async () => {
    const { json, shardBytes } = syntheticModel(10);
    const c = convertLayersModelToOnnx(json, decodeWeights(json.weightsManifest, shardBytes), { outputLayer: 'concat', inputSize: 10 });
    const out = await runOnnx(c.bytes, randomImage(10, 3), 10);
    const keys = out.keys.data as Float32Array;
    const cls = out.cls.data as Float32Array;
    expect(out.cls.dims).toEqual([c.channels]);
    const cells = c.gridH * c.gridW;
    for (let ch = 0; ch < c.channels; ch++) {
      let sum = 0;
      for (let i = 0; i < cells; i++) sum += keys[i * c.channels + ch];
      expect(cls[ch]).toBeCloseTo(sum / cells, 5);
    }
  });

  it('folds BatchNorm into convolutions and ZeroPadding into the next convolution', () => {
    const { json, shardBytes } = syntheticModel(10);
    const c = convertLayersModelToOnnx(json, decodeWeights(json.weightsManifest, shardBytes), { outputLayer: 'bn_s2', inputSize: 10 });
    const ops = opCounts(c.bytes);
    expect(ops.get('Conv')).toBe(5);
    // Only bn_add (after an Add, not a conv) stays as Mul + Add; no Pad op survives.
    expect(ops.get('Mul')).toBe(1);
    expect(ops.get('Pad')).toBeUndefined();
  });

  it('names the unsupported layer when cut past the feature maps', () => {
    const { json, shardBytes } = syntheticModel(10);
    const layers = json.modelTopology.model_config.config.layers;
    layers.push({ name: 'flat', class_name: 'Flatten', config: { name: 'flat' }, inbound_nodes: [[['bn_s2', 0, 0, {}]]] });
    const weights = decodeWeights(json.weightsManifest, shardBytes);
    expect(() => convertLayersModelToOnnx(json, weights, { outputLayer: 'flat', inputSize: 10 })).toThrow(/flat \(Flatten\) is not supported/);
    expect(() => convertLayersModelToOnnx(json, weights, { outputLayer: 'nope', inputSize: 10 })).toThrow(/no layer "nope"/);
  });
});
