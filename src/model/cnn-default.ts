// The product's default backbone: an ImageNet-pretrained CNN from the `nsfwjs` npm package, cut at a
// stride-8/16 feature map and converted to ONNX with a manifest (method.md §1 CNN stand-in, §2 τ).
import type { ModelManifest } from '../core/backbone/types';
import type { NsfwjsNetwork, PackagedLayersModel } from './tfjs/load-package';
import { CNN_OUTPUTS, convertLayersModelToOnnx, STEM_IO } from './tfjs/tfjs-to-onnx';
import { decodeWeights } from './tfjs/weights';

export interface CnnChoice {
  network: NsfwjsNetwork;
  /** Keras layer whose output is the feature map. */
  layer: string;
  /** Square input side in pixels; a larger side gives a finer grid. */
  inputSize: number;
  /** MaskCut τ; defaults to the measured starting value for this network/layer. */
  tau?: number;
  /** Input pixels per output cell of the layer (product of its strides): the shift-average step. */
  networkStridePx: number;
  /**
   * The last layer of the stem the shifted passes share (run once on their common canvas), before
   * the stage whose padding makes the pattern the passes cancel; absent: four whole passes.
   */
  stemLayer?: string;
}

/**
 * The options measured (src/model/tfjs/README.md has the table), the default first. τ: method.md's
 * 0.45 for InceptionV3 (a rough first-masks sweep on 80 coco-dev photos peaked at 0.4–0.5), the
 * sweep's peak for the others; the MaskCut AR/AP tuning replaces these numbers.
 */
export const CNN_CANDIDATES: readonly (CnnChoice & { tau: number })[] = [
  { network: 'inception_v3', layer: 'mixed7', inputSize: 347, tau: 0.45, networkStridePx: 16, stemLayer: 'mixed3' },
  { network: 'inception_v3', layer: 'mixed7', inputSize: 299, tau: 0.45, networkStridePx: 16, stemLayer: 'mixed3' },
  { network: 'inception_v3', layer: 'mixed5', inputSize: 347, tau: 0.45, networkStridePx: 16 },
  { network: 'inception_v3', layer: 'mixed2', inputSize: 299, tau: 0.5, networkStridePx: 8 },
  { network: 'mobilenet_v2', layer: 'block_12_add', inputSize: 320, tau: 0.35, networkStridePx: 16 },
  { network: 'mobilenet_v2', layer: 'block_13_expand_relu', inputSize: 320, tau: 0.5, networkStridePx: 16 },
];

/** InceptionV3 mixed7 (the layer method.md §2 reports real objects on) at 347 px: a 20×20 grid. */
export const DEFAULT_CNN: CnnChoice = CNN_CANDIDATES[0];

const NETWORK_NAMES: Record<NsfwjsNetwork, string> = { inception_v3: 'InceptionV3', mobilenet_v2: 'MobileNetV2' };

/** nsfwjs feeds its models RGB/255 with no mean or std, so the generic (x/255 − mean)/std uses 0 and 1. */
const NSFWJS_MEAN: [number, number, number] = [0, 0, 0];
const NSFWJS_STD: [number, number, number] = [1, 1, 1];

export function cnnModelId(choice: CnnChoice): string {
  return `cnn-${choice.network}-${choice.layer}-${choice.inputSize}`.replace(/_/g, '-').toLowerCase();
}

/** Web Crypto, so this module also runs in a browser; the copy gives digest a plain ArrayBuffer. */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice().buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Pixels per grid cell, chosen so that floor(inputSize / stride) is the grid the graph makes:
 * InceptionV3's valid convolutions give 17 cells at 299 px, a stride of 299/17 ≈ 17.6, not 16.
 */
function strideFor(inputSize: number, grid: number): number {
  const stride = inputSize / grid;
  if (Math.floor(inputSize / stride) !== grid) throw new Error(`no stride maps ${inputSize} px to ${grid} cells`);
  return stride;
}

function startingTau(choice: CnnChoice): number {
  if (choice.tau !== undefined) return choice.tau;
  const known = CNN_CANDIDATES.find((c) => c.network === choice.network && c.layer === choice.layer);
  return known?.tau ?? 0.45;
}

/** The converted graphs of a choice: the head (or the whole network) and its shared stem, if any. */
export interface BuiltCnn {
  bytes: Uint8Array;
  manifest: ModelManifest;
  stemBytes?: Uint8Array;
}

