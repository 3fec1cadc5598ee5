// Which trainer runs STEGO's head (method.md §4) in the semantic worker: WebGPU when the browser
// has a hardware adapter (or the page forces WebGPU), the TypeScript one otherwise, and the CPU
// again when the GPU run fails; the outcome says which trained and why.
import { projectSession, stegoTrainingOnRows, type StegoModel, type StegoProgress, type StegoTrainOptions } from '../src/core/stego/train';
import type { TrainBackend } from '../src/storage/records';
import type { StegoBackendPreference } from './semantic-api';

/** Either trainer's generator: resumed with false, it stops and returns the head so far. */
type StegoTraining = Generator<StegoProgress, StegoModel, boolean | undefined> | AsyncGenerator<StegoProgress, StegoModel, boolean | undefined>;

export interface StegoRunReport {
  backend: TrainBackend;
  /** The adapter that trained, or why the CPU did. */
  note: string;
}

/** Called at every progress report with the report and the trainer; returns false to stop. */
export type OnReport = (p: StegoProgress, run: StegoRunReport) => Promise<boolean>;

async function drive(it: StegoTraining, run: StegoRunReport, onReport: OnReport): Promise<StegoModel> {
  let r = await it.next();
  while (!r.done) r = await it.next(await onReport(r.value, run));
  return r.value;
}

/** Trains on the photos' tokens with the trainer `preference` allows; the model and which trainer made it. */
export async function trainStegoHead(
  tokens: readonly Float32Array[], tokenDim: number, options: Partial<StegoTrainOptions>, preference: StegoBackendPreference, onReport: OnReport,
): Promise<{ model: StegoModel; run: StegoRunReport }> {
  const { projection, photos } = projectSession(tokens, tokenDim, options);
  let note = 'the page runs on WASM (?backend=wasm)';
  if (preference !== 'cpu') {
    const gpu = await import('../src/stego-gpu/webgpu-trainer');
    const found = await gpu.requestTrainingDevice();
    try {
      if (!found) note = 'this browser offers no WebGPU adapter';
      // A software adapter (SwiftShader) is far slower than the TypeScript trainer: only when forced.
      else if (preference === 'auto' && found.isFallback) note = `the only WebGPU adapter is a software one (${found.description})`;
      else {
        const run: StegoRunReport = { backend: 'webgpu', note: found.description };
        try {
          return { model: await drive(gpu.stegoTrainingOnRowsWebGpu(found.device, projection, photos, options), run, onReport), run };
        } catch (err) {
          // Too big for the device, a lost device, a driver that rejects a kernel: the CPU trains the same head from the start.
          note = `WebGPU failed (${(err as Error).message})`;
        }
      }
    } finally {
      found?.device.destroy();
    }
  }
  const run: StegoRunReport = { backend: 'cpu', note };
  return { model: await drive(stegoTrainingOnRows(projection, photos, options), run, onReport), run };
}
