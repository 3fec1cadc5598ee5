// The adaptation head's trainer on WebGPU: the same seeded batches, schedule, AdamW and progress as
// trainSteps (src/core/adapt/train.ts), in float32 on the GPU. Serves method.md §6 (light head).
//
// Tokens go up once; each epoch uploads only its shuffled order and per-batch constants, encodes
// every batch without a read-back, and reads the per-batch loss sums once at its end. Batches are
// submitted in groups with at most two groups in flight, so shouldStop (polled before every batch,
// as on the CPU) stops within a couple of groups and onBatch follows the GPU's actual progress.
import type { HeadClasses } from '../core/adapt/head';
import {
  ADAM, learningRateAt, planTraining, sampleOrderRng, shuffleInPlace, trainedHead,
  type EpochProgress, type TrainingImage, type TrainOptions, type TrainResult,
} from '../core/adapt/train';
import { readBack, WebGpuTrainingError } from '../gpu/device';
import { GpuHead } from './gpu-head';

export { requestTrainingDevice, WebGpuTrainingError, type TrainingDevice } from '../gpu/device';

/** Bytes per epoch-stats entry: (Σ w·CE, Σ w, correct, unused) as float32. */
const STATS_ENTRY_FLOATS = 4;

export interface WebGpuTuning {
  /** Largest token buffer in bytes (default: the device's binding limit); smaller splits the tokens over more buffers. */
  maxTokenChunkBytes?: number;
}

/**
 * Trains as trainSteps does (same initial parameters, sample order, batches, learning rates,
 * AdamW and class weights) with float32 arithmetic on `device`. Throws WebGpuTrainingError when
 * the device cannot hold the run, so the caller can train on the CPU instead.
 */
