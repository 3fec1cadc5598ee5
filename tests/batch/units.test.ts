// Pure parts of the batch side: shard slicing, image ids, the token sample phase 2 clusters on,
// ground-truth panoptic painting for PQ, argument parsing and the progress line.
import { describe, expect, it } from 'vitest';
import { strideSampleRows } from '../../src/batch/finalize';
import { parseShard, selectShard } from '../../src/batch/image-list';
import { assignImageIds, outputCategories, pngStem } from '../../src/batch/outputs';
import { gtPanopticFromInstances, relabelPrediction } from '../../src/batch/eval/panoptic-scores';
import { ProgressBar } from '../../src/batch/progress';
import { checkKnownFlags, parseArgs } from '../../src/cli/args';
import { encodeMask } from '../../src/core/coco/rle';
import { fitSessionClusters } from '../../src/core/pipeline/session-clusters';
import { gaussian, mulberry32 } from '../../src/core/random';

describe('shards', () => {
  it('parses i/n and refuses nonsense', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    for (const bad of ['4/4', '1', 'a/b', '-1/2', '0/0']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('covers every photo exactly once over all shards', () => {
    const items = Array.from({ length: 11 }, (_, i) => i);
    const all = [0, 1, 2].flatMap((index) => selectShard(items, { index, count: 3 }));
    expect(all.sort((a, b) => a - b)).toEqual(items);
    expect(selectShard(items, { index: 1, count: 3 })).toEqual([1, 4, 7, 10]);
  });
});

describe('output naming', () => {
  it('uses COCO file-name numbers as image ids when all photos have them, else 1..N', () => {
    expect(assignImageIds(['000000000790.jpg', 'a/000000005802.png'])).toEqual([790, 5802]);
    expect(assignImageIds(['000000000790.jpg', 'cat.jpg'])).toEqual([1, 2]);
    expect(assignImageIds(['1.jpg', 'x/1.png'])).toEqual([1, 2]);
  });

  it('flattens sub-folders into PNG stems and numbers stuff after the things', () => {
    expect(pngStem('a/b/c.photo.jpg')).toBe('a__b__c.photo');
    const cats = outputCategories(3, 2);
    expect(cats.all.map((c) => [c.id, c.name, c.isthing])).toEqual([[1, 'thing 1', 1], [2, 'thing 2', 1], [3, 'thing 3', 1], [4, 'stuff 1', 0], [5, 'stuff 2', 0]]);
    expect(outputCategories(0, 1).all).toEqual([{ id: 2, name: 'stuff 1', supercategory: 'stuff', isthing: 0 }]);
  });
});

describe('phase 2 token sample', () => {
  it('gives fitSessionClusters exactly the rows it would sample itself', () => {
    const rnd = gaussian(mulberry32(3));
    const dim = 8;
    const sets = [900, 250, 401].map((n) => Float32Array.from({ length: n * dim }, () => rnd()));
    const feats = Array.from({ length: 12 }, () => Float32Array.from({ length: dim }, () => rnd()));
    const opts = { thingK: 3, stuffK: 5, seed: 4, tokensPerImage: 400 };
    const full = fitSessionClusters(feats, sets, dim, opts);
    const sampled = fitSessionClusters(feats, sets.map((s) => strideSampleRows(s, dim, 400)), dim, opts);
    expect(sampled.stuffCentroids).toEqual(full.stuffCentroids);
    expect(sampled.thingCentroids).toEqual(full.thingCentroids);
  });
});

describe('ground-truth panoptic from instances', () => {
  const H = 4, W = 6;
  const mask = (rows: string[]) => encodeMask(Uint8Array.from(rows.join('').split('').map(Number)), H, W);
  const big = mask(['111111', '111111', '111111', '000000']);
  const mid = mask(['000000', '011000', '011000', '000000']);
  const tinyA = mask(['000000', '011000', '000000', '000000']);
  const tinyB = mask(['000000', '000000', '011000', '000000']);

  it('paints the largest first so smaller objects stay on top, drops segments left without pixels, keeps crowd', () => {
    const pan = gtPanopticFromInstances(
      [{ rle: tinyA, categoryId: 9, iscrowd: 0 }, { rle: mid, categoryId: 5, iscrowd: 0 }, { rle: big, categoryId: 7, iscrowd: 1 }, { rle: tinyB, categoryId: 11, iscrowd: 0 }],
      H, W, (c) => c,
    );
    // Order: big (1), mid (2), then the two 2-pixel masks in file order (3, 4), which cover mid entirely.
    expect(Array.from(pan.idsRowMajor.subarray(6, 18))).toEqual([1, 3, 3, 1, 1, 1, 1, 4, 4, 1, 1, 1]);
    expect(pan.segmentsInfo).toEqual([
      { id: 1, category_id: 7, iscrowd: 1, area: 14 },
      { id: 3, category_id: 9, iscrowd: 0, area: 2 },
      { id: 4, category_id: 11, iscrowd: 0, area: 2 },
    ]);
  });

  it('turns relabelled −1 segments into void on both sides', () => {
    const gt = gtPanopticFromInstances([{ rle: big, categoryId: 7, iscrowd: 0 }], H, W, () => -1);
    expect(gt.segmentsInfo).toEqual([]);
    expect(gt.idsRowMajor.every((v) => v === 0)).toBe(true);
    const ids = Uint32Array.from({ length: H * W }, (_, i) => (i < 12 ? 3 : 4));
    const pred = relabelPrediction({ idsRowMajor: ids, height: H, width: W }, [
      { id: 3, category_id: 1, area: 12, bbox: [0, 0, 6, 2], iscrowd: 0 },
      { id: 4, category_id: 40, area: 12, bbox: [0, 2, 6, 2], iscrowd: 0 },
    ], (c) => (c === 1 ? 1 : -1));
    expect(pred.segmentsInfo).toEqual([{ id: 3, category_id: 1, iscrowd: 0 }]);
    expect(Array.from(pred.idsRowMajor.subarray(10, 14))).toEqual([3, 3, 0, 0]);
  });
});

describe('command-line helpers', () => {
  it('parses values, = forms and switches, and refuses unknown flags', () => {
    const p = parseArgs(['imgs', '--out', 'o', '--shard=1/2', '--finalize'], ['finalize']);
    expect(p.positional).toEqual(['imgs']);
    expect(Object.fromEntries(p.flags)).toEqual({ out: 'o', shard: '1/2' });
    expect([...p.switches]).toEqual(['finalize']);
    expect(() => checkKnownFlags(parseArgs(['--ouf', 'x']), ['out'])).toThrow(/unknown option: --ouf/);
    expect(() => parseArgs(['--out'])).toThrow(/--out needs a value/);
  });

  it('shows done/total, failures and per-stage means', () => {
    const lines: string[] = [];
    const bar = new ProgressBar(3, { write: (s: string) => lines.push(s) });
    bar.tick({ decode: 10, backbone: 30 });
    bar.tick();
    expect(bar.line()).toMatch(/\[#{16}\.{8}\] 2\/3 \(1 failed\) elapsed \d+s ETA \d+s \| ms\/img decode 10 backbone 30/);
    bar.tick({ decode: 20, backbone: 10 });
    bar.finish();
    expect(lines.at(-1)).toMatch(/3\/3 .* ETA 0s \| ms\/img decode 15 backbone 20/);
  });
});
