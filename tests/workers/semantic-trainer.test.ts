// The semantic worker's choice of STEGO trainer: the CPU where the page asks for WASM or no adapter
// is there, not a software adapter unless forced, and the CPU from the start when the GPU run
// fails, saying why each time; the CPU path trains exactly the TypeScript trainer's head.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gaussian, mulberry32 } from '../../src/core/random';
import { trainStego, type StegoProgress, type StegoTrainOptions } from '../../src/core/stego/train';
import { trainStegoHead, type StegoRunReport } from '../../workers/semantic-trainer';

const DIM = 12;
const normal = gaussian(mulberry32(9));
const tokens = Array.from({ length: 3 }, () => Float32Array.from({ length: 20 * DIM }, () => normal()));
const OPTIONS: Partial<StegoTrainOptions> = { steps: 6, reportEvery: 3, batchSize: 3, pointsPerImage: 5, projectionDim: 8, hiddenDim: 8, codeDim: 4, seed: 2 };

/** A navigator whose one adapter is `description`; its device cannot create a buffer (as if out of memory). */
function fakeGpu(description: string, isFallbackAdapter = false) {
  const device = {
    limits: { maxStorageBufferBindingSize: 2 ** 30, maxBufferSize: 2 ** 30, maxComputeWorkgroupsPerDimension: 65535, minUniformBufferOffsetAlignment: 256 },
    pushErrorScope: vi.fn(),
    popErrorScope: vi.fn(async () => null),
    createBuffer: vi.fn(() => {
      throw new Error('no memory left');
    }),
    destroy: vi.fn(),
  };
  const adapter = { info: { vendor: 'test', architecture: '', description, isFallbackAdapter }, limits: device.limits, requestDevice: async () => device };
  vi.stubGlobal('navigator', { gpu: { requestAdapter: async () => adapter } });
  vi.stubGlobal('GPUBufferUsage', { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 });
  return device;
}

async function run(preference: 'auto' | 'cpu' | 'webgpu') {
  const reports: { p: StegoProgress; run: StegoRunReport }[] = [];
  const out = await trainStegoHead(tokens, DIM, OPTIONS, preference, async (p, r) => {
    reports.push({ p, run: { ...r } });
    return true;
  });
  return { ...out, reports };
}

describe('the semantic worker’s STEGO trainer', () => {
  afterEach(() => vi.unstubAllGlobals());
  const expected = trainStego(tokens, DIM, OPTIONS);

  it('trains on the CPU where the page runs WASM, the same head as the TypeScript trainer', async () => {
    const gpu = fakeGpu('a real GPU');
    const r = await run('cpu');
    expect(r.run).toEqual({ backend: 'cpu', note: 'the page runs on WASM (?backend=wasm)' });
    expect(Array.from(r.model.params)).toEqual(Array.from(expected.params));
    expect(r.reports.map((x) => x.p.step)).toEqual([3, 6]);
    expect(gpu.createBuffer).not.toHaveBeenCalled();
  });

  it('trains on the CPU where the browser has no WebGPU', async () => {
    vi.stubGlobal('navigator', {});
    const r = await run('auto');
    expect(r.run).toEqual({ backend: 'cpu', note: 'this browser offers no WebGPU adapter' });
  });

  it('leaves a software adapter alone unless WebGPU is forced', async () => {
    const gpu = fakeGpu('SwiftShader', true);
    const r = await run('auto');
    expect(r.run.backend).toBe('cpu');
    expect(r.run.note).toMatch(/software one \(test SwiftShader \(fallback, CPU\)\)/);
    expect(gpu.createBuffer).not.toHaveBeenCalled();
    expect(gpu.destroy).toHaveBeenCalled();
  });

  it('falls back to the CPU from the start when the WebGPU run fails, with the reason, and frees the device', async () => {
    const gpu = fakeGpu('SwiftShader', true);
    const r = await run('webgpu');
    expect(gpu.createBuffer).toHaveBeenCalled();
    expect(r.run.backend).toBe('cpu');
    expect(r.run.note).toBe('WebGPU failed (WebGPU training setup failed: no memory left)');
    expect(r.reports.every((x) => x.run.backend === 'cpu')).toBe(true);
    expect(Array.from(r.model.params)).toEqual(Array.from(expected.params));
    expect(gpu.destroy).toHaveBeenCalled();
  });
});
