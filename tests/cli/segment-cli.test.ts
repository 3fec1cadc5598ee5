// `npm run segment` through its CLI entry: usage errors exit 2, fatal errors 1, a run with a bad
// photo in the folder exits 0 after reporting it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSegmentCli } from '../../src/cli/segment';
import { buildTinyModel, corruptJpeg, PHOTOS, photoFolder, removeTempDirs, tempDir } from '../batch/fixtures';
import { declaredPng } from '../helpers/declared-png';

afterAll(removeTempDirs);

let stderr = '';

beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('npm run segment: arguments', () => {
  it('exits 2 with the usage on bad arguments', async () => {
    expect(await runSegmentCli(['photos'])).toBe(2);
    expect(stderr).toContain('--out <folder> is required');
    expect(await runSegmentCli(['photos', '--out', 'x', '--shard', '2/2'])).toBe(2);
    expect(stderr).toContain('--shard must be i/n');
    expect(await runSegmentCli(['photos', '--out', 'x', '--refine', 'bilateral'])).toBe(2);
    expect(await runSegmentCli(['photos', '--out', 'x', '--thingk', '3'])).toBe(2);
    expect(stderr).toContain('unknown option: --thingk');
  });

  it('exits 1 on a fatal error', async () => {
    expect(await runSegmentCli([path.join(tempDir('empty'), 'missing'), '--out', tempDir('out')])).toBe(1);
    expect(stderr).toMatch(/error: .*ENOENT|no such file/);
  });
});

describe('npm run segment: a run', () => {
  let model: string;
  beforeAll(async () => {
    model = await buildTinyModel();
  });

  it('reports a corrupt photo and still exits 0 with all outputs', async () => {
    const folder = photoFolder(PHOTOS.slice(2), { 'broken.jpg': corruptJpeg() });
    const out = tempDir('cli-out');
    const code = await runSegmentCli([folder, '--out', out, '--model', model, '--refine', 'none', '--threads', '1', '--thing-k', '2']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/skipped broken\.jpg: .*could not be decoded/);
    expect(stderr).toContain('phase 1: 2 processed, 0 already cached, 1 failed of 3');
    expect(stderr).toContain('phase 2: 2 photos');
    expect(stderr).toMatch(/2 thing \+ 27 stuff clusters/);
    for (const f of ['instances.json', 'instances_results.json', 'clusters.json', 'annotations/panoptic_pseudo.json']) expect(existsSync(path.join(out, f))).toBe(true);
  });

  it('refuses a PNG declaring 30000×30000 px at once, naming its size, and goes on with the rest', async () => {
    const folder = photoFolder(PHOTOS.slice(0, 2), { 'huge.png': declaredPng(30000, 30000) });
    const out = tempDir('cli-huge');
    const started = performance.now();
    const code = await runSegmentCli([folder, '--out', out, '--model', model, '--refine', 'none', '--threads', '1', '--thing-k', '2']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/skipped huge\.png: .*30000×30000 px \(900 megapixels\), over the 100 megapixels/);
    expect(stderr).toContain('phase 1: 2 processed, 0 already cached, 1 failed of 3');
    expect(performance.now() - started).toBeLessThan(30_000);
  });
});
