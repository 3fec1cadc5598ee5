// scripts/build-default-model.ts, which setup runs on a fresh machine: writes the default CNN
// backbone (method.md §1) and its manifest, and leaves them alone when the sha already matches.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDefaultModel } from '../../../scripts/build-default-model';
import { manifestProblems, type ModelManifest } from '../../../src/core/backbone/types';
import { sha256Hex } from '../../../src/model/model-files';

describe('build-default-model script', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'u2seg-default-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a valid model + manifest once, then skips', async () => {
    const first = await buildDefaultModel(dir);
    expect(first.written).toBe(true);
    const manifest = JSON.parse(readFileSync(first.manifestPath, 'utf8')) as ModelManifest;
    expect(manifestProblems(manifest)).toEqual([]);
    expect(manifest.architecture).toBe('cnn');
    expect(manifest.source).toMatch(/^npm:nsfwjs@\d+\.\d+\.\d+ \w+\/\w+$/);
    expect(sha256Hex(readFileSync(first.onnxPath))).toBe(manifest.sha256);
    // The default's passes share a stem, written beside the head with its own checksum.
    const stem = manifest.shiftAverage?.stem;
    expect(stem?.file).toBe(`${manifest.id}.stem.onnx`);
    expect(sha256Hex(readFileSync(path.join(dir, stem?.file ?? '')))).toBe(stem?.sha256);

    const mtime = statSync(first.onnxPath).mtimeMs;
    const second = await buildDefaultModel(dir);
    expect(second.written).toBe(false);
    expect(second.sha256).toBe(first.sha256);
    expect(statSync(first.onnxPath).mtimeMs).toBe(mtime);
  }, 60_000);
});
