// Converts a DINO ViT state dict (official .pth or a Hub .safetensors) into this app's ONNX backbone
// and manifest, with DINO's bicubic position-embedding interpolation (method.md §1).
import { IMAGENET_MEAN, IMAGENET_STD, type ModelManifest } from '../../core/backbone/types';
import { huggingFaceVitToDino, isHuggingFaceVit } from '../checkpoint/hf-vit-keys';
import { vitStateDictShapes } from './tiny-vit';
import { buildVitOnnx, VIT_OUTPUTS, type NamedTensor, type StateDict, type VitConfig } from './vit-onnx';

/** The official DINO ViT checkpoints (facebookresearch/dino hubconf.py). */
export const DINO_CHECKPOINTS: Record<string, { url: string; label: string }> = {
  'dino-vits16': { label: 'ViT-S/16', url: 'https://dl.fbaipublicfiles.com/dino/dino_deitsmall16_pretrain/dino_deitsmall16_pretrain.pth' },
  'dino-vits8': { label: 'ViT-S/8', url: 'https://dl.fbaipublicfiles.com/dino/dino_deitsmall8_pretrain/dino_deitsmall8_pretrain.pth' },
  'dino-vitb16': { label: 'ViT-B/16', url: 'https://dl.fbaipublicfiles.com/dino/dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth' },
  'dino-vitb8': { label: 'ViT-B/8', url: 'https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth' },
};

export const DINO_DEFAULTS = { inputSize: 480, tau: 0.15, layerNormEps: 1e-6, licence: 'Apache-2.0 (DINO)' } as const;

/** DINO's ViT-Ti/S/B all use 64-dimensional heads, so heads = embed dim / 64 for official weights. */
const DINO_HEAD_DIM = 64;
const SIZE_LETTERS: Record<number, string> = { 192: 'Ti', 384: 'S', 768: 'B' };

/** PyTorch's bicubic convolution constant (upsample_bicubic2d), not the A = −0.5 of Keys/OpenCV. */
const CUBIC_A = -0.75;

export interface DinoVariant {
  /** e.g. "dino-vits8"; "dino-vit-d48p8" for a non-standard width. */
  id: string;
  /** e.g. "ViT-S/8". */
  label: string;
  embedDim: number;
  depth: number;
  numHeads: number;
  patchSize: number;
  /** Side of the patch grid pos_embed was trained for (14 for 224 px at patch 16). */
  trainGrid: number;
}

function refuse(sd: StateDict, missing: string): Error {
  const keys = [...sd.keys()];
  const sample = keys.slice(0, 6).join(', ');
  return new Error(`not a DINO ViT state dict: missing "${missing}" (it has ${keys.length} keys: ${sample}${keys.length > 6 ? ', …' : ''})`);
}

function tensor(sd: StateDict, key: string): NamedTensor {
  const t = sd.get(key);
  if (!t) throw refuse(sd, key);
  return t;
}

/** Accepts DINO's names as they are and Hugging Face ViT names by renaming them. */
export function toDinoNames(sd: StateDict): StateDict {
  return isHuggingFaceVit(sd) ? huggingFaceVitToDino(sd) : sd;
}

function countBlocks(sd: StateDict): number {
  let depth = 0;
  while (sd.has(`blocks.${depth}.norm1.weight`)) depth++;
  if (depth === 0) throw refuse(sd, 'blocks.0.norm1.weight');
  return depth;
}

/** Reads the architecture from the weights: embed dim from cls_token, patch from the conv kernel. */
export function detectDinoVariant(sd: StateDict, opts: { numHeads?: number } = {}): DinoVariant {
  const cls = tensor(sd, 'cls_token');
  const embedDim = cls.shape.at(-1) ?? 0;
  const kernel = tensor(sd, 'patch_embed.proj.weight');
  if (kernel.shape.length !== 4 || kernel.shape[0] !== embedDim || kernel.shape[1] !== 3 || kernel.shape[2] !== kernel.shape[3]) {
    throw new Error(`not a DINO ViT: patch_embed.proj.weight has shape [${kernel.shape.join(', ')}], expected [${embedDim}, 3, p, p]`);
  }
  const patchSize = kernel.shape[2];
  const pos = tensor(sd, 'pos_embed');
  const trainGrid = Math.round(Math.sqrt((pos.shape[1] ?? 0) - 1));
  if (pos.shape.length !== 3 || pos.shape[2] !== embedDim || trainGrid * trainGrid + 1 !== pos.shape[1]) {
    throw new Error(`not a DINO ViT: pos_embed has shape [${pos.shape.join(', ')}], expected [1, g*g + 1, ${embedDim}]`);
  }
  const numHeads = opts.numHeads ?? (embedDim % DINO_HEAD_DIM === 0 ? embedDim / DINO_HEAD_DIM : 0);
  if (!(numHeads > 0) || embedDim % numHeads !== 0) {
    throw new Error(`cannot infer the number of heads for embed dim ${embedDim}; pass numHeads (DINO uses ${DINO_HEAD_DIM}-dim heads)`);
  }
  const letter = SIZE_LETTERS[embedDim];
  return {
    id: letter ? `dino-vit${letter.toLowerCase()}${patchSize}` : `dino-vit-d${embedDim}p${patchSize}`,
    label: `ViT-${letter ?? `d${embedDim}`}/${patchSize}`,
    embedDim,
    depth: countBlocks(sd),
    numHeads,
    patchSize,
    trainGrid,
  };
}

