// The models the backbone benchmark times: DINO ViT architectures with seeded random weights
// (speed does not depend on weight values, and real DINO weights cannot be fetched here), the
// tiny test ViT, and the shipped CNN default when its converter is present.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { IMAGENET_MEAN, IMAGENET_STD, type ModelManifest } from '../src/core/backbone/types';
import { writeModel } from '../src/model/model-files';
import { randomVitStateDict, TINY_VIT_CONFIG } from '../src/model/vit/tiny-vit';
import { buildVitOnnx, VIT_OUTPUTS, type VitConfig } from '../src/model/vit/vit-onnx';

export const BENCH_MODEL_DIR = path.resolve(import.meta.dirname, '.models');

const VITS: Record<string, Omit<VitConfig, 'inputSize' | 'layerNormEps'>> = {
  'vit-tiny': { embedDim: TINY_VIT_CONFIG.embedDim, depth: TINY_VIT_CONFIG.depth, numHeads: TINY_VIT_CONFIG.numHeads, patchSize: 16 },
  'dino-vit-s16': { embedDim: 384, depth: 12, numHeads: 6, patchSize: 16 },
  'dino-vit-s8': { embedDim: 384, depth: 12, numHeads: 6, patchSize: 8 },
  'dino-vit-b16': { embedDim: 768, depth: 12, numHeads: 12, patchSize: 16 },
  'dino-vit-b8': { embedDim: 768, depth: 12, numHeads: 12, patchSize: 8 },
};

export interface BenchModel {
  family: string;
  sizePx: number;
  manifestPath: string;
  manifest: ModelManifest;
  bytes: number;
}

async function buildVit(family: string, sizePx: number): Promise<BenchModel> {
  const cfg: VitConfig = { ...VITS[family], inputSize: sizePx, layerNormEps: 1e-6 };
  const bytes = buildVitOnnx(randomVitStateDict(cfg, 1), cfg);
  const id = `${family}-${sizePx}`;
  const manifest = await writeModel(BENCH_MODEL_DIR, bytes, {
    id,
    name: `${family} @${sizePx} (random weights)`,
    architecture: 'vit',
    inputSize: sizePx,
    stride: cfg.patchSize,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    inputName: VIT_OUTPUTS.input,
    outputs: { keys: VIT_OUTPUTS.keys, tokens: VIT_OUTPUTS.tokens, cls: VIT_OUTPUTS.cls },
    tau: 0.15,
    licence: 'generated',
    source: 'bench/backbone-models.ts',
  });
  return { family, sizePx, manifestPath: path.join(BENCH_MODEL_DIR, `${id}.json`), manifest, bytes: bytes.length };
}

type CnnBuilder = (choice: { network: 'inception_v3' | 'mobilenet_v2'; layer: string; inputSize: number }) => Promise<{ bytes: Uint8Array; manifest: ModelManifest; stemBytes?: Uint8Array }>;

async function buildCnn(sizePx: number): Promise<BenchModel | null> {
  const file = path.resolve(import.meta.dirname, '../src/model/cnn-default.ts');
  if (!existsSync(file)) return null;
  const mod = (await import(file)) as { buildDefaultCnn?: CnnBuilder; DEFAULT_CNN?: { network: 'inception_v3' | 'mobilenet_v2'; layer: string } };
  if (!mod.buildDefaultCnn || !mod.DEFAULT_CNN) return null;
  const { bytes, manifest, stemBytes } = await mod.buildDefaultCnn({ ...mod.DEFAULT_CNN, inputSize: sizePx });
  const id = `cnn-default-${sizePx}`;
  const { sha256: _s, file: _f, ...rest } = manifest;
  const written = await writeModel(BENCH_MODEL_DIR, bytes, { ...rest, id }, stemBytes);
  return { family: 'cnn-default', sizePx, manifestPath: path.join(BENCH_MODEL_DIR, `${id}.json`), manifest: written, bytes: bytes.length + (stemBytes?.length ?? 0) };
}

export async function buildBenchModels(families: string[], sizes: number[]): Promise<BenchModel[]> {
  const out: BenchModel[] = [];
  for (const family of families) {
    for (const size of sizes) {
      if (family === 'cnn-default') {
        const m = await buildCnn(size);
        if (m) out.push(m);
      } else if (VITS[family]) {
        out.push(await buildVit(family, size));
      } else {
        throw new Error(`unknown model family ${family}; known: cnn-default, ${Object.keys(VITS).join(', ')}`);
      }
    }
  }
  return out;
}
