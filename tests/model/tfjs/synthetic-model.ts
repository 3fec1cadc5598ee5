// A tiny seeded Keras layers model (model.json + weight bytes) that exercises every converter path
// the nsfwjs CNNs need (method.md §1 CNN backbone): SAME/VALID padding, depthwise, BN, pools, merges.
import { mulberry32 } from '../../../src/core/random';
import type { InboundTensor, KerasLayer, KerasLayerConfig, LayersModelJson, WeightSpec } from '../../../src/model/tfjs/tfjs-json';

export interface SyntheticModel {
  json: LayersModelJson;
  shardBytes: Uint8Array;
}

function layer(className: string, name: string, inputs: string[], config: Partial<KerasLayerConfig> = {}): KerasLayer {
  const inbound: InboundTensor[] = inputs.map((n) => [n, 0, 0, {}]);
  return { name, class_name: className, config: { name, ...config }, inbound_nodes: inputs.length ? [inbound] : [] };
}

const conv = (name: string, input: string, filters: number, k: number, stride: number, padding: 'same' | 'valid', extra: Partial<KerasLayerConfig> = {}) =>
  layer('Conv2D', name, [input], {
    filters, kernel_size: [k, k], strides: [stride, stride], padding, data_format: 'channels_last',
    dilation_rate: [1, 1], activation: 'linear', use_bias: true, ...extra,
  });

const bn = (name: string, input: string, extra: Partial<KerasLayerConfig> = {}) =>
  layer('BatchNormalization', name, [input], { axis: -1, epsilon: 0.001, center: true, scale: true, momentum: 0.99, ...extra });

/** Layers: see the comments for which converter path each one covers. */
function syntheticLayers(inputSize: number): KerasLayer[] {
  return [
    layer('InputLayer', 'input_1', [], { batch_input_shape: [null, inputSize, inputSize, 3], dtype: 'float32' }),
    conv('conv_a', 'input_1', 4, 3, 2, 'same'), // SAME, stride 2: asymmetric on even sizes
    bn('bn_a', 'conv_a'), // folded into conv_a
    layer('ReLU', 'relu6_a', ['bn_a'], { max_value: 6, negative_slope: 0, threshold: 0 }),
    layer('DepthwiseConv2D', 'dw', ['relu6_a'], {
      kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last', dilation_rate: [1, 1],
      depth_multiplier: 2, activation: 'linear', use_bias: false,
    }),
    bn('bn_dw', 'dw', { scale: false }), // folded, no gamma (InceptionV3's BNs)
    layer('Activation', 'act_dw', ['bn_dw'], { activation: 'relu' }),
    layer('ZeroPadding2D', 'pad_v', ['act_dw'], { padding: [[0, 1], [0, 1]], data_format: 'channels_last' }),
    conv('conv_v', 'pad_v', 6, 2, 1, 'valid'), // absorbs the asymmetric ZeroPadding2D
    layer('AveragePooling2D', 'avg', ['relu6_a'], { pool_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last' }),
    conv('conv_p', 'avg', 6, 1, 1, 'valid', { activation: 'relu', use_bias: true }),
    layer('Add', 'add', ['conv_v', 'conv_p']),
    bn('bn_add', 'add'), // not after a conv: emitted as Mul + Add
    layer('Concatenate', 'concat', ['bn_add', 'act_dw'], { axis: -1 }),
    layer('MaxPooling2D', 'maxpool', ['concat'], { pool_size: [3, 3], strides: [2, 2], padding: 'same', data_format: 'channels_last' }),
    conv('conv_s2', 'maxpool', 5, 3, 2, 'same', { use_bias: false }), // tests cut here (conv output) and one layer later (folded BN)
    bn('bn_s2', 'conv_s2'),
  ];
}

/** Kernels quantised uint8, one uint16, one float16; BN statistics float32 (variance must stay > 0). */
function weightSpecs(): WeightSpec[] {
  const u8 = (min: number, scale: number) => ({ dtype: 'uint8' as const, min, scale });
  return [
    { name: 'conv_a/kernel', shape: [3, 3, 3, 4], dtype: 'float32', quantization: u8(-0.6, 0.005) },
    { name: 'conv_a/bias', shape: [4], dtype: 'float32' },
    ...['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w): WeightSpec => ({ name: `bn_a/${w}`, shape: [4], dtype: 'float32' })),
    { name: 'dw/depthwise_kernel', shape: [3, 3, 4, 2], dtype: 'float32', quantization: { dtype: 'uint16', min: -0.5, scale: 1 / 65535 } },
    ...['beta', 'moving_mean', 'moving_variance'].map((w): WeightSpec => ({ name: `bn_dw/${w}`, shape: [8], dtype: 'float32' })),
    { name: 'conv_v/kernel', shape: [2, 2, 8, 6], dtype: 'float32', quantization: { dtype: 'float16' } },
    { name: 'conv_v/bias', shape: [6], dtype: 'float32' },
    { name: 'conv_p/kernel', shape: [1, 1, 4, 6], dtype: 'float32', quantization: u8(-0.3, 0.003) },
    { name: 'conv_p/bias', shape: [6], dtype: 'float32' },
    ...['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w): WeightSpec => ({ name: `bn_add/${w}`, shape: [6], dtype: 'float32' })),
    { name: 'conv_s2/kernel', shape: [3, 3, 14, 5], dtype: 'float32', quantization: u8(-0.2, 0.0015) },
    ...['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w): WeightSpec => ({ name: `bn_s2/${w}`, shape: [5], dtype: 'float32' })),
  ];
}

/** Random half-precision bits for values in about [-0.25, 0.25]: sign, exponent 10..12, any fraction. */
function randomHalfBits(r: () => number): number {
  return ((r() < 0.5 ? 1 : 0) << 15) | ((10 + Math.floor(r() * 3)) << 10) | Math.floor(r() * 1024);
}

/** Bytes for one spec: raw quantised codes, or float32 values in a range that suits the weight. */
function specBytes(spec: WeightSpec, r: () => number): Uint8Array {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const q = spec.quantization?.dtype;
  if (q === 'uint8') return Uint8Array.from({ length: count }, () => Math.floor(r() * 256));
  const view = new DataView(new ArrayBuffer(count * (q ? 2 : 4)));
  for (let i = 0; i < count; i++) {
    if (q === 'uint16') view.setUint16(i * 2, Math.floor(r() * 65536), true);
    else if (q === 'float16') view.setUint16(i * 2, randomHalfBits(r), true);
    else if (spec.name.endsWith('moving_variance')) view.setFloat32(i * 4, 0.2 + r(), true);
    else if (spec.name.endsWith('gamma')) view.setFloat32(i * 4, 0.5 + r(), true);
    else view.setFloat32(i * 4, r() - 0.5, true);
  }
  return new Uint8Array(view.buffer);
}

export function syntheticModel(inputSize: number, seed = 1): SyntheticModel {
  const r = mulberry32(seed);
  const specs = weightSpecs();
  const parts = specs.map((s) => specBytes(s, r));
  const shardBytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((offset, p) => (shardBytes.set(p, offset), offset + p.length), 0);
  const json: LayersModelJson = {
    modelTopology: {
      keras_version: '2.2.4',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Model',
        config: { name: 'synthetic', layers: syntheticLayers(inputSize), input_layers: [['input_1', 0, 0]], output_layers: [['bn_s2', 0, 0]] },
      },
    },
    weightsManifest: [{ paths: ['group1-shard1of1'], weights: specs }],
  };
  return { json, shardBytes };
}