/**
 * The stem graph up to `choice.stemLayer`, for any square input: converted at the photo's side and
 * at the canvas's, it must come out byte for byte the same (no pad depends on the size), and the
 * canvas's map must be whole cells larger (the heads' crops are that many cells apart).
 */
function convertStem(json: PackagedLayersModel['json'], weights: ReturnType<typeof decodeWeights>, choice: CnnChoice, id: string, metadata: Record<string, string>) {
  const stemLayer = choice.stemLayer as string;
  const at = (inputSize: number) =>
    convertLayersModelToOnnx(json, weights, {
      outputLayer: stemLayer, inputSize, output: 'features', symbolicSize: true, graphName: `${id}-stem`,
      producer: 'u2seg-web src/model/cnn-default.ts', metadata: { ...metadata, feature_layer: stemLayer, input_size: 'any' },
    });
  const photo = at(choice.inputSize), canvas = at(choice.inputSize + choice.networkStridePx);
  if (photo.bytes.length !== canvas.bytes.length || photo.bytes.some((b, i) => b !== canvas.bytes[i])) {
    throw new Error(`the stem up to ${stemLayer} pads differently at ${choice.inputSize} and ${choice.inputSize + choice.networkStridePx} px, so its passes cannot share it`);
  }
  const stepCells = canvas.gridH - photo.gridH;
  if (stepCells < 1 || (choice.networkStridePx / stepCells) % 1 !== 0) throw new Error(`a ${choice.networkStridePx}-px step moves the stem's map by ${stepCells} cells`);
  return { bytes: photo.bytes, stepCells, map: { channels: photo.channels, height: photo.gridH, width: photo.gridW } };
}

/**
 * Converts the chosen nsfwjs network/layer to ONNX bytes and its manifest (sha256 of those bytes);
 * with `stemLayer`, two graphs: the shared stem and the head that reads its map.
 * Without `packaged` it reads the installed package, in Node only: the import is dynamic so that
 * the UI can import the candidates list from here without pulling node:fs into its bundle.
 */
export async function buildDefaultCnn(choice: CnnChoice = DEFAULT_CNN, packaged?: PackagedLayersModel): Promise<BuiltCnn> {
  packaged ??= (await import('./tfjs/load-package')).loadNsfwjsModel(choice.network);
  const id = cnnModelId(choice);
  const source = `npm:${packaged.packageId} ${choice.network}/${choice.layer}`;
  const licence = 'MIT (nsfwjs); ImageNet-supervised, not DINO';
  const weights = decodeWeights(packaged.json.weightsManifest, packaged.shardBytes);
  const metadata = { source, licence, feature_layer: choice.layer, input_size: String(choice.inputSize) };
  const stem = choice.stemLayer ? convertStem(packaged.json, weights, choice, id, metadata) : undefined;
  const converted = convertLayersModelToOnnx(packaged.json, weights, {
    outputLayer: choice.layer,
    inputSize: choice.inputSize,
    inputLayer: stem && { name: choice.stemLayer as string, ...stem.map },
    graphName: id,
    producer: 'u2seg-web src/model/cnn-default.ts',
    metadata,
  });
  const name = `${NETWORK_NAMES[choice.network]} ${choice.layer} @${choice.inputSize}px (nsfwjs, ImageNet-supervised)`;
  const manifest: ModelManifest = {
    id,
    name,
    architecture: 'cnn',
    inputSize: choice.inputSize,
    stride: strideFor(choice.inputSize, converted.gridH),
    mean: NSFWJS_MEAN,
    std: NSFWJS_STD,
    inputName: CNN_OUTPUTS.input,
    outputs: { keys: CNN_OUTPUTS.keys, tokens: CNN_OUTPUTS.tokens, cls: CNN_OUTPUTS.cls },
    tau: startingTau(choice),
    licence,
    source,
    sha256: await sha256Hex(converted.bytes),
    file: `${id}.onnx`,
    shiftAverage: { stepPx: choice.networkStridePx },
  };
  if (!stem) return { bytes: converted.bytes, manifest };
  manifest.shiftAverage = {
    stepPx: choice.networkStridePx,
    stem: { file: `${id}.stem.onnx`, sha256: await sha256Hex(stem.bytes), output: STEM_IO.features, stepCells: stem.stepCells },
  };
  return { bytes: converted.bytes, manifest, stemBytes: stem.bytes };
}
