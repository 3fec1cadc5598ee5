// Training speed of the adaptation head (method.md §6) inside the browser worker, on seeded
// synthetic tokens: the same data for every backend, so timings and results can be compared.
import { trainHeadAsync, type EpochProgress, type TrainingImage, type TrainOptions, type TrainResult } from '../src/core/adapt/train';
import type { HeadKind } from '../src/core/adapt/head';
import { requestTrainingDevice, trainHeadWebGpu } from '../src/adapt-gpu/webgpu-trainer';
import { gaussian, mulberry32 } from '../src/core/random';

export interface TrainBenchSpec {
  images: number;
  patchesPerImage: number;
  tokenDim: number;
  classCount: number;
  kind: HeadKind;
  hiddenDim: number;
  epochs: number;
  batchSize: number;
  backend: 'cpu' | 'webgpu';
  seed: number;
  /** Stops training (shouldStop) before this many batches in all have run: checks cancellation. */
  stopAfterBatches?: number;
  /** [classCount] loss weights; none weighs every class 1. */
  classWeights?: number[];
  /** WebGPU: largest token buffer in bytes, to exercise the split over several buffers. */
  maxTokenChunkBytes?: number;
}

export interface TrainBenchResult {
  backend: 'cpu' | 'webgpu';
  /** Adapter description for WebGPU (e.g. SwiftShader's fallback), 'TypeScript' for the CPU. */
  device: string;
  history: EpochProgress[];
  msPerEpoch: number[];
  /** The trained parameters, for agreement checks between backends. */
  params: number[];
  samples: number;
  /** Training was stopped by stopAfterBatches. */
  stopped: boolean;
  /** onBatch calls: batches completed over all epochs. */
  batchesDone: number;
  /** Before the first epoch: token upload and pipeline creation (WebGPU), input statistics. */
  setupMs: number;
}

/** Class-mean-plus-noise tokens (each class a random mean direction), classes spread over patches. */
export function syntheticTrainingImages(spec: Pick<TrainBenchSpec, 'images' | 'patchesPerImage' | 'tokenDim' | 'classCount' | 'seed'>): TrainingImage[] {
  const normal = gaussian(mulberry32(spec.seed + 1));
  const means = Array.from({ length: spec.classCount }, () => Float32Array.from({ length: spec.tokenDim }, () => normal()));
  return Array.from({ length: spec.images }, (_, i) => {
    const tokensRowMajor = new Float32Array(spec.patchesPerImage * spec.tokenDim);
    const targets = new Uint8Array(spec.patchesPerImage);
    for (let p = 0; p < spec.patchesPerImage; p++) {
      const c = (i * 7 + p) % spec.classCount;
      targets[p] = c;
      for (let d = 0; d < spec.tokenDim; d++) tokensRowMajor[p * spec.tokenDim + d] = means[c][d] + 2 * normal();
    }
    return { tokensRowMajor, targets };
  });
}

export async function benchmarkTraining(spec: TrainBenchSpec): Promise<TrainBenchResult> {
  const images = syntheticTrainingImages(spec);
  const classes = { names: Array.from({ length: spec.classCount }, (_, c) => `c${c}`), thingCount: 1 };
  let polls = 0, batchesDone = 0, firstEpochAt = 0;
  const started = performance.now();
  const options: Partial<TrainOptions> = {
    kind: spec.kind, hiddenDim: spec.hiddenDim, epochs: spec.epochs, batchSize: spec.batchSize, seed: spec.seed, classWeights: spec.classWeights,
    shouldStop: () => {
      // Polled before every batch: the first poll marks the end of the setup.
      if (polls++ === 0) firstEpochAt = performance.now();
      return spec.stopAfterBatches !== undefined && polls > spec.stopAfterBatches;
    },
    onBatch: () => void batchesDone++,
  };
  let device = 'TypeScript';
  let r: TrainResult;
  if (spec.backend === 'webgpu') {
    const gpu = await requestTrainingDevice();
    if (!gpu) throw new Error('WebGPU is not available in this worker');
    device = gpu.description;
    try {
      r = await trainHeadWebGpu(gpu.device, images, spec.tokenDim, classes, options, { maxTokenChunkBytes: spec.maxTokenChunkBytes });
    } finally {
      gpu.device.destroy();
    }
  } else {
    r = await trainHeadAsync(images, spec.tokenDim, classes, options);
  }
  return {
    backend: spec.backend, device, history: r.history, msPerEpoch: r.history.map((h) => h.ms), params: Array.from(r.head.params),
    samples: r.sampleCount, stopped: r.stopped, batchesDone, setupMs: (firstEpochAt || performance.now()) - started,
  };
}
