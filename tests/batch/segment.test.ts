// The batch pipeline end to end on four generated photos with the tiny ViT (refine 'none' for speed):
// outputs, read-back at the photos' sizes, panoptic consistency, resume, shards + finalize, bad photos.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir } from '../../src/batch/cache';
import { runSegment, SEGMENT_DEFAULTS, type SegmentOptions } from '../../src/batch/segment';
import { readInstancesDataset, readInstancesResults } from '../../src/core/coco/instances-reader';
import { readPanopticFiles } from '../../src/core/coco/panoptic';
import { pngToLabelMap } from '../../src/core/coco/semantic-png';
import { buildTinyModel, corruptJpeg, PHOTO_IDS, PHOTOS, photoFolder, photoSizeHW, removeTempDirs, tempDir } from './fixtures';

afterAll(removeTempDirs);

describe('npm run segment (batch pipeline)', () => {
  let model: string;
  let photos: string;
  let single: string;
  const options = (outDir: string, extra: Partial<SegmentOptions> = {}): SegmentOptions => ({
    ...SEGMENT_DEFAULTS, folder: photos, outDir, model, refine: 'none', threads: 1, progress: null, ...extra,
  });

  beforeAll(async () => {
    model = await buildTinyModel();
    photos = photoFolder(PHOTOS);
    single = tempDir('segment-single');
    const summary = await runSegment(options(single));
    expect(summary).toMatchObject({ listed: 4, processed: 4, skipped: 0, complete: true });
  });

  it('writes every output file', () => {
    for (const f of ['instances.json', 'instances_results.json', 'clusters.json', 'annotations/panoptic_pseudo.json']) {
      expect(existsSync(path.join(single, f)), f).toBe(true);
    }
    const stems = PHOTOS.map((n) => n.replace('.jpg', '.png')).sort();
    expect(readdirSync(path.join(single, 'annotations/panoptic_pseudo')).sort()).toEqual(stems);
    expect(readdirSync(path.join(single, 'semantic')).sort()).toEqual(stems);
  });

  it('writes instances that read back at each photo\'s own size, with scores and thing categories', () => {
    const { dataset, masks } = readInstancesDataset(readFileSync(path.join(single, 'instances.json')));
    expect(dataset.images.map((im) => im.id)).toEqual(PHOTO_IDS);
    expect(dataset.categories.map((c) => c.name)).toEqual(dataset.categories.map((_, k) => `thing ${k + 1}`));
    expect(dataset.annotations.length).toBeGreaterThan(0);
    const byId = new Map(dataset.images.map((im) => [im.id, im]));
    dataset.annotations.forEach((a, i) => {
      const image = byId.get(a.image_id);
      expect(masks[i].size).toEqual(photoSizeHW(image?.file_name ?? ''));
      expect((a as unknown as { score: number }).score).toBeGreaterThan(0);
    });
    const results = readInstancesResults(readFileSync(path.join(single, 'instances_results.json')), dataset.images, dataset.categories);
    expect(results.results.length).toBe(dataset.annotations.length);
  });

  it('writes panoptic labels that pass the consistency checker, and semantic maps at photo size', () => {
    const files: Record<string, Uint8Array> = { 'annotations/panoptic_pseudo.json': readFileSync(path.join(single, 'annotations/panoptic_pseudo.json')) };
    for (const f of readdirSync(path.join(single, 'annotations/panoptic_pseudo'))) {
      files[`annotations/panoptic_pseudo/${f}`] = readFileSync(path.join(single, 'annotations/panoptic_pseudo', f));
    }
    const parsed = readPanopticFiles(files, 'panoptic_pseudo');
    expect(parsed.dataset.annotations.length).toBe(4);
    const clusters = JSON.parse(readFileSync(path.join(single, 'clusters.json'), 'utf8')) as { thingK: number; stuffK: number; seed: number; model: { id: string }; stuffCentroids: number[][] };
    expect(clusters).toMatchObject({ stuffK: 27, seed: 0, model: { id: 'tiny-vit' } });
    expect(clusters.stuffCentroids.length).toBe(27);
    expect(parsed.dataset.categories.length).toBe(clusters.thingK + 27);
    for (const n of PHOTOS) {
      const sem = pngToLabelMap(readFileSync(path.join(single, 'semantic', n.replace('.jpg', '.png'))));
      expect([sem.height, sem.width]).toEqual(photoSizeHW(n));
      const lowest = Array.from(sem.labelsRowMajor).reduce((m, v) => Math.min(m, v), Infinity);
      expect(lowest).toBeGreaterThan(Math.max(clusters.thingK, 1)); // stuff ids follow the things; no void
    }
  });

  it('resumes: a second run decodes nothing and leaves the cache untouched', async () => {
    const entries = path.join(cacheDir(single), 'entries');
    const before = readdirSync(entries).map((f) => statSync(path.join(entries, f)).mtimeMs);
    const summary = await runSegment(options(single));
    expect(summary).toMatchObject({ processed: 0, skipped: 4, complete: true, finalized: { reused: true, images: 4 } });
    expect(readdirSync(entries).map((f) => statSync(path.join(entries, f)).mtimeMs)).toEqual(before);
  });

  it('resumes after an interruption: a photo whose entry was never completed is redone', async () => {
    const out = tempDir('segment-interrupted');
    await runSegment(options(out, { limit: 2 }));
    const entries = path.join(cacheDir(out), 'entries');
    const json = readdirSync(entries).filter((f) => f.endsWith('.json')).sort()[1];
    // As if killed between the .bin and the .json rename, with a temp file left behind.
    rmSync(path.join(entries, json));
    writeFileSync(path.join(entries, `${json}.tmp-1-dead`), '{"trunc');
    const summary = await runSegment(options(out, { limit: 2 }));
    expect(summary).toMatchObject({ processed: 1, skipped: 1, complete: true });
    expect(summary.finalized?.images).toBe(2);
  });

  it('refuses to reuse a cache made with other settings', async () => {
    await expect(runSegment(options(single, { refine: 'guided' }))).rejects.toThrow(/other settings/);
  });

  it('gives the same clusters from two shards merged and finalized as from one run', async () => {
    const [a, b] = [tempDir('shard-a'), tempDir('shard-b')];
    const first = await runSegment(options(a, { shard: { index: 0, count: 2 } }));
    const second = await runSegment(options(b, { shard: { index: 1, count: 2 } }));
    expect([first.processed, second.processed, first.complete, second.complete]).toEqual([2, 2, false, false]);
    expect(existsSync(path.join(a, 'instances.json'))).toBe(false);
    cpSync(path.join(cacheDir(b), 'entries'), path.join(cacheDir(a), 'entries'), { recursive: true });
    const merged = await runSegment(options(a, { folder: undefined, finalizeOnly: true }));
    expect(merged.finalized?.images).toBe(4);
    const clusters = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'clusters.json'), 'utf8')) as unknown;
    expect(clusters(a)).toEqual(clusters(single));
    const annotations = (dir: string) => (JSON.parse(readFileSync(path.join(dir, 'instances.json'), 'utf8')) as { annotations: unknown[] }).annotations;
    expect(annotations(a)).toEqual(annotations(single));
  });

  it('writes the same cache entries and outputs one photo at a time as with two photos at once on worker threads (CRF on)', async () => {
    const [one, two] = [tempDir('segment-jobs-1'), tempDir('segment-jobs-2')];
    await runSegment(options(one, { jobs: 1, refine: 'crf' }));
    await runSegment(options(two, { jobs: 2, refine: 'crf' }));
    const entries = (dir: string) => readdirSync(path.join(cacheDir(dir), 'entries')).sort();
    expect(entries(two)).toEqual(entries(one));
    expect(entries(one)).toHaveLength(2 * PHOTOS.length);
    for (const f of entries(one)) {
      const [a, b] = [one, two].map((dir) => readFileSync(path.join(cacheDir(dir), 'entries', f)));
      if (f.endsWith('.bin')) expect(Buffer.compare(a, b), f).toBe(0);
      else {
        const { timingsMs: _a, ...metaA } = JSON.parse(a.toString('utf8')) as Record<string, unknown>;
        const { timingsMs: _b, ...metaB } = JSON.parse(b.toString('utf8')) as Record<string, unknown>;
        expect(metaB, f).toEqual(metaA);
      }
    }
    // Phase 2 labelled the photos on two threads too (labels-pool.ts): the same files, byte for byte,
    // apart from the creation date in the JSON headers.
    const files = (dir: string) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.parentPath.includes('cache')).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
    expect(files(two)).toEqual(files(one));
    expect(files(one).filter((f) => f.endsWith('.png')).length).toBeGreaterThanOrEqual(2 * PHOTOS.length);
    const undated = (text: string) => text.replace(/"date_created":\s*"[^"]*"/g, '');
    for (const f of files(one)) {
      const [a, b] = [one, two].map((dir) => readFileSync(path.join(dir, f)));
      if (f.endsWith('.json')) expect(undated(b.toString('utf8')), f).toBe(undated(a.toString('utf8')));
      else expect(Buffer.compare(a, b), f).toBe(0);
    }
  });

  it('reports a corrupt photo, skips it, and writes the rest at full size when max-side shrinks the labels', async () => {
    const folder = photoFolder(PHOTOS.slice(0, 2), { 'sub/broken.jpg': corruptJpeg() });
    const out = tempDir('segment-corrupt');
    let stderr = '';
    const summary = await runSegment({ ...options(out), folder, maxSidePx: 160, progress: { write: (s: string) => (stderr += s) } });
    expect(summary.failed.map((f) => f.key)).toEqual(['sub/broken.jpg']);
    expect(stderr).toMatch(/skipped sub\/broken\.jpg: .*could not be decoded/);
    expect(summary.complete).toBe(true);
    const { dataset, masks } = readInstancesDataset(readFileSync(path.join(out, 'instances.json')));
    expect(dataset.images.map((im) => [im.file_name, im.height, im.width])).toEqual(
      PHOTOS.slice(0, 2).map((n) => [n, ...photoSizeHW(n)]),
    );
    const sizeOf = new Map(dataset.images.map((im) => [im.id, [im.height, im.width]]));
    dataset.annotations.forEach((a, i) => expect(masks[i].size).toEqual(sizeOf.get(a.image_id)));
  });
});
