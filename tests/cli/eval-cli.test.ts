// `npm run eval`: ground truth given back as results scores AP = AR = 1, a panoptic export scored
// against itself gives PQ = 1, and the model mode runs segment + scoring on a small data folder.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect, it, vi } from 'vitest';
import { runEvalCli } from '../../src/cli/eval';
import { readInstancesDataset } from '../../src/core/coco/instances-reader';
import { compressRle } from '../../src/core/coco/rle';
import { describeWithData, sharedPath } from '../helpers/shared-data';
import { buildTinyModel, COCO_DEV_PHOTOS, removeTempDirs, tempDir } from '../batch/fixtures';

afterAll(removeTempDirs);

let stdout = '';
let stderr = '';

beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

interface EvalJson {
  rows: Record<string, string | number>[];
}

const row = (json: EvalJson, metric: string) => json.rows.find((r) => r.metric === metric);

/** coco-dev ground truth for a few photos, and its non-crowd annotations as a results list. */
function gtSubsetAndResults(dir: string): { gtPath: string; resultsPath: string } {
  const full = JSON.parse(readFileSync(sharedPath('coco-dev', 'instances.json'), 'utf8')) as { images: { id: number; file_name: string }[]; annotations: { image_id: number }[]; categories: unknown[] };
  const images = full.images.filter((im) => COCO_DEV_PHOTOS.includes(im.file_name));
  const ids = new Set(images.map((im) => im.id));
  const subset = { images, categories: full.categories, annotations: full.annotations.filter((a) => ids.has(a.image_id)) };
  const gtPath = path.join(dir, 'gt.json');
  writeFileSync(gtPath, JSON.stringify(subset));
  const { dataset, masks } = readInstancesDataset(JSON.stringify(subset));
  const results = dataset.annotations
    .map((a, i) => ({ a, rle: masks[i] }))
    .filter(({ a }) => a.iscrowd === 0)
    .map(({ a, rle }) => ({ image_id: a.image_id, category_id: a.category_id, segmentation: compressRle(rle), bbox: a.bbox, score: 1 }));
  const resultsPath = path.join(dir, 'results.json');
  writeFileSync(resultsPath, JSON.stringify(results));
  return { gtPath, resultsPath };
}

describeWithData('npm run eval on files', ['coco-dev', 'instances.json'], () => {
  it('scores ground truth converted to results at AP = AR = 100 %, class-agnostic and with its classes', async () => {
    const dir = tempDir('eval-files');
    const { gtPath, resultsPath } = gtSubsetAndResults(dir);
    const jsonPath = path.join(dir, 'eval.json');
    expect(await runEvalCli(['--pred', resultsPath, '--gt', gtPath, '--json', jsonPath])).toBe(0);
    const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as EvalJson;
    for (const m of ['AP class-agnostic', 'AP50 class-agnostic', 'AR100 class-agnostic', 'AP classes as given']) {
      expect(row(json, m), m).toMatchObject({ box: 100, mask: 100 });
    }
    expect(stdout).toMatch(/\| AP class-agnostic +\| +100\.0 \| +100\.0 \|/);
  });

  it('refuses mismatched flags with a reason', async () => {
    expect(await runEvalCli(['--pred', 'x.json'])).toBe(1);
    expect(stderr).toContain('--pred and --gt go together');
  });
});

describeWithData('npm run eval on panoptic folders', ['coco-panoptic-2', 'panoptic'], () => {
  it('scores a panoptic export against itself at PQ = 100 %', async () => {
    const p = sharedPath('coco-panoptic-2');
    expect(await runEvalCli(['--pred-panoptic', p, '--gt-panoptic', path.join(p, 'panoptic_examples.json')])).toBe(0);
    expect(stdout).toMatch(/\| PQ all +\| +100\.0 \| +100\.0 \| +100\.0 \| +8 \|/);
    expect(stdout).toMatch(/\| PQ things +\| +100\.0 /);
  });
});

describeWithData('npm run eval with a model', ['coco-dev', 'images'], () => {
  it('segments a data folder and writes the table with AP, mapped AP and PQ rows', async () => {
    const data = tempDir('eval-data');
    mkdirSync(path.join(data, 'images'));
    for (const n of COCO_DEV_PHOTOS.slice(0, 3)) symlinkSync(sharedPath('coco-dev', 'images', n), path.join(data, 'images', n));
    symlinkSync(sharedPath('coco-dev', 'instances.json'), path.join(data, 'instances.json'));
    const out = tempDir('eval-out');
    const model = await buildTinyModel();
    const code = await runEvalCli(['--model', model, '--data', data, '--refine', 'none', '--out', out, '--threads', '1', '--quiet']);
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalJson & { details: { images: number } };
    expect(json.details.images).toBe(3);
    const metrics = json.rows.map((r) => r.metric);
    expect(metrics).toEqual([
      'AP class-agnostic', 'AP50 class-agnostic', 'AR100 class-agnostic',
      'AP majority map', 'AP50 majority map', 'AP Hungarian map', 'AP50 Hungarian map',
      'PQ things, class-agnostic', 'PQ things, majority map', 'PQ things, Hungarian map',
    ]);
    for (const r of json.rows) for (const v of Object.values(r)) if (typeof v === 'number' && r.metric !== 'classes') expect(v).toBeGreaterThanOrEqual(0);
  });
});
