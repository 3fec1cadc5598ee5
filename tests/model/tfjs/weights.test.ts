// Dequantisation of TF.js weight shards (uint8/uint16 affine, float16, raw), checked bit for bit
// against tfjs-core's own decoder: the CNN backbone's weights (method.md §1) come through this path.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { WeightSpec } from '../../../src/model/tfjs/tfjs-json';
import { decodeWeights, float16ToFloat32 } from '../../../src/model/tfjs/weights';
import { syntheticModel } from './synthetic-model';

describe('decodeWeights', () => {
  it('matches tf.io.decodeWeights exactly on uint8, uint16, float16 and float32 weights', () => {
    const { json, shardBytes } = syntheticModel(10, 7);
    const specs = json.weightsManifest.flatMap((g) => g.weights);
    expect(new Set(specs.map((s) => s.quantization?.dtype ?? s.dtype))).toEqual(new Set(['uint8', 'uint16', 'float16', 'float32']));
    const ours = decodeWeights(json.weightsManifest, shardBytes);
    const theirs = tf.io.decodeWeights(shardBytes.slice().buffer, specs);
    for (const spec of specs) {
      const expected = theirs[spec.name].dataSync();
      const actual = ours.get(spec.name);
      expect(actual?.shape).toEqual(spec.shape);
      expect(Array.from(actual?.data ?? [])).toEqual(Array.from(expected));
    }
  });

  it('applies value = q · scale + min and reads shards back to back', () => {
    const specs: WeightSpec[] = [
      { name: 'a/kernel', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
      { name: 'b/kernel', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', min: 10, scale: 0.25 } },
      { name: 'c/bias', shape: [1], dtype: 'float32' },
    ];
    const bytes = new Uint8Array(3 + 4 + 4);
    bytes.set([0, 2, 255]);
    const view = new DataView(bytes.buffer);
    view.setUint16(3, 4, true);
    view.setUint16(5, 65535, true);
    view.setFloat32(7, 1.5, true);
    const w = decodeWeights([{ paths: ['x'], weights: specs }], bytes);
    expect(Array.from(w.get('a/kernel')?.data ?? [])).toEqual([-1, 0, 126.5]);
    expect(Array.from(w.get('b/kernel')?.data ?? [])).toEqual([11, 10 + 65535 * 0.25]);
    expect(Array.from(w.get('c/bias')?.data ?? [])).toEqual([1.5]);
  });

  it('refuses shards that do not match the manifest', () => {
    const specs: WeightSpec[] = [{ name: 'a/kernel', shape: [4], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: 1 } }];
    expect(() => decodeWeights([{ paths: ['x'], weights: specs }], new Uint8Array(3))).toThrow(/past the end/);
    expect(() => decodeWeights([{ paths: ['x'], weights: specs }], new Uint8Array(5))).toThrow(/shards hold 5/);
    const noScale: WeightSpec[] = [{ name: 'a/kernel', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }];
    expect(() => decodeWeights([{ paths: ['x'], weights: noScale }], new Uint8Array(1))).toThrow(/without min\/scale/);
  });

  it('decodes IEEE half precision, subnormals and infinities included', () => {
    expect(float16ToFloat32(0x3c00)).toBe(1);
    expect(float16ToFloat32(0xc000)).toBe(-2);
    expect(float16ToFloat32(0x3555)).toBeCloseTo(0.333251953125, 12);
    expect(float16ToFloat32(0x0001)).toBe(2 ** -24);
    expect(float16ToFloat32(0x7c00)).toBe(Infinity);
    expect(Number.isNaN(float16ToFloat32(0x7e00))).toBe(true);
  });
});
