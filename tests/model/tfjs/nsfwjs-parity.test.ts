// The shipped default backbone (nsfwjs CNN → ONNX, method.md §1) against TF.js running the same
// network cut at the same layer, on generated photos through the app's own resize/normalise path.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { gridSize, manifestProblems } from '../../../src/core/backbone/types';
import { toNormalisedNchw, type RgbaImage } from '../../../src/core/image/resize';
import { buildDefaultCnn, CNN_CANDIDATES, DEFAULT_CNN, type CnnChoice } from '../../../src/model/cnn-default';
import { sha256Hex } from '../../../src/model/model-files';
import { loadNsfwjsModel } from '../../../src/model/tfjs/load-package';
import { wrapSession } from '../../../src/runtime/backbone-session';
import { syntheticPhoto } from '../../helpers/synthetic-photos';
import { loadTfjsModel, relativeMaxError, tfjsFeatureMap } from './tfjs-reference';

/** A generated 400×300 photo (seeded), as the app's resize path takes it. */
function readPhoto(seed: number): RgbaImage {
  const p = syntheticPhoto(seed, 400, 300);
  return { data: new Uint8ClampedArray(p.rgba.buffer, p.rgba.byteOffset, p.rgba.length), width: p.width, height: p.height };
}

/** Converts `choice`, runs it with onnxruntime-node and TF.js on the photos, returns the worst relative errors. */
async function compareWithTfjs(choice: CnnChoice, photos: number[]): Promise<{ keys: number; cls: number }> {
  const packaged = loadNsfwjsModel(choice.network);
  const { bytes, manifest, stemBytes } = await buildDefaultCnn(choice, packaged);
  expect(manifestProblems(manifest)).toEqual([]);
  expect(manifest.sha256).toBe(sha256Hex(bytes));
  const S = manifest.inputSize;
  const open = (b: Uint8Array) => ort.InferenceSession.create(b, { intraOpNumThreads: 2 });
  // A whole pass: the shared stem (where the choice has one) and then the head.
  const session = wrapSession(await open(bytes), manifest, { backend: 'cpu', threads: 2 }, (d, dims) => new ort.Tensor('float32', d, dims), stemBytes && (await open(stemBytes)));
  const tfModel = await loadTfjsModel(packaged.json, packaged.shardBytes, S);
  const worst = { keys: 0, cls: 0 };
  for (const photo of photos) {
    const input = toNormalisedNchw(readPhoto(photo), S, manifest.mean, manifest.std);
    const out = await session.run(input);
    const ref = await tfjsFeatureMap(tfModel, choice.layer, input, S);
    // The manifest's stride must reproduce the graph's grid, or toBackboneOutput would mis-shape the features.
    expect([1, out.gridH, out.gridW, out.keyDim]).toEqual(ref.shape);
    expect(gridSize(manifest)).toEqual({ gridH: ref.shape[1], gridW: ref.shape[2] });
    const refCls = new Float32Array(out.keyDim);
    for (let i = 0; i < ref.nhwc.length; i++) refCls[i % out.keyDim] += ref.nhwc[i] / (out.gridH * out.gridW);
    worst.keys = Math.max(worst.keys, relativeMaxError(out.keys, ref.nhwc));
    worst.cls = Math.max(worst.cls, relativeMaxError(out.cls, refCls));
    expect(out.tokens).toEqual(out.keys);
  }
  await session.release();
  tfModel.dispose();
  return worst;
}

describe('nsfwjs CNN → ONNX matches TF.js on generated photos', () => {
  it(`default ${DEFAULT_CNN.network}/${DEFAULT_CNN.layer} @${DEFAULT_CNN.inputSize}px on 2 photos`, async () => {
    const err = await compareWithTfjs(DEFAULT_CNN, [1, 2]);
    expect(err.keys).toBeLessThan(1e-3);
    expect(err.cls).toBeLessThan(1e-3);
  }, 120_000);

  const other = CNN_CANDIDATES.find((c) => c.network !== DEFAULT_CNN.network) as CnnChoice;
  it(`the other network, ${other.network}/${other.layer} @${other.inputSize}px, on 1 photo`, async () => {
    const err = await compareWithTfjs(other, [3]);
    expect(err.keys).toBeLessThan(1e-3);
    expect(err.cls).toBeLessThan(1e-3);
  }, 60_000);
});
