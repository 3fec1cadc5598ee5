// Types for the TF.js layers-model JSON (model.json: Keras topology + weightsManifest), typed only as
// far as the converter reads it; the CNN backbone of method.md §1 comes from such files.

/** How TF.js stores a weight's values in the shard bytes (`quantization` absent = raw dtype). */
export interface WeightQuantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  /** Affine dequantisation for uint8/uint16: value = q * scale + min. */
  min?: number;
  scale?: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: WeightQuantization;
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** One inbound edge: [layer name, node index, tensor index, kwargs]. */
export type InboundTensor = [string, number, number, Record<string, unknown>?];

/** Keras layer config, with the fields the converter reads; everything else is left untyped. */
export interface KerasLayerConfig {
  name: string;
  trainable?: boolean;
  batch_input_shape?: (number | null)[];
  filters?: number;
  kernel_size?: number[];
  strides?: number[];
  padding?: 'same' | 'valid' | number | number[] | number[][];
  data_format?: 'channels_last' | 'channels_first';
  dilation_rate?: number[];
  activation?: string;
  use_bias?: boolean;
  depth_multiplier?: number;
  axis?: number | number[];
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  max_value?: number | null;
  negative_slope?: number;
  threshold?: number;
  pool_size?: number[];
  [other: string]: unknown;
}

export interface KerasLayer {
  name: string;
  class_name: string;
  config: KerasLayerConfig;
  /** One entry per call of the layer; these models call each layer once. */
  inbound_nodes: InboundTensor[][];
}

export interface KerasModelTopology {
  keras_version?: string;
  backend?: string;
  model_config: {
    class_name: string;
    config: {
      name: string;
      layers: KerasLayer[];
      input_layers: [string, number, number][];
      output_layers: [string, number, number][];
    };
  };
  training_config?: unknown;
}

/** model.json of a layers model (`format` is absent in nsfwjs's older files). */
export interface LayersModelJson {
  format?: string;
  modelTopology: KerasModelTopology;
  weightsManifest: WeightGroup[];
}

/** Decoded weights keyed by TF.js weight name (`<layer>/<kernel|bias|gamma|...>`). */
export interface KerasWeight {
  data: Float32Array;
  /** The Keras shape, e.g. [kh, kw, inC, outC] for a Conv2D kernel. */
  shape: number[];
}
export type WeightMap = Map<string, KerasWeight>;

/** Narrows parsed JSON to a layers model, failing with the first missing piece. */
export function asLayersModelJson(value: unknown, what: string): LayersModelJson {
  const v = value as Partial<LayersModelJson> | null;
  if (!v || typeof v !== 'object') throw new Error(`${what}: not a JSON object`);
  if (!Array.isArray(v.weightsManifest)) throw new Error(`${what}: no weightsManifest`);
  const layers = v.modelTopology?.model_config?.config?.layers;
  if (!Array.isArray(layers)) {
    throw new Error(`${what}: not a Keras layers model (a graph model has no model_config.layers)`);
  }
  return v as LayersModelJson;
}
