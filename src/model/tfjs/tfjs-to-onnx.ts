// Converts a TF.js Keras layers model, cut at one feature layer, into an ONNX backbone with the
// outputs of method.md §1 for a CNN: that feature map as `keys` and `tokens` [N, C], its mean as `cls` [C].
import { GraphBuilder } from '../onnx/graph-builder';
import { consumerCounts, inboundLayerNames, layersUpTo } from './keras-graph';
import { LayerEmitter, type FeatureMap } from './layer-ops';
import { NO_PADS } from './padding';
import type { KerasLayer, LayersModelJson, WeightMap } from './tfjs-json';

export const CNN_OUTPUTS = { input: 'image', keys: 'keys', tokens: 'tokens', cls: 'cls' } as const;

/** Names of a split graph's seam: the stem's output and the head's input (shift-average.ts). */
export const STEM_IO = { features: 'stem_features' } as const;

export interface ConvertOptions {
  /** Keras layer whose output is the feature map (e.g. "mixed7", "block_12_add"). */
  outputLayer: string;
  /** Side of the square NCHW input [1, 3, inputSize, inputSize], in pixels (ignored with `inputLayer`). */
  inputSize: number;
  /**
   * Start the graph after this layer: its output, [1, C, H, W] as `inputShape` says, is the graph's
   * input (STEM_IO.features). Every layer kept must read only from it, never from before it.
   */
  inputLayer?: { name: string; channels: number; height: number; width: number };
  /** 'features': the feature map itself, [1, C, H, W], as output STEM_IO.features; default the CNN outputs. */
  output?: 'cnn' | 'features';
  /**
   * Declare the input's and the feature map's height and width symbolic. Only sound when no pad
   * depends on the size (the caller checks: the graph must come out byte-identical at two sizes).
   */
  symbolicSize?: boolean;
  graphName?: string;
  producer?: string;
  metadata?: Record<string, string>;
}

export interface ConvertedCnn {
  bytes: Uint8Array;
  gridH: number;
  gridW: number;
  channels: number;
  /** Keras layers that went into the graph (BatchNorms folded into convs included). */
  layerCount: number;
}

const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D']);

/**
 * conv name → the BatchNormalization folded into it: the BN reads a linear conv that nothing else
 * reads and that is not itself the requested output (folding would change that output).
 */
export function foldableBatchNorms(layers: KerasLayer[], outputLayer: string): Map<string, KerasLayer> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = consumerCounts(layers);
  const folds = new Map<string, KerasLayer>();
  for (const bn of layers) {
    if (bn.class_name !== 'BatchNormalization') continue;
    const inputs = inboundLayerNames(bn);
    const conv = inputs.length === 1 ? byName.get(inputs[0]) : undefined;
    if (!conv || !CONV_CLASSES.has(conv.class_name)) continue;
    if ((conv.config.activation ?? 'linear') !== 'linear') continue;
    if (consumers.get(conv.name) !== 1 || conv.name === outputLayer) continue;
    folds.set(conv.name, bn);
  }
  return folds;
}

function inputFeatureMap(g: GraphBuilder, layer: KerasLayer, inputSize: number, symbolic: boolean): FeatureMap {
  const shape = layer.config.batch_input_shape;
  const channels = shape?.[3] ?? 3;
  if (channels !== 3) throw new Error(`input ${layer.name} has ${channels} channels; an RGB (3-channel) model is needed`);
  const name = g.input(CNN_OUTPUTS.input, symbolic ? [1, 3, 'height', 'width'] : [1, 3, inputSize, inputSize]);
  return { name, channels, height: inputSize, width: inputSize, pendingPads: NO_PADS };
}