export async function trainHeadWebGpu(
  device: GPUDevice, images: readonly TrainingImage[], tokenDim: number, classes: HeadClasses, options: Partial<TrainOptions>, tuning: WebGpuTuning = {},
): Promise<TrainResult> {
  const { opts, shape, samples, input, batches, totalSteps } = planTraining(images, tokenDim, classes, options);
  const sampleCount = samples.imageOf.length;
  const gpu = await GpuHead.create(device, {
    images, samples, shape, input, batchSize: opts.batchSize, batches, classWeights: opts.classWeights ?? null, seed: opts.seed, maxTokenChunkBytes: tuning.maxTokenChunkBytes,
  });
  const statsRead = device.createBuffer({ size: batches * STATS_ENTRY_FLOATS * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const paramsRead = device.createBuffer({ size: gpu.paramCount * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.pushErrorScope('validation');
  let scopeOpen = true;
  try {
    const rng = sampleOrderRng(opts.seed);
    const order = Int32Array.from({ length: sampleCount }, (_, i) => i);
    const history: EpochProgress[] = [];
    const flow = new SubmitFlow(device, opts.onBatch);
    let stopped = false;
    for (let epoch = 1; epoch <= opts.epochs && !stopped; epoch++) {
      const started = performance.now();
      shuffleInPlace(order, rng);
      // Queue writes run after the work already submitted, so the previous epoch still sees its own order.
      device.queue.writeBuffer(gpu.orderBuffer, 0, order);
      device.queue.writeBuffer(gpu.run.batchUniforms, 0, batchEntries(gpu.run.batchStrideBytes, batches, epoch, opts, sampleCount, totalSteps));
      for (let b = 0; b < batches; b++) {
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
        await flow.batch(epoch, b, batches, (pass) => gpu.encodeBatch(pass, b));
      }
      await flow.drain();
      if (stopped) break; // a partial epoch is not reported
      const stats = await readBack(device, gpu.statsBuffer, statsRead, batches * STATS_ENTRY_FLOATS);
      let lossSum = 0, weightSum = 0, correct = 0;
      for (let b = 0; b < batches; b++) {
        lossSum += stats[b * STATS_ENTRY_FLOATS];
        weightSum += stats[b * STATS_ENTRY_FLOATS + 1];
        correct += stats[b * STATS_ENTRY_FLOATS + 2];
      }
      const progress = { epoch, epochs: opts.epochs, loss: weightSum > 0 ? lossSum / weightSum : 0, accuracy: correct / sampleCount, ms: performance.now() - started };
      history.push(progress);
      opts.onEpoch?.(progress);
    }
    const params = await readBack(device, gpu.paramsBuffer, paramsRead, gpu.paramCount);
    scopeOpen = false;
    const error = await device.popErrorScope();
    if (error) throw new WebGpuTrainingError(`WebGPU training failed: ${error.message}`);
    return { head: trainedHead(shape, classes, input, params), history, stopped, sampleCount };
  } finally {
    if (scopeOpen) await device.popErrorScope().catch(() => null);
    statsRead.destroy();
    paramsRead.destroy();
    gpu.destroy();
  }
}

/** The epoch's Batch entries (see kernels.ts), one per dynamic-offset stride. */
function batchEntries(strideBytes: number, batches: number, epoch: number, opts: TrainOptions, sampleCount: number, totalSteps: number): ArrayBuffer {
  const bytes = new ArrayBuffer(batches * strideBytes);
  for (let b = 0; b < batches; b++) {
    const step = (epoch - 1) * batches + b;
    const start = b * opts.batchSize;
    const u = new Uint32Array(bytes, b * strideBytes, 4);
    u.set([start, Math.min(opts.batchSize, sampleCount - start), b, step]);
    const t = step + 1;
    new Float32Array(bytes, b * strideBytes + 16, 4).set([
      learningRateAt(opts, step, totalSteps), 1 / (1 - ADAM.beta1 ** t), 1 / (1 - ADAM.beta2 ** t), opts.weightDecay,
    ]);
  }
  return bytes;
}

/**
 * Groups batches into submits and keeps at most two groups in flight. The group grows while a
 * group finishes in under ~8 ms (submit overhead would dominate) and shrinks past ~50 ms (stop and
 * onBatch would lag), so neither tiny nor huge heads stall on the round trip.
 */
class SubmitFlow {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private inGroup: { epoch: number; batch: number; batches: number }[] = [];
  private inFlight: { done: Promise<void>; batches: { epoch: number; batch: number; batches: number }[] }[] = [];
  private groupSize = 1;
  private lastDone = performance.now();

  constructor(private readonly device: GPUDevice, private readonly onBatch: TrainOptions['onBatch']) {}

  async batch(epoch: number, b: number, batches: number, encode: (pass: GPUComputePassEncoder) => void): Promise<void> {
    if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    encode(this.pass);
    this.inGroup.push({ epoch, batch: b + 1, batches });
    if (this.inGroup.length >= this.groupSize || b === batches - 1) await this.submit();
  }

  /** Submits what is encoded and waits for every group. */
  async drain(): Promise<void> {
    if (this.pass) await this.submit();
    while (this.inFlight.length) await this.retireOldest();
  }

  private async submit(): Promise<void> {
    if (!this.pass || !this.encoder) return;
    this.pass.end();
    this.device.queue.submit([this.encoder.finish()]);
    this.inFlight.push({ done: this.device.queue.onSubmittedWorkDone(), batches: this.inGroup });
    this.pass = null;
    this.encoder = null;
    this.inGroup = [];
    while (this.inFlight.length > 2) await this.retireOldest();
  }

  private async retireOldest(): Promise<void> {
    const group = this.inFlight.shift();
    if (!group) return;
    await group.done;
    const now = performance.now(), ms = now - this.lastDone;
    this.lastDone = now;
    if (ms < 8 && this.groupSize < 256) this.groupSize *= 2;
    else if (ms > 50 && this.groupSize > 1) this.groupSize = Math.max(1, Math.floor(this.groupSize / 2));
    for (const g of group.batches) this.onBatch?.(g.batch, g.batches, g.epoch);
  }
}
