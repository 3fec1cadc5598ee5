import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toNormalisedNchw } from '../../src/core/image/resize';
import { writeModel } from '../../src/model/model-files';
import { buildTinyVitOnnx, tinyVitManifest } from '../../src/model/vit/tiny-vit';
import { readImageFile } from '../../src/runtime/node-image';
import { openNodeBackbone } from '../../src/runtime/ort-node';
import { writeSyntheticPhotos } from '../helpers/synthetic-photos';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'u2seg-models-'));
  const { sha256: _s, file: _f, ...manifest } = tinyVitManifest('');
  await writeModel(dir, buildTinyVitOnnx(0), manifest);
});

describe('openNodeBackbone', () => {
  it('refuses a manifest with missing fields, naming them', async () => {
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ id: 'bad', architecture: 'transformer' }));
    await expect(openNodeBackbone(path.join(dir, 'bad.json'))).rejects.toThrow(/"inputSize" must be a positive number.*"architecture" must be/);
  });

  it('refuses an input of the wrong size', async () => {
    const s = await openNodeBackbone(path.join(dir, 'tiny-vit.json'), 1);
    await expect(s.run(new Float32Array(10))).rejects.toThrow(/expected 3×224×224/);
    await s.release();
  });
});

describe('tiny ViT on generated photos (onnxruntime-node)', () => {
  it('gives grid-shaped, finite, deterministic features that differ between photos', async () => {
    const s = await openNodeBackbone(path.join(dir, 'tiny-vit.json'), 2);
    const files = writeSyntheticPhotos(path.join(dir, 'photos'), 2, { width: 320, height: 240 });
    const outs = [];
    for (const f of files) {
      const img = await readImageFile(path.join(dir, 'photos', f));
      const input = toNormalisedNchw(img, 224, s.manifest.mean, s.manifest.std);
      outs.push(await s.run(input));
      const again = await s.run(input);
      expect(again.tokens).toEqual(outs.at(-1)?.tokens);
    }
    const [a, b] = outs;
    expect([a.gridH, a.gridW, a.keyDim, a.tokenDim, a.cls.length]).toEqual([14, 14, 48, 48, 48]);
    expect(a.tokens.every(Number.isFinite)).toBe(true);
    const diff = a.tokens.reduce((acc, v, i) => acc + Math.abs(v - b.tokens[i]), 0) / a.tokens.length;
    expect(diff).toBeGreaterThan(0.05);
    await s.release();
  });

  it('refuses a non-image with a reason', async () => {
    writeFileSync(path.join(dir, 'README.md'), '# not a photo\n');
    await expect(readImageFile(path.join(dir, 'README.md'))).rejects.toThrow(/not an image/);
  });
});
