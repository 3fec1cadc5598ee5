// The reference the converter is checked against: TF.js itself (pure-JS CPU backend) running the same
// layers model cut at the same layer (tf.model on the layer's output), for the CNN backbone of method.md §1.
import * as tf from '@tensorflow/tfjs';
import type { LayersModelJson } from '../../../src/model/tfjs/tfjs-json';

let backendReady: Promise<void> | null = null;

function cpuBackend(): Promise<void> {
  backendReady ??= tf.setBackend('cpu').then(() => tf.enableProdMode());
  return backendReady;
}

/** The model as TF.js loads it, with its square input resized to inputSize (every layer up to the cut is convolutional). */
export async function loadTfjsModel(json: LayersModelJson, shardBytes: Uint8Array, inputSize: number): Promise<tf.LayersModel> {
  await cpuBackend();
  const config = json.modelTopology.model_config.config;
  const layers = config.layers.map((l) =>
    l.class_name === 'InputLayer' ? { ...l, config: { ...l.config, batch_input_shape: [null, inputSize, inputSize, 3] } } : l,
  );
  const modelTopology = { ...json.modelTopology, model_config: { ...json.modelTopology.model_config, config: { ...config, layers } } };
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: shardBytes.slice().buffer,
    }),
  );
}

/** Runs the model up to `layer` on an NCHW image and returns the NHWC feature map, flattened. */
export async function tfjsFeatureMap(
  model: tf.LayersModel,
  layer: string,
  inputNchw: Float32Array,
  inputSize: number,
): Promise<{ nhwc: Float32Array; shape: number[] }> {
  const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  const y = tf.tidy(() => {
    const nhwc = tf.transpose(tf.tensor4d(inputNchw, [1, 3, inputSize, inputSize]), [0, 2, 3, 1]);
    return cut.predict(nhwc) as tf.Tensor;
  });
  const data = (await y.data()) as Float32Array;
  const shape = y.shape;
  y.dispose();
  return { nhwc: data, shape };
}

/** max |a − b| / max |b|: the error relative to the feature scale. */
export function relativeMaxError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) throw new Error(`lengths differ: ${actual.length} vs ${expected.length}`);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    err = Math.max(err, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return err / (scale || 1);
}
