// STEGO's head trained on WebGPU (method.md §4): the steps of stegoTrainingOnRows (same seeded
// batches, points, partners and dropout masks, planned on the CPU) computed in float32 on the GPU.
//
// Each step uploads only its row indices and masks; the loss comes back every reportEvery steps
// and the parameters once at the end. The generator yields the same progress as the TypeScript
// trainer and stops the same way (resumed with false), so the semantic worker drives either.
import { emptyPlan, planStep } from '../core/stego/sampling';
import { prepareStegoRun, StegoLossMeter, type PhotoRows, type StegoModel, type StegoProgress, type StegoTrainOptions } from '../core/stego/train';
import type { TokenProjection } from '../core/stego/projection';
import { WebGpuTrainingError } from '../gpu/device';
import { GpuStego } from './gpu-stego';

export { requestTrainingDevice, WebGpuTrainingError, type TrainingDevice } from '../gpu/device';

/** stegoTrainingOnRows on `device`; throws WebGpuTrainingError where the device cannot run it, so the caller can train on the CPU. */
export async function* stegoTrainingOnRowsWebGpu(
  device: GPUDevice, projection: TokenProjection, photos: readonly PhotoRows[], options: Partial<StegoTrainOptions> = {},
): AsyncGenerator<StegoProgress, StegoModel, boolean | undefined> {
  const run = prepareStegoRun(projection, photos, options);
  const { opts, shape, knn, rng } = run;
  const gpu = await GpuStego.create(device, photos, run);
  const plan = emptyPlan(opts);
  const meter = new StegoLossMeter(opts);
  let step = 0, slot = 0;
  try {
    device.pushErrorScope('validation');
    while (step < opts.steps) {
      planStep(photos, knn, opts, rng, plan);
      gpu.submitStep(plan, step, slot, opts.learningRate);
      step++;
      slot++;
      if (!meter.due(step)) continue;
      const losses = await gpu.readLosses(slot);
      for (let i = 0; i < slot; i++) meter.add({ intra: losses[3 * i], knn: losses[3 * i + 1], random: losses[3 * i + 2] });
      slot = 0;
      await checkScope(device);
      const go = yield meter.report(step);
      device.pushErrorScope('validation');
      if (go === false) break;
    }
    const params = await gpu.readParams();
    await checkScope(device);
    return { projection, shape, params, steps: step, history: meter.history };
  } finally {
    gpu.destroy();
  }
}

/** Pops the validation scope the steps ran in: an error there means the results cannot be trusted. */
async function checkScope(device: GPUDevice): Promise<void> {
  const error = await device.popErrorScope();
  if (error) throw new WebGpuTrainingError(`WebGPU training failed: ${error.message}`);
}
