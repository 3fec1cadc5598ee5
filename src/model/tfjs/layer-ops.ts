// Emits ONNX (NCHW) for each Keras layer (NHWC) the nsfwjs CNNs use, with weights re-laid out and
// BatchNorm folded into the preceding convolution; the CNN backbone of method.md §1 is built from these.
import { FloatAttr, type GraphBuilder } from '../onnx/graph-builder';
import { addPads, isZeroPads, kerasZeroPadding, NO_PADS, onnxPads, tfPadding, type Pads2d } from './padding';
import type { KerasLayer, KerasWeight, WeightMap } from './tfjs-json';

/** An NCHW feature map in the ONNX graph; `pendingPads` are ZeroPadding2D zeros not yet materialised. */
export interface FeatureMap {
  name: string;
  channels: number;
  height: number;
  width: number;
  pendingPads: Pads2d;
}

/** Per-channel y = x * scale + shift (an inference-mode BatchNormalization), float64 for folding. */
export interface ChannelAffine {
  scale: Float64Array;
  shift: Float64Array;
}

export class LayerEmitter {
  constructor(
    readonly g: GraphBuilder,
    private readonly weights: WeightMap,
  ) {}

  weight(layer: KerasLayer, suffix: string, shape?: number[]): KerasWeight {
    const w = this.weights.get(`${layer.name}/${suffix}`);
    if (!w) throw new Error(`no weight "${layer.name}/${suffix}" in the weights manifest`);
    if (shape && (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i]))) {
      throw new Error(`"${layer.name}/${suffix}" has shape [${w.shape}], expected [${shape}]`);
    }
    return w;
  }

  /** Writes pending ZeroPadding2D zeros as a Pad op, for consumers that cannot absorb them. */
  materialise(x: FeatureMap): FeatureMap {
    if (isZeroPads(x.pendingPads)) return x;
    const p = x.pendingPads;
    const pads = this.g.int64s('pads', [0, 0, p.top, p.left, 0, 0, p.bottom, p.right]);
    const name = this.g.op('Pad', [x.name, pads], { mode: 'constant' });
    return { name, channels: x.channels, height: x.height + p.top + p.bottom, width: x.width + p.left + p.right, pendingPads: NO_PADS };
  }

  zeroPadding(layer: KerasLayer, x: FeatureMap): FeatureMap {
    return { ...x, pendingPads: addPads(x.pendingPads, kerasZeroPadding(layer.config.padding)) };
  }

  /** Inference-mode BatchNormalization as a per-channel affine map (gamma/beta absent when scale/center are off). */
  batchNormAffine(layer: KerasLayer, channels: number): ChannelAffine {
    const c = layer.config;
    const axis = c.axis ?? -1;
    if (axis !== -1 && axis !== 3 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 3))) {
      throw new Error(`BatchNormalization ${layer.name}: only the channel axis is supported, got ${JSON.stringify(axis)}`);
    }
    const mean = this.weight(layer, 'moving_mean', [channels]).data;
    const variance = this.weight(layer, 'moving_variance', [channels]).data;
    const gamma = c.scale === false ? null : this.weight(layer, 'gamma', [channels]).data;
    const beta = c.center === false ? null : this.weight(layer, 'beta', [channels]).data;
    const eps = c.epsilon ?? 1e-3;
    const scale = new Float64Array(channels);
    const shift = new Float64Array(channels);
    for (let i = 0; i < channels; i++) {
      scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
      shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
    }
    return { scale, shift };
  }

  /** A BatchNormalization that could not be folded (its input is not a conv used only by it). */
  batchNorm(layer: KerasLayer, x: FeatureMap): FeatureMap {
    const input = this.materialise(x);
    const { scale, shift } = this.batchNormAffine(layer, input.channels);
    const dims = [1, input.channels, 1, 1];
    const scaled = this.g.op('Mul', [input.name, this.g.weight(`${layer.name}_scale`, Float32Array.from(scale), dims)]);
    const name = this.g.op('Add', [scaled, this.g.weight(`${layer.name}_shift`, Float32Array.from(shift), dims)]);
    return { ...input, name };
  }

  /** Conv2D and DepthwiseConv2D (same or valid, any stride/dilation), with an optional folded BatchNorm. */
  conv(layer: KerasLayer, x: FeatureMap, foldedBatchNorm: KerasLayer | null): FeatureMap {
    const c = layer.config;
    if ((c.data_format ?? 'channels_last') !== 'channels_last') throw new Error(`${layer.name}: only channels_last is supported`);
    const depthwise = layer.class_name === 'DepthwiseConv2D';
    const [kh, kw] = c.kernel_size ?? [1, 1];
    const [sh, sw] = c.strides ?? [1, 1];
    const [dh, dw] = c.dilation_rate ?? [1, 1];
    const mode = c.padding === 'same' ? 'same' : 'valid';
    const h = tfPadding(mode, x.height + x.pendingPads.top + x.pendingPads.bottom, kh, sh, dh);
    const w = tfPadding(mode, x.width + x.pendingPads.left + x.pendingPads.right, kw, sw, dw);
    const pads = addPads(x.pendingPads, { top: h.before, bottom: h.after, left: w.before, right: w.after });

    const inC = x.channels;
    const outC = depthwise ? inC * (c.depth_multiplier ?? 1) : (c.filters ?? 0);
    const kernelName = depthwise ? 'depthwise_kernel' : 'kernel';
    const kernelShape = depthwise ? [kh, kw, inC, c.depth_multiplier ?? 1] : [kh, kw, inC, outC];
    const kernel = hwioToOihw(this.weight(layer, kernelName, kernelShape).data, kh, kw, depthwise ? 1 : inC, outC);
    const bias = new Float64Array(outC);
    if (c.use_bias !== false) this.weight(layer, 'bias', [outC]).data.forEach((v, i) => (bias[i] = v));
    if (foldedBatchNorm) foldAffine(kernel, bias, this.batchNormAffine(foldedBatchNorm, outC));

    const wName = this.g.weight(`${layer.name}_w`, kernel, [outC, depthwise ? 1 : inC, kh, kw]);
    const bName = this.g.weight(`${layer.name}_b`, Float32Array.from(bias), [outC]);
    const name = this.g.op('Conv', [x.name, wName, bName], {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads: onnxPads(pads),
      group: depthwise ? inC : 1,
    });
    const y = { name, channels: outC, height: h.outSize, width: w.outSize, pendingPads: NO_PADS };
    return this.activation(y, c.activation ?? 'linear', layer.name);
  }

  /** Keras activation names (Activation layers and the `activation` of conv layers). */
  activation(x: FeatureMap, kind: string, layerName: string): FeatureMap {
    if (kind === 'linear') return x;
    const input = this.materialise(x);
    const unary: Record<string, string> = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', elu: 'Elu', softplus: 'Softplus' };
    if (kind === 'relu6') return { ...input, name: this.clip(input.name, 0, 6) };
    if (kind === 'swish' || kind === 'silu') {
      return { ...input, name: this.g.op('Mul', [input.name, this.g.op('Sigmoid', [input.name])]) };
    }
    const op = unary[kind];
    if (!op) throw new Error(`${layerName}: unsupported activation "${kind}"`);
    return { ...input, name: this.g.op(op, [input.name]) };
  }

  /** Keras ReLU layer: max(x, 0) capped at max_value; a negative slope makes it leaky. */
  relu(layer: KerasLayer, x: FeatureMap): FeatureMap {
    const { max_value: maxValue, negative_slope: slope = 0, threshold = 0 } = layer.config;
    const input = this.materialise(x);
    if (threshold !== 0) throw new Error(`${layer.name}: ReLU threshold ${threshold} is not supported`);
    if (slope !== 0) {
      if (maxValue != null) throw new Error(`${layer.name}: leaky ReLU with max_value is not supported`);
      return { ...input, name: this.g.op('LeakyRelu', [input.name], { alpha: new FloatAttr(slope) }) };
    }
    return { ...input, name: maxValue == null ? this.g.op('Relu', [input.name]) : this.clip(input.name, 0, maxValue) };
  }

  private clip(x: string, lo: number, hi: number): string {
    return this.g.op('Clip', [x, this.g.scalar('clip_lo', lo), this.g.scalar('clip_hi', hi)]);
  }

  /** MaxPooling2D / AveragePooling2D; TF's SAME average excludes the padding from the count, as ONNX's default does. */
  pool(layer: KerasLayer, x: FeatureMap): FeatureMap {
    const input = this.materialise(x);
    const c = layer.config;
    const [kh, kw] = c.pool_size ?? [2, 2];
    const [sh, sw] = c.strides ?? [kh, kw];
    const mode = c.padding === 'same' ? 'same' : 'valid';
    const h = tfPadding(mode, input.height, kh, sh);
    const w = tfPadding(mode, input.width, kw, sw);
    const op = layer.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
    const attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads: onnxPads({ top: h.before, bottom: h.after, left: w.before, right: w.after }) };
    const name = this.g.op(op, [input.name], op === 'AveragePool' ? { ...attrs, count_include_pad: 0 } : attrs);
    return { name, channels: input.channels, height: h.outSize, width: w.outSize, pendingPads: NO_PADS };
  }

  /** Add / Multiply: element-wise over inputs of the same shape. */
  elementwise(layer: KerasLayer, xs: FeatureMap[]): FeatureMap {
    const op = layer.class_name === 'Add' ? 'Add' : 'Mul';
    const inputs = xs.map((x) => this.materialise(x));
    const name = inputs.slice(1).reduce((acc, x) => this.g.op(op, [acc, x.name]), inputs[0].name);
    return { ...inputs[0], name };
  }

  /** Concatenate along the NHWC channel axis, which is axis 1 in NCHW. */
  concatenate(layer: KerasLayer, xs: FeatureMap[]): FeatureMap {
    const axis = layer.config.axis ?? -1;
    if (axis !== -1 && axis !== 3) throw new Error(`${layer.name}: only channel concatenation is supported, got axis ${JSON.stringify(axis)}`);
    const inputs = xs.map((x) => this.materialise(x));
    const name = this.g.op('Concat', inputs.map((x) => x.name), { axis: 1 });
    return { ...inputs[0], name, channels: inputs.reduce((s, x) => s + x.channels, 0) };
  }
}

/** Keras kernel [kh, kw, in, out] (HWIO) → ONNX [out, in, kh, kw] (OIHW). A depthwise kernel [kh, kw, C, m] is HWIO with in = 1, out = C·m. */
export function hwioToOihw(hwio: Float32Array, kh: number, kw: number, inC: number, outC: number): Float32Array {
  const oihw = new Float32Array(hwio.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < inC; i++) {
        const src = ((y * kw + x) * inC + i) * outC;
        for (let o = 0; o < outC; o++) oihw[((o * inC + i) * kh + y) * kw + x] = hwio[src + o];
      }
    }
  }
  return oihw;
}

/** BN(conv(x)) = conv'(x): output channel o's kernel scaled by scale[o], bias → bias·scale + shift. */
function foldAffine(kernelOihw: Float32Array, bias: Float64Array, affine: ChannelAffine): void {
  const perOut = kernelOihw.length / bias.length;
  for (let o = 0; o < bias.length; o++) {
    for (let k = o * perOut; k < (o + 1) * perOut; k++) kernelOihw[k] = kernelOihw[k] * affine.scale[o];
    bias[o] = bias[o] * affine.scale[o] + affine.shift[o];
  }
}
