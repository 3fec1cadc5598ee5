// `npm run eval`: ground truth given back as results scores AP = AR = 1, a panoptic export scored
// against itself gives PQ = 1, and the model mode runs segment + scoring on a small data folder.
// Every input is generated (photos, their drawn ground truth, a panoptic export of it).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runEvalCli } from '../../src/cli/eval';
import { readInstancesDataset } from '../../src/core/coco/instances-reader';
import { writePanoptic } from '../../src/core/coco/panoptic';
import { compressRle } from '../../src/core/coco/rle';
import { objectAt, SYNTHETIC_CATEGORIES, syntheticGroundTruth } from '../helpers/synthetic-photos';
import { buildTinyModel, photo, PHOTO_IDS, PHOTOS, removeTempDirs, tempDir } from '../batch/fixtures';

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

/** The generated photos' ground truth with their file-name ids, as a data folder's instances.json. */
function groundTruth(names: readonly string[]): ReturnType<typeof syntheticGroundTruth> {
  const gt = syntheticGroundTruth(names.map(photo));
  const idOf = new Map(gt.images.map((im) => [im.id, PHOTO_IDS[PHOTOS.indexOf(im.file_name)]]));
  gt.images.forEach((im) => (im.id = idOf.get(im.id) ?? im.id));
  gt.annotations.forEach((a) => (a.image_id = idOf.get(a.image_id) ?? a.image_id));
  return gt;
}

/** Ground truth of the generated photos, and its annotations as a results list. */
function gtSubsetAndResults(dir: string): { gtPath: string; resultsPath: string } {
  const subset = groundTruth(PHOTOS);
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

/**
 * A panoptic folder painted from the drawings: each object a thing segment of its colour's
 * category, the rest one "background" stuff segment (panoptic_gt.json + panoptic_gt/*.png).
 */
function panopticFolder(): string {
  const dir = tempDir('eval-panoptic');
  const categories = [...SYNTHETIC_CATEGORIES.map((name, i) => ({ id: i + 1, name, isthing: 1 })), { id: 99, name: 'background', isthing: 0 }];
  const perImage = PHOTOS.map((name, i) => {
    const p = photo(name);
    const idsRowMajor = new Uint32Array(p.width * p.height);
    for (let y = 0; y < p.height; y++) for (let x = 0; x < p.width; x++) idsRowMajor[y * p.width + x] = objectAt(p, x, y) + 2;
    const present = new Set(idsRowMajor);
    const segments = [...present].map((id) => ({ id, category_id: id === 1 ? 99 : p.objects[id - 2].colourIndex + 1 }));
    return { image: { id: PHOTO_IDS[i], file_name: name, width: p.width, height: p.height }, idMap: { idsRowMajor, height: p.height, width: p.width }, segments };
  });
  for (const [file, bytes] of Object.entries(writePanoptic('panoptic_gt', perImage, categories))) {
    const at = path.join(dir, file.replace(/^annotations\//, ''));
    mkdirSync(path.dirname(at), { recursive: true });
    writeFileSync(at, bytes);
  }
  return dir;
}

describe('npm run eval on files', () => {
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

describe('npm run eval on panoptic folders', () => {
  it('scores a panoptic export against itself at PQ = 100 %', async () => {
    const p = panopticFolder();
    expect(await runEvalCli(['--pred-panoptic', p, '--gt-panoptic', path.join(p, 'panoptic_gt.json')])).toBe(0);
    expect(stdout).toMatch(/\| PQ all +\| +100\.0 \| +100\.0 \| +100\.0 \| +\d+ \|/);
    expect(stdout).toMatch(/\| PQ things +\| +100\.0 /);
  });
});

describe('npm run eval with a model', () => {
  it('segments a data folder and writes the table with AP, mapped AP and PQ rows', async () => {
    const data = tempDir('eval-data');
    mkdirSync(path.join(data, 'images'));
    for (const n of PHOTOS.slice(0, 3)) writeFileSync(path.join(data, 'images', n), photo(n).jpeg);
    writeFileSync(path.join(data, 'instances.json'), JSON.stringify(groundTruth(PHOTOS.slice(0, 3))));
    const out = tempDir('eval-out');
    const model = await buildTinyModel();
    const code = await runEvalCli(['--model', model, '--data', data, '--refine', 'none', '--out', out, '--threads', '1', '--quiet', '--proposals', 'reference']);
    expect(stderr).not.toContain('error');
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8')) as EvalJson & { details: { images: number } };
    expect(json.details.images).toBe(3);
    const metrics = json.rows.map((r) => r.metric);
    expect(metrics).toEqual(METRICS);
    for (const r of json.rows) for (const v of Object.values(r)) if (typeof v === 'number' && r.metric !== 'classes') expect(v).toBeGreaterThanOrEqual(0);
  });

  it('runs both proposal stages by default and writes one table with a row per stage and metric', async () => {
    const data = tempDir('eval-data');
    mkdirSync(path.join(data, 'images'));
    for (const n of PHOTOS.slice(0, 2)) writeFileSync(path.join(data, 'images', n), photo(n).jpeg);
    writeFileSync(path.join(data, 'instances.json'), JSON.stringify(groundTruth(PHOTOS.slice(0, 2))));
    const out = tempDir('eval-out');
    const model = await buildTinyModel();
    const code = await runEvalCli(['--model', model, '--data', data, '--refine', 'none', '--out', out, '--threads', '1', '--quiet']);
    expect(code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'eval-reference-multi.json'), 'utf8')) as EvalJson;
    const stage = (name: string) => json.rows.filter((r) => r.proposals === name);
    expect(stage('reference').map((r) => r.metric)).toEqual(METRICS);
    expect(stage('multi').map((r) => r.metric)).toEqual(METRICS);
    const perPhoto = (name: string) => Number(stage(name)[0]['per photo']);
    // MaskCut keeps at most N = 3 masks a photo; the multi-view stage is not bound by it.
    expect(perPhoto('reference')).toBeLessThanOrEqual(3);
    expect(perPhoto('multi')).toBeGreaterThan(0);
  });
});

const METRICS = [
  'masks per photo', 'AP class-agnostic', 'AP50 class-agnostic', 'AR100 class-agnostic',
  'AP majority map', 'AP50 majority map', 'AP Hungarian map', 'AP50 Hungarian map',
  'PQ things, class-agnostic', 'PQ things, majority map', 'PQ things, Hungarian map',
];
