// Proof against PyTorch: tiny_dino.pth read in TypeScript, converted to ONNX at input sizes other
// than its training size, run with onnxruntime-node, compared with make_dino_golden.py's outputs.
import { describe, expect, it } from 'vitest';
import { manifestProblems } from '../../src/core/backbone/types';
import { readPth } from '../../src/model/checkpoint/pth-reader';
import { checkBackboneOnnx } from '../../src/model/validate';
import { bicubicTaps, convertDino, detectDinoVariant, interpolatePosEmbed, sha256Hex } from '../../src/model/vit/dino';
import type { NamedTensor, StateDict } from '../../src/model/vit/vit-onnx';
import { fixtureBytes, readGolden, relativeError, rowOf, runVit, testImage } from './dino-fixtures';

const golden = readGolden();
const sd = readPth(fixtureBytes('tiny_dino.pth'));
const HEADS = golden.config.heads;
const D = golden.config.embed_dim;

function sumAbs(a: Float32Array): number {
  return a.reduce((s, v) => s + Math.abs(v), 0);
}

function sumSq(a: Float32Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

describe.each(golden.cases)('tiny DINO ViT at $size px against PyTorch', (c) => {
  it('interpolates pos_embed as DINO does (bicubic, +0.1, A = -0.75, clamped borders)', () => {
    const pos = interpolatePosEmbed(sd.get('pos_embed') as NamedTensor, c.grid);
    expect(pos.shape).toEqual([1, c.grid * c.grid + 1, D]);
    const err = Math.max(...c.rows.map((r, i) => relativeError(rowOf(pos.data, r + 1, D), c.pos_embed[i])));
    console.log(`pos_embed ${golden.config.train_size / golden.config.patch}² → ${c.grid}²: max relative error ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-5);
  });

  it('gives keys, tokens and CLS within 1e-4 relative error', async () => {
    const { bytes } = await convertDino(sd, { inputSize: c.size, numHeads: HEADS });
    const out = await runVit(bytes, testImage(c.size), c.size);
    const n = c.grid * c.grid;
    expect(out.keysDims).toEqual([n, D]);
    expect(out.tokensDims).toEqual([n, D]);
    expect(out.clsDims).toEqual([D]);
    const errors = {
      keys: Math.max(...c.rows.map((r, i) => relativeError(rowOf(out.keys, r, D), c.keys[i]))),
      tokens: Math.max(...c.rows.map((r, i) => relativeError(rowOf(out.tokens, r, D), c.tokens[i]))),
      cls: relativeError(out.cls, c.cls),
      keysAbsSum: Math.abs(sumAbs(out.keys) / c.checksums.keys_abs_sum - 1),
      keysSqSum: Math.abs(sumSq(out.keys) / c.checksums.keys_sq_sum - 1),
      tokensAbsSum: Math.abs(sumAbs(out.tokens) / c.checksums.tokens_abs_sum - 1),
      tokensSqSum: Math.abs(sumSq(out.tokens) / c.checksums.tokens_sq_sum - 1),
    };
    console.log(`${c.size} px relative errors: ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    for (const [name, err] of Object.entries(errors)) expect(err, name).toBeLessThan(1e-4);
  });
});

describe('convertDino', () => {
  it('writes a manifest that passes manifestProblems and hashes the bytes', async () => {
    const { bytes, manifest, variant } = await convertDino(sd, { inputSize: 96, numHeads: HEADS, source: 'tiny_dino.pth' });
    expect(manifestProblems(manifest)).toEqual([]);
    expect(manifest).toMatchObject({
      id: 'dino-vit-d48p8-96', architecture: 'vit', inputSize: 96, stride: 8, tau: 0.15,
      licence: 'Apache-2.0 (DINO)', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
      inputName: 'image', outputs: { keys: 'keys', tokens: 'tokens', cls: 'cls' }, file: 'dino-vit-d48p8-96.onnx', source: 'tiny_dino.pth',
    });
    expect(manifest.sha256).toBe(await sha256Hex(bytes));
    expect(variant).toMatchObject({ embedDim: 48, depth: 2, numHeads: 4, patchSize: 8, trainGrid: 28 });
    expect(checkBackboneOnnx(bytes).signature).toEqual({ inputName: 'image', inputSize: 96, grid: 12, keyDim: 48, tokenDim: 48, clsDim: 48 });
  });

  it('keeps pos_embed unchanged at the training size, as DINO skips interpolation there', () => {
    const pos = sd.get('pos_embed') as NamedTensor;
    expect(interpolatePosEmbed(pos, 28)).toBe(pos);
  });

  it('computes sha256 like the standard test vector', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

/** Zero-filled tensors with the shapes of an official checkpoint: enough for detection. */
function fakeDino(embedDim: number, patch: number, depth = 12): StateDict {
  const t = (shape: number[]): NamedTensor => ({ data: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape });
  const sdFake: StateDict = new Map([
    ['cls_token', t([1, 1, embedDim])],
    ['pos_embed', t([1, (224 / patch) ** 2 + 1, embedDim])],
    ['patch_embed.proj.weight', t([embedDim, 3, patch, patch])],
  ]);
  for (let i = 0; i < depth; i++) sdFake.set(`blocks.${i}.norm1.weight`, t([embedDim]));
  return sdFake;
}

describe('detectDinoVariant', () => {
  it.each([
    [384, 8, 'dino-vits8', 'ViT-S/8', 6],
    [384, 16, 'dino-vits16', 'ViT-S/16', 6],
    [768, 8, 'dino-vitb8', 'ViT-B/8', 12],
    [768, 16, 'dino-vitb16', 'ViT-B/16', 12],
  ])('embed %i, patch %i → %s', (dim, patch, id, label, heads) => {
    expect(detectDinoVariant(fakeDino(dim, patch))).toEqual({
      id, label, embedDim: dim, depth: 12, numHeads: heads, patchSize: patch, trainGrid: 224 / patch,
    });
  });

  it('asks for the head count when the width is not DINO’s', () => {
    expect(() => detectDinoVariant(sd)).toThrow(/cannot infer the number of heads for embed dim 48/);
  });
});

describe('convertDino refusals', () => {
  it('names the missing key of a non-DINO state dict', async () => {
    const resnet: StateDict = new Map([
      ['conv1.weight', { data: new Float32Array(64 * 3 * 49), shape: [64, 3, 7, 7] }],
      ['bn1.weight', { data: new Float32Array(64), shape: [64] }],
    ]);
    await expect(convertDino(resnet)).rejects.toThrow(/^not a DINO ViT state dict: missing "cls_token" \(it has 2 keys: conv1.weight, bn1.weight\)/);
  });

  it('names a missing block weight', async () => {
    const broken = new Map(sd);
    broken.delete('blocks.1.mlp.fc2.bias');
    await expect(convertDino(broken, { numHeads: HEADS, inputSize: 96 })).rejects.toThrow(/missing "blocks.1.mlp.fc2.bias"/);
  });

  it('refuses an input size that is not a multiple of the patch', async () => {
    await expect(convertDino(sd, { numHeads: HEADS, inputSize: 100 })).rejects.toThrow(/100 is not a positive multiple of the patch size 8/);
  });
});

describe('bicubicTaps', () => {
  it('weights sum to 1 and taps stay inside the source', () => {
    for (const [from, to] of [[28, 12], [28, 40], [14, 30], [14, 60]]) {
      const { index, weight } = bicubicTaps(from, to, (to + 0.1) / from);
      for (let o = 0; o < to; o++) {
        expect(weight.subarray(o * 4, o * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
      expect(Math.min(...index)).toBe(0);
      expect(Math.max(...index)).toBe(from - 1);
    }
  });
});