function emitLayer(e: LayerEmitter, layer: KerasLayer, xs: FeatureMap[], folds: Map<string, KerasLayer>): FeatureMap {
  const x = xs[0];
  switch (layer.class_name) {
    case 'Conv2D':
    case 'DepthwiseConv2D':
      return e.conv(layer, x, folds.get(layer.name) ?? null);
    case 'BatchNormalization':
      return e.batchNorm(layer, x);
    case 'ReLU':
      return e.relu(layer, x);
    case 'Activation':
      return e.activation(x, layer.config.activation ?? 'linear', layer.name);
    case 'ZeroPadding2D':
      return e.zeroPadding(layer, x);
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return e.pool(layer, x);
    case 'Add':
    case 'Multiply':
      return e.elementwise(layer, xs);
    case 'Concatenate':
      return e.concatenate(layer, xs);
    case 'Dropout':
      return x; // identity at inference
    default:
      throw new Error(`layer ${layer.name} (${layer.class_name}) is not supported; cut the model at an earlier feature map`);
  }
}

/** Feature map [1, C, H, W] → keys/tokens [H·W, C] (row-major over the grid) and cls [C]. */
function emitOutputs(g: GraphBuilder, fm: FeatureMap): void {
  const cells = fm.height * fm.width;
  const nhwc = g.op('Transpose', [fm.name], { perm: [0, 2, 3, 1] });
  const keys = g.op('Reshape', [nhwc, g.int64s('keys_shape', [cells, fm.channels])], {}, CNN_OUTPUTS.keys);
  g.op('Identity', [keys], {}, CNN_OUTPUTS.tokens);
  const pooled = g.op('GlobalAveragePool', [fm.name]);
  g.op('Reshape', [pooled, g.int64s('cls_shape', [fm.channels])], {}, CNN_OUTPUTS.cls);
  g.output(CNN_OUTPUTS.keys, [cells, fm.channels]);
  g.output(CNN_OUTPUTS.tokens, [cells, fm.channels]);
  g.output(CNN_OUTPUTS.cls, [fm.channels]);
}

/** Builds the ONNX graph for `json` cut at `opts.outputLayer`, taking a normalised NCHW float image. */
export function convertLayersModelToOnnx(json: LayersModelJson, weights: WeightMap, opts: ConvertOptions): ConvertedCnn {
  const layers = layersUpTo(json, opts.outputLayer, opts.inputLayer?.name);
  const folds = foldableBatchNorms(layers, opts.outputLayer);
  const foldedInto = new Map([...folds].map(([conv, bn]) => [bn.name, conv]));
  const g = new GraphBuilder(opts.graphName ?? json.modelTopology.model_config.config.name);
  const e = new LayerEmitter(g, weights);
  const values = new Map<string, FeatureMap>();
  for (const layer of layers) {
    const conv = foldedInto.get(layer.name);
    if (layer.name === opts.inputLayer?.name) {
      const { channels, height, width } = opts.inputLayer;
      values.set(layer.name, { name: g.input(STEM_IO.features, [1, channels, height, width]), channels, height, width, pendingPads: NO_PADS });
    } else if (layer.class_name === 'InputLayer') {
      if (opts.inputLayer) throw new Error(`the graph from ${opts.inputLayer.name} to ${opts.outputLayer} also reads the model's input`);
      values.set(layer.name, inputFeatureMap(g, layer, opts.inputSize, opts.symbolicSize ?? false));
    } else if (conv) {
      values.set(layer.name, values.get(conv) as FeatureMap); // the conv already applied this BN
    } else {
      const xs = inboundLayerNames(layer).map((n) => values.get(n) as FeatureMap);
      values.set(layer.name, emitLayer(e, layer, xs, folds));
    }
  }
  const fm = e.materialise(values.get(opts.outputLayer) as FeatureMap);
  if (opts.output === 'features') {
    g.op('Identity', [fm.name], {}, STEM_IO.features);
    g.output(STEM_IO.features, opts.symbolicSize ? [1, fm.channels, 'map_height', 'map_width'] : [1, fm.channels, fm.height, fm.width]);
  } else {
    emitOutputs(g, fm);
  }
  const bytes = g.toBytes({ producer: opts.producer ?? 'u2seg-web tfjs-to-onnx', metadata: opts.metadata });
  return { bytes, gridH: fm.height, gridW: fm.width, channels: fm.channels, layerCount: layers.length };
}
