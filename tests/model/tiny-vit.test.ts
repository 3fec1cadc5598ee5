// Runs the seeded tiny ViT of tiny-vit.ts with onnxruntime-node: output shapes, finite values,
// determinism across runs and builds, and a manifest that the app accepts.
import { describe, expect, it } from 'vitest';
import { manifestProblems } from '../../src/core/backbone/types';
import { checkBackboneOnnx } from '../../src/model/validate';
import { sha256Hex } from '../../src/model/vit/dino';
import { buildTinyVitOnnx, TINY_VIT_CONFIG, tinyVitManifest } from '../../src/model/vit/tiny-vit';
import { runVit, testImage } from './dino-fixtures';

describe('tiny ViT', () => {
  const S = TINY_VIT_CONFIG.inputSize;
  const N = (S / TINY_VIT_CONFIG.patchSize) ** 2;
  const D = TINY_VIT_CONFIG.embedDim;

  it('produces keys [N, C], tokens [N, C], cls [C] with finite, non-constant values', async () => {
    const out = await runVit(buildTinyVitOnnx(0), testImage(S), S);
    expect(out.keysDims).toEqual([N, D]);
    expect(out.tokensDims).toEqual([N, D]);
    expect(out.clsDims).toEqual([D]);
    for (const a of [out.keys, out.tokens, out.cls]) {
      expect(a.every(Number.isFinite)).toBe(true);
      expect(Math.max(...a) - Math.min(...a)).toBeGreaterThan(0.1);
    }
    // Final-norm tokens are normalised per token before the affine scale (≈ 1 ± 0.1): RMS near 1.
    const rms = Math.sqrt(out.tokens.reduce((s, v) => s + v * v, 0) / out.tokens.length);
    expect(rms).toBeGreaterThan(0.5);
    expect(rms).toBeLessThan(2);
  });

  it('is deterministic: same seed, same bytes and outputs; another seed differs', async () => {
    const a = buildTinyVitOnnx(0);
    const b = buildTinyVitOnnx(0);
    expect(await sha256Hex(a)).toBe(await sha256Hex(b));
    expect(await sha256Hex(buildTinyVitOnnx(1))).not.toBe(await sha256Hex(a));
    const img = testImage(S);
    const [r1, r2] = [await runVit(a, img, S), await runVit(b, img, S)];
    expect(Array.from(r1.keys)).toEqual(Array.from(r2.keys));
    expect(Array.from(r1.cls)).toEqual(Array.from(r2.cls));
  });

  it('passes the backbone validator and its manifest passes manifestProblems', async () => {
    const bytes = buildTinyVitOnnx(0);
    expect(checkBackboneOnnx(bytes).problems).toEqual([]);
    expect(manifestProblems(tinyVitManifest(await sha256Hex(bytes)))).toEqual([]);
  });
});
