// The dense CRF's WebAssembly engine (method.md §2 step 7, §4) against its TypeScript fallback:
// same labels, close marginals, batches equal to single runs, and the build of the module from
// its AssemblyScript sources. (Parity with the C++ reference is in
// dense-crf-parity.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest';
import { argmaxRows } from '../../../src/core/adapt/predict';
import { DenseCrf, denseCrfWasmModule, MASKCUT_CRF_PARAMS, setDenseCrfWasm, STEGO_CRF_PARAMS } from '../../../src/core/pipeline/dense-crf';
import { MaskRefiner } from '../../../src/core/pipeline/refine';
import { denseCrfWasmIsCurrent, loadDenseCrfWasm } from '../../../src/runtime/dense-crf-wasm-node';
import { generatedPhoto, smoothProbs } from '../../helpers/crf-inputs';

beforeAll(async () => {
  expect(await loadDenseCrfWasm({ log: (s) => console.log(s) })).toBe('wasm');
}, 300_000);

describe('the WebAssembly module', () => {
  it('is built from the current sources and registered', () => {
    expect(denseCrfWasmIsCurrent()).toBe(true);
    expect(denseCrfWasmModule()).not.toBeNull();
    expect(new DenseCrf(new Uint8Array(16), 2, 2).backend).toBe('wasm');
  });

  it('backend "wasm" without a module is an error, "auto" falls back to TypeScript', () => {
    const module = denseCrfWasmModule();
    setDenseCrfWasm(null);
    try {
      expect(() => new DenseCrf(new Uint8Array(16), 2, 2, MASKCUT_CRF_PARAMS, { backend: 'wasm' })).toThrow(/no WebAssembly module/);
      expect(new DenseCrf(new Uint8Array(16), 2, 2).backend).toBe('ts');
    } finally {
      setDenseCrfWasm(module);
    }
  });

  it('rejects a module without the kernels', () => {
    const empty = new WebAssembly.Module(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0));
    expect(() => setDenseCrfWasm(empty)).toThrow(/lacks memory, alloc/);
  });
});

describe('WebAssembly engine = TypeScript engine', () => {
  for (const [w, h, seed] of [[97, 61, 21], [64, 48, 22]]) {
    it(`binary masks, ${w}×${h}: same labels, and a batch gives each mask its own result`, () => {
      const photo = generatedPhoto(w, h, seed);
      const wasm = new DenseCrf(photo.rgba, w, h, MASKCUT_CRF_PARAMS, { backend: 'wasm' });
      const ts = new DenseCrf(photo.rgba, w, h, MASKCUT_CRF_PARAMS, { backend: 'ts' });
      const batch = wasm.refineBinaryMasks(photo.masks);
      photo.masks.forEach((mask, i) => {
        const alone = wasm.refineBinaryMask(mask);
        expect(Array.from(batch[i])).toEqual(Array.from(alone));
        expect(Array.from(alone)).toEqual(Array.from(ts.refineBinaryMask(mask)));
      });
      // Each mask in a batch of five (two SIMD passes of 8 and 4 channels) keeps its own result.
      const five = wasm.refineBinaryMasks([...photo.masks, photo.masks[0], photo.masks[1]]);
      expect(Array.from(five[3])).toEqual(Array.from(batch[0]));
      expect(Array.from(five[4])).toEqual(Array.from(batch[1]));
    });
  }

  for (const k of [2, 3, 27]) {
    // The TypeScript engine keeps double intermediates where the reference (and WebAssembly) round
    // to float32: marginals differ by up to ~4e-4 on real photos, the labels not at all.
    it(`${k} labels with STEGO settings: close marginals, same labels`, () => {
      const w = 59, h = 41, n = w * h;
      const photo = generatedPhoto(w, h, 30 + k);
      const probs = smoothProbs(w, h, k, 40 + k);
      const a = new DenseCrf(photo.rgba, w, h, STEGO_CRF_PARAMS, { backend: 'wasm' }).inferFromProbabilities(probs, k);
      const b = new DenseCrf(photo.rgba, w, h, STEGO_CRF_PARAMS, { backend: 'ts' }).inferFromProbabilities(probs, k);
      expect(a.length).toBe(n * k);
      let maxDiff = 0;
      for (let i = 0; i < n * k; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      expect(maxDiff).toBeLessThan(1e-3);
      expect(Array.from(argmaxRows(a, n, k))).toEqual(Array.from(argmaxRows(b, n, k)));
      for (let i = 0; i < n; i += 97) expect(a.subarray(i * k, (i + 1) * k).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    });
  }

  it('MaskRefiner.refineAll equals refine() mask by mask (fill holes, drop rule)', () => {
    const photo = generatedPhoto(80, 60, 50);
    const refiner = new MaskRefiner(photo.rgba, { height: 60, width: 80 });
    const all = refiner.refineAll(photo.masks);
    photo.masks.forEach((m, i) => {
      const one = new MaskRefiner(photo.rgba, { height: 60, width: 80 }).refine(m);
      expect(all[i].iou).toBe(one.iou);
      expect(all[i].maskRowMajor && Array.from(all[i].maskRowMajor as Uint8Array)).toEqual(one.maskRowMajor && Array.from(one.maskRowMajor));
    });
  });

  it('a disposed instance serves the next image (dirty memory, cached Gaussian lattice) with the same results', () => {
    const a = generatedPhoto(90, 70, 70), b = generatedPhoto(90, 70, 71);
    const fresh = new DenseCrf(b.rgba, 90, 70, MASKCUT_CRF_PARAMS, { backend: 'ts' }).refineBinaryMasks(b.masks);
    const first = new DenseCrf(a.rgba, 90, 70);
    first.inferFromProbabilities(smoothProbs(90, 70, 27, 3), 27); // leaves the memory full of other numbers
    first.dispose();
    expect(() => first.refineBinaryMasks(a.masks)).toThrow(/after dispose/);
    const second = new DenseCrf(b.rgba, 90, 70);
    expect(second.refineBinaryMasks(b.masks)).toEqual(fresh);
    second.dispose();
    expect(new DenseCrf(b.rgba, 90, 70).refineBinaryMasks(b.masks.slice(0, 1))).toEqual(fresh.slice(0, 1));
  });

  it('many images in a row (one module instance each) and wrong sizes are refused', () => {
    const photo = generatedPhoto(120, 90, 60);
    const first = new DenseCrf(photo.rgba, 120, 90).refineBinaryMasks(photo.masks);
    for (let r = 0; r < 20; r++) new DenseCrf(photo.rgba, 120, 90).refineBinaryMasks(photo.masks);
    expect(new DenseCrf(photo.rgba, 120, 90).refineBinaryMasks(photo.masks)).toEqual(first);
    expect(() => new DenseCrf(photo.rgba, 121, 90)).toThrow(/RGBA has/);
    expect(() => new DenseCrf(photo.rgba, 120, 90).refineBinaryMask(new Uint8Array(5))).toThrow(/mask has 5 pixels/);
    expect(() => new DenseCrf(photo.rgba, 120, 90).inferFromProbabilities(new Float32Array(7), 3)).toThrow(/7 probabilities/);
  });
});