/** torch's cubic convolution weights for the 4 taps around a sample at fractional offset t. */
function cubicWeights(t: number): [number, number, number, number] {
  const A = CUBIC_A;
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/**
 * Source taps of a 1-D bicubic resize as torch computes them with a given scale factor and
 * align_corners=False: src = (dst + 0.5) / scaleFactor − 0.5 in float32, taps clamped to the border.
 */
export function bicubicTaps(inSize: number, outSize: number, scaleFactor: number): { index: Int32Array; weight: Float64Array } {
  const f = Math.fround;
  const scale = f(1 / scaleFactor);
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  for (let o = 0; o < outSize; o++) {
    const src = f(f(scale * f(o + 0.5)) - 0.5);
    const i0 = Math.floor(src);
    const w = cubicWeights(f(src - i0));
    for (let j = 0; j < 4; j++) {
      index[o * 4 + j] = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
      weight[o * 4 + j] = w[j];
    }
  }
  return { index, weight };
}

/**
 * Resizes pos_embed [1, 1 + g², D] to [1, 1 + targetGrid², D] as DINO's interpolate_pos_encoding:
 * the CLS row is kept, the patch rows are resized bicubically with scale factor
 * (targetGrid + 0.1) / g. When the grid already matches, DINO uses the weights unchanged.
 */
export function interpolatePosEmbed(pos: NamedTensor, targetGrid: number): NamedTensor {
  const [, rows, D] = pos.shape;
  const g = Math.round(Math.sqrt(rows - 1));
  if (g * g + 1 !== rows) throw new Error(`pos_embed has ${rows - 1} patch rows, not a square grid`);
  if (targetGrid === g) return pos;
  const taps = bicubicTaps(g, targetGrid, (targetGrid + 0.1) / Math.sqrt(rows - 1));
  const out = new Float32Array((1 + targetGrid * targetGrid) * D);
  out.set(pos.data.subarray(0, D));
  const acc = new Float64Array(D);
  for (let oy = 0; oy < targetGrid; oy++) {
    for (let ox = 0; ox < targetGrid; ox++) {
      acc.fill(0);
      for (let i = 0; i < 4; i++) {
        const wy = taps.weight[oy * 4 + i];
        const rowBase = taps.index[oy * 4 + i] * g;
        for (let j = 0; j < 4; j++) {
          const w = wy * taps.weight[ox * 4 + j];
          const srcRow = 1 + rowBase + taps.index[ox * 4 + j];
          for (let c = 0; c < D; c++) acc[c] += w * pos.data[srcRow * D + c];
        }
      }
      out.set(acc, (1 + oy * targetGrid + ox) * D);
    }
  }
  return { data: out, shape: [1, 1 + targetGrid * targetGrid, D] };
}

/** Lowercase hex SHA-256 via Web Crypto (Node 20 and browsers). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes.slice().buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface DinoConvertOptions {
  /** Square input side in pixels; default 480 (MaskCut's). Must be a multiple of the patch size. */
  inputSize?: number;
  /** Needed only for widths that are not a multiple of 64 (test models). */
  numHeads?: number;
  tau?: number;
  /** Overrides the manifest id (default `<variant>-<size>`, e.g. "dino-vits8-480"). */
  id?: string;
  /** Where the weights came from (URL or file name), recorded in the manifest. */
  source?: string;
}

export interface ConvertedDino {
  bytes: Uint8Array;
  manifest: ModelManifest;
  variant: DinoVariant;
}

function checkAllWeights(sd: StateDict, cfg: VitConfig): void {
  for (const key of vitStateDictShapes(cfg).keys()) if (!sd.has(key)) throw refuse(sd, key);
}

/** Builds the ONNX backbone (outputs keys/tokens/cls) and its manifest from a DINO state dict. */
export async function convertDino(stateDict: StateDict, opts: DinoConvertOptions = {}): Promise<ConvertedDino> {
  const sd = toDinoNames(stateDict);
  const variant = detectDinoVariant(sd, opts);
  const inputSize = opts.inputSize ?? DINO_DEFAULTS.inputSize;
  if (!Number.isInteger(inputSize / variant.patchSize) || inputSize <= 0) {
    throw new Error(`input size ${inputSize} is not a positive multiple of the patch size ${variant.patchSize}`);
  }
  const grid = inputSize / variant.patchSize;
  const cfg: VitConfig = { ...variant, inputSize, layerNormEps: DINO_DEFAULTS.layerNormEps };
  checkAllWeights(sd, cfg);
  const sized: StateDict = new Map(sd);
  sized.set('pos_embed', interpolatePosEmbed(tensor(sd, 'pos_embed'), grid));
  const bytes = buildVitOnnx(sized, cfg);
  const id = opts.id ?? `${variant.id}-${inputSize}`;
  const manifest: ModelManifest = {
    id,
    name: `DINO ${variant.label} (${inputSize} px)`,
    architecture: 'vit',
    inputSize,
    stride: variant.patchSize,
    mean: [...IMAGENET_MEAN],
    std: [...IMAGENET_STD],
    inputName: VIT_OUTPUTS.input,
    outputs: { keys: VIT_OUTPUTS.keys, tokens: VIT_OUTPUTS.tokens, cls: VIT_OUTPUTS.cls },
    tau: opts.tau ?? DINO_DEFAULTS.tau,
    licence: DINO_DEFAULTS.licence,
    source: opts.source ?? 'DINO state dict',
    sha256: await sha256Hex(bytes),
    file: `${id}.onnx`,
  };
  return { bytes, manifest, variant };
}
