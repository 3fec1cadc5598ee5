// STEGO's head in a batch run (method.md §4) on photos the test draws: trained in phase 2 from
// STEGO_MIN_PHOTOS photos on, its clusters in code space, the head written beside the outputs.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSegment, SEGMENT_DEFAULTS, type SegmentOptions } from '../../src/batch/segment';
import { stegoHeadLayout } from '../../src/core/stego/head';
import { STEGO_MIN_PHOTOS } from '../../src/core/stego/train';
import { writeSyntheticPhotos } from '../helpers/synthetic-photos';
import { buildTinyModel, removeTempDirs, tempDir } from './fixtures';

afterAll(removeTempDirs);

interface ClustersJson {
  stuffK: number;
  stuffDim: number;
  tokenDim: number;
  stuffCentroids: number[][];
  semantic: { method: string; steps?: number; photos?: number };
}

const read = <T>(dir: string, file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T;

describe('batch run: STEGO semantic head', () => {
  let model: string, photos: string;
  const options = (outDir: string, extra: Partial<SegmentOptions> = {}): SegmentOptions => ({
    ...SEGMENT_DEFAULTS, folder: photos, outDir, model, refine: 'none', threads: 1, progress: null, stuffK: 6, stegoSteps: 20, ...extra,
  });

  beforeAll(async () => {
    model = await buildTinyModel();
    photos = tempDir('synthetic');
    writeSyntheticPhotos(photos, STEGO_MIN_PHOTOS);
  });

  it('trains the head by default once the folder has enough photos, and writes it', async () => {
    const out = tempDir('stego');
    await runSegment(options(out));
    const clusters = read<ClustersJson>(out, 'clusters.json');
    expect(clusters.semantic).toMatchObject({ method: 'stego', steps: 20, photos: STEGO_MIN_PHOTOS });
    expect(clusters.stuffDim).toBe(70);
    expect(clusters.stuffCentroids[0]).toHaveLength(70);
    const head = read<{ shape: { inDim: number; hiddenDim: number; codeDim: number }; params: number[]; projection: { tokenDim: number; basis: number[] } }>(out, 'semantic-head.json');
    expect(head.params).toHaveLength(stegoHeadLayout(head.shape).paramCount);
    expect(head.projection.basis).toHaveLength(head.shape.inDim * clusters.tokenDim);
    // The same seed trains the same head: a rerun elsewhere gives identical clusters.
    const again = tempDir('stego-again');
    await runSegment(options(again));
    expect(read<ClustersJson>(again, 'clusters.json').stuffCentroids).toEqual(clusters.stuffCentroids);
    // With --jobs 2 the steps' second shard runs on a helper thread (stego-threads.ts): the same head and clusters.
    const threaded = tempDir('stego-jobs-2');
    let log = '';
    await runSegment(options(threaded, { jobs: 2, progress: { write: (t: string) => (log += t) } }));
    expect(log).toMatch(/training STEGO's head on \d+ photos \(20 steps, 2 threads\)/);
    expect(log).not.toMatch(/training again on one thread/);
    expect(readFileSync(path.join(threaded, 'semantic-head.json'), 'utf8')).toBe(readFileSync(path.join(out, 'semantic-head.json'), 'utf8'));
    expect(read<ClustersJson>(threaded, 'clusters.json')).toEqual(clusters);
  }, 180_000);

  it('keeps k-means when asked, or when the folder is smaller than the line', async () => {
    const kmeans = tempDir('kmeans');
    await runSegment(options(kmeans, { semantic: 'kmeans' }));
    expect(read<ClustersJson>(kmeans, 'clusters.json').semantic).toEqual({ method: 'kmeans' });
    expect(existsSync(path.join(kmeans, 'semantic-head.json'))).toBe(false);
    const few = tempDir('few');
    await runSegment(options(few, { limit: STEGO_MIN_PHOTOS - 1 }));
    const c = read<ClustersJson>(few, 'clusters.json');
    expect(c.semantic.method).toBe('kmeans');
    expect(c.stuffDim).toBe(c.tokenDim);
  }, 120_000);
});
