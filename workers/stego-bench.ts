// STEGO's two trainers (method.md §4) on the same seeded synthetic photos inside the semantic
// worker: the e2e test compares their loss curves and parameters. Test hook (?debug) only.
import { gaussian, mulberry32 } from '../src/core/random';
import { projectSession, stegoTrainingOnRows, type StegoModel, type StegoProgress, type StegoTrainOptions } from '../src/core/stego/train';
import type { TrainBackend } from '../src/storage/records';

export interface StegoBenchSpec {
  photos: number;
  cells: number;
  tokenDim: number;
  backend: TrainBackend;
  /** Training settings (steps, batch, points, projection and code sizes, seed…). */
  options: Partial<StegoTrainOptions>;
  /** Resumes the trainer with false after this many reports: checks that both stop alike. */
  stopAfterReports?: number;
}

export interface StegoBenchResult {
  backend: TrainBackend;
  /** The WebGPU adapter's description, 'TypeScript' for the CPU. */
  device: string;
  history: StegoProgress[];
  steps: number;
  params: number[];
}

/** Photos whose cells mix three materials (a direction each) over a per-photo nuisance direction. */
function syntheticTokens(spec: StegoBenchSpec): Float32Array[] {
  const normal = gaussian(mulberry32(7 + (spec.options.seed ?? 0)));
  const materials = Array.from({ length: 3 }, () => Float64Array.from({ length: spec.tokenDim }, normal));
  return Array.from({ length: spec.photos }, (_, p) => {
    const nuisance = Float64Array.from({ length: spec.tokenDim }, () => normal());
    const t = new Float32Array(spec.cells * spec.tokenDim);
    for (let c = 0; c < spec.cells; c++) {
      const m = materials[(c + p) % 3];
      for (let j = 0; j < spec.tokenDim; j++) t[c * spec.tokenDim + j] = m[j] + nuisance[j] + 0.5 * normal();
    }
    return t;
  });
}

export async function benchmarkStego(spec: StegoBenchSpec): Promise<StegoBenchResult> {
  const { projection, photos } = projectSession(syntheticTokens(spec), spec.tokenDim, spec.options);
  let reports = 0;
  const go = () => spec.stopAfterReports === undefined || ++reports < spec.stopAfterReports;
  let model: StegoModel, device = 'TypeScript';
  if (spec.backend === 'webgpu') {
    const gpu = await import('../src/stego-gpu/webgpu-trainer');
    const found = await gpu.requestTrainingDevice();
    if (!found) throw new Error('WebGPU is not available in this worker');
    device = found.description;
    try {
      const it = gpu.stegoTrainingOnRowsWebGpu(found.device, projection, photos, spec.options);
      let r = await it.next();
      while (!r.done) r = await it.next(go());
      model = r.value;
    } finally {
      found.device.destroy();
    }
  } else {
    const it = stegoTrainingOnRows(projection, photos, spec.options);
    let r = it.next();
    while (!r.done) r = it.next(go());
    model = r.value;
  }
  return { backend: spec.backend, device, history: model.history, steps: model.steps, params: Array.from(model.params) };
}
