// --instance-feature (method.md §3) on generated photos with the tiny ViT: 'cls-crop' stores the backbone's
// CLS of each instance's masked crop, 'mean-tokens' the mean of its patch tokens; caches never mix.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir, configFingerprint, listEntryMetas, readEntryArrays, readPassConfig, type CacheEntry, type PassConfig } from '../../src/batch/cache';
import { resizeRgba } from '../../src/batch/image-stage';
import { runSegment, SEGMENT_DEFAULTS, type SegmentOptions } from '../../src/batch/segment';
import { segmentOptionsFromArgs } from '../../src/cli/segment';
import { decodeMask, decompressRle } from '../../src/core/coco/rle';
import { toNormalisedNchw } from '../../src/core/image/resize';
import { instanceTokenFeature, maskedInstanceCrop } from '../../src/core/pipeline/instance-features';
import type { BackboneSession } from '../../src/runtime/backbone-session';
import { readImageFile } from '../../src/runtime/node-image';
import { openNodeBackbone } from '../../src/runtime/ort-node';
import { buildTinyModel, PHOTOS, photoFolder, removeTempDirs, tempDir } from './fixtures';

afterAll(removeTempDirs);

async function readCache(outDir: string): Promise<CacheEntry[]> {
  const dir = cacheDir(outDir);
  return Promise.all((await listEntryMetas(dir)).map((meta) => readEntryArrays(dir, meta)));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe('instance feature settings', () => {
  const base: PassConfig = { version: 1, modelId: 'm', modelSha256: 'x', maxSidePx: 1024, refine: 'none', tau: 0.2, maxMasks: 3 };

  it('keeps the fingerprint of caches made before the option for mean-tokens, and changes it for cls-crop', () => {
    expect(configFingerprint({ ...base, instanceFeature: 'mean-tokens' })).toBe(configFingerprint(base));
    expect(configFingerprint({ ...base, instanceFeature: 'cls-crop' })).not.toBe(configFingerprint(base));
  });

  it('parses --instance-feature and refuses other values', () => {
    expect(segmentOptionsFromArgs(['p', '--out', 'o']).instanceFeature).toBe('mean-tokens');
    expect(segmentOptionsFromArgs(['p', '--out', 'o', '--instance-feature', 'cls-crop']).instanceFeature).toBe('cls-crop');
    expect(() => segmentOptionsFromArgs(['p', '--out', 'o', '--instance-feature', 'cls'])).toThrow(/mean-tokens, cls-crop/);
  });
});

describe('--instance-feature in the batch pipeline', () => {
  const names = PHOTOS.slice(0, 3);
  let model: string;
  let photos: string;
  let meanDir: string;
  let clsDir: string;
  let session: BackboneSession;
  const options = (outDir: string, extra: Partial<SegmentOptions> = {}): SegmentOptions => ({
    ...SEGMENT_DEFAULTS, folder: photos, outDir, model, refine: 'none', threads: 1, progress: null, ...extra,
  });

  beforeAll(async () => {
    model = await buildTinyModel();
    photos = photoFolder(names);
    [meanDir, clsDir] = [tempDir('feature-mean'), tempDir('feature-cls')];
    expect(await runSegment(options(meanDir))).toMatchObject({ processed: 3, complete: true });
    expect(await runSegment(options(clsDir, { instanceFeature: 'cls-crop' }))).toMatchObject({ processed: 3, complete: true });
    session = await openNodeBackbone(model, 1);
  });

  afterAll(async () => {
    await session?.release();
  });

  it('stores the backbone CLS of each masked crop with cls-crop, and the mean patch token by default', async () => {
    const [meanEntries, clsEntries] = [await readCache(meanDir), await readCache(clsDir)];
    expect(clsEntries.map((e) => e.meta.key)).toEqual(names);
    let checked = 0;
    for (const [i, entry] of clsEntries.entries()) {
      const plain = meanEntries[i];
      // Same photo pass either way: tokens and masks agree; only the features differ.
      expect(maxAbsDiff(entry.tokens, plain.tokens)).toBe(0);
      expect(entry.meta.instances).toEqual(plain.meta.instances);
      const photo = await readImageFile(path.join(photos, entry.meta.key));
      const [labelH, labelW] = entry.meta.labelSizeHW;
      const full = await session.run(toNormalisedNchw(photo, session.manifest.inputSize, session.manifest.mean, session.manifest.std));
      expect(entry.meta.featureDim).toBe(full.cls.length);
      expect(entry.meta.timingsMs.instanceFeature).toBeGreaterThan(0);
      const labelRgba = resizeRgba(photo, labelW, labelH);
      for (const [j, inst] of entry.meta.instances.entries()) {
        const mask = decodeMask(decompressRle(inst.rle));
        const crop = maskedInstanceCrop(labelRgba.data, { height: labelH, width: labelW }, mask);
        if (!crop) throw new Error('empty mask in the cache');
        expect([crop.width, crop.height]).toEqual([480, 480]);
        const own = await session.run(toNormalisedNchw({ data: crop.rgba, width: crop.width, height: crop.height }, session.manifest.inputSize, session.manifest.mean, session.manifest.std));
        expect(maxAbsDiff(entry.features[j], own.cls)).toBeLessThan(1e-5);
        expect(maxAbsDiff(entry.features[j], full.cls)).toBeGreaterThan(1e-4);
        const meanToken = instanceTokenFeature(full, mask, { height: labelH, width: labelW });
        expect(maxAbsDiff(plain.features[j], meanToken)).toBeLessThan(1e-5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    expect((await readPassConfig(cacheDir(clsDir)))?.instanceFeature).toBe('cls-crop');
  });

  it('refuses to resume or finalize a cache made with the other feature', async () => {
    await expect(runSegment(options(meanDir, { instanceFeature: 'cls-crop' }))).rejects.toThrow(/other settings/);
    await expect(runSegment(options(clsDir))).rejects.toThrow(/other settings/);
    // Entries copied from a cls-crop cache into a mean-tokens one are refused at finalize.
    const mixed = tempDir('feature-mixed');
    expect(await runSegment(options(mixed, { folder: photoFolder(names.slice(0, 1)) }))).toMatchObject({ processed: 1, complete: true });
    cpSync(path.join(cacheDir(clsDir), 'entries'), path.join(cacheDir(mixed), 'entries'), { recursive: true });
    await expect(runSegment(options(mixed, { folder: undefined, finalizeOnly: true }))).rejects.toThrow(/other settings/);
  });
});
