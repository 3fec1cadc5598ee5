// Tests `npm run model` end to end through runModelCli: build from the PyTorch fixture, validate
// the result (and a tampered manifest), list, and fail clearly when a download is impossible.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runModelCli } from '../../src/cli/model';
import { buildDefaultModel } from '../../scripts/build-default-model';
import type { ModelManifest } from '../../src/core/backbone/types';
import { FIXTURES } from './dino-fixtures';

const out = mkdtempSync(path.join(tmpdir(), 'u2seg-model-cli-'));
let stderr = '';
let stdout = '';

beforeEach(() => {
  stderr = '';
  stdout = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
});

afterAll(() => {
  vi.restoreAllMocks();
  rmSync(out, { recursive: true, force: true });
});

describe('npm run model', () => {
  const onnxPath = path.join(out, 'tiny-96.onnx');

  it('builds an ONNX backbone and manifest from a .pth', async () => {
    const pth = path.join(FIXTURES, 'tiny_dino.pth');
    const code = await runModelCli(['build', '--from', pth, '--size', '96', '--heads', '4', '--id', 'tiny-96', '--out', out]);
    expect(stderr).toContain('ViT-d48/8: depth 2, 4 heads, pos_embed 28² → 12²');
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(onnxPath);
    const manifest = JSON.parse(readFileSync(path.join(out, 'tiny-96.json'), 'utf8'));
    expect(manifest).toMatchObject({ id: 'tiny-96', file: 'tiny-96.onnx', inputSize: 96, source: 'tiny_dino.pth' });
  });

  it('validates the built model and its manifest', async () => {
    expect(await runModelCli(['validate', onnxPath])).toBe(0);
    expect(stdout).toContain("input 'image' 96 px, grid 12×12, keys 48, tokens 48, cls 48");
  });

  it('reports a manifest whose sha256 does not match', async () => {
    const jsonPath = path.join(out, 'tiny-96.json');
    const manifest = JSON.parse(readFileSync(jsonPath, 'utf8'));
    writeFileSync(jsonPath, JSON.stringify({ ...manifest, sha256: '00' }));
    expect(await runModelCli(['validate', onnxPath])).toBe(1);
    expect(stderr).toMatch(/sha256 00 does not match/);
    writeFileSync(jsonPath, JSON.stringify(manifest));
  });

  it('validates a head with its shared stem (the shipped default) and reports a damaged stem', async () => {
    const { onnxPath: head, manifestPath } = await buildDefaultModel(out);
    expect(await runModelCli(['validate', head])).toBe(0);
    expect(stdout).toContain("input 'image' 347 px, grid 20×20, keys 768");
    const stem = path.join(out, (JSON.parse(readFileSync(manifestPath, 'utf8')) as ModelManifest).shiftAverage?.stem?.file ?? '');
    const bytes = readFileSync(stem);
    writeFileSync(stem, bytes.subarray(0, 1000));
    expect(await runModelCli(['validate', head])).toBe(1);
    expect(stderr).toMatch(/sha256 of .*\.stem\.onnx does not match/);
    writeFileSync(stem, bytes);
  }, 60_000);

  it('lists models and the official checkpoints', async () => {
    writeFileSync(path.join(out, 'index.json'), JSON.stringify({ default: 'tiny-96', models: [] }));
    expect(await runModelCli(['list', '--dir', out])).toBe(0);
    expect(stdout).toContain('tiny-96');
    // The default built above: head and stem counted together; the index is not a model.
    expect(stdout).toMatch(/cnn-inception-v3-mixed7-347\.onnx \(\d+\.\d MB with its stem\)/);
    expect(stdout).not.toContain('index.json');
    expect(stdout).toContain('dino-vits8  ViT-S/8  https://dl.fbaipublicfiles.com/dino/');
  });

  it('fails clearly on a non-checkpoint, a missing file and an unreachable URL', async () => {
    const junk = path.join(out, 'junk.pth');
    writeFileSync(junk, 'hello');
    expect(await runModelCli(['build', '--from', junk, '--out', out])).toBe(1);
    expect(stderr).toMatch(/error: not a PyTorch checkpoint: neither a zip archive nor a pickle stream/);
    expect(await runModelCli(['build', '--from', path.join(out, 'nope.pth')])).toBe(1);
    expect(stderr).toMatch(/error: no such file/);
    expect(await runModelCli(['build', '--from', 'http://127.0.0.1:9/none.pth'])).toBe(1);
    expect(stderr).toMatch(/error: cannot download http:\/\/127.0.0.1:9\/none.pth: .*offline\?/);
    expect(await runModelCli(['frobnicate'])).toBe(2);
    expect(stderr).toContain('usage:');
  });
});
