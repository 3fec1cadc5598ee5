// GPU resources of the adaptation head's WebGPU trainer: standardised tokens uploaded once (split
// over several buffers past the binding limit), pipelines, bind groups, one batch's dispatches. Method.md §6.
//
// Layouts match the CPU trainer: parameters in headLayout(shape)'s flat order ([out, in] weights
// then bias per layer), activations [batchRows, dim] row-major, tokens [sample, tokenDim] in
// sample-index order (collectSamples), gathered per batch through the epoch's order buffer.
import type { DenseSlot } from '../core/adapt/dense';
import { headLayout, initialParams, type HeadShape, type InputStats } from '../core/adapt/head';
import { ADAM, type TrainingImage, type TrainingSamples } from '../core/adapt/train';
import { scopedSetup, WebGpuTrainingError } from '../gpu/device';
import { denseForwardSpec, denseGradBiasSpec, denseGradInputSpec, denseGradWeightSpec } from '../gpu/kernels';
import { createKernels, GpuRun, SHARED_KERNELS, type Kernel, type KernelSource } from '../gpu/resources';
import { GATHER_WGSL, LOSS_WGSL } from './kernels';

export { WebGpuTrainingError } from '../gpu/device';

const KERNELS = {
  ...SHARED_KERNELS,
  gather: { slots: ['uniform', 'batch', 'read', 'read', 'rw'], wgsl: GATHER_WGSL },
  loss: { slots: ['uniform', 'batch', 'read', 'read', 'read', 'rw', 'rw'], wgsl: LOSS_WGSL },
} satisfies Record<string, KernelSource>;
type KernelName = keyof typeof KERNELS;

export interface GpuHeadInputs {
  images: readonly TrainingImage[];
  samples: TrainingSamples;
  shape: HeadShape;
  input: InputStats;
  batchSize: number;
  /** Batches per epoch (sizes the per-batch uniforms and stats). */
  batches: number;
  classWeights: ArrayLike<number> | null;
  seed: number;
  /** Caps each token buffer below the device limit (tests the split on small data). */
  maxTokenChunkBytes?: number;
}

/** Everything one training run holds on the device; `destroy` frees it. */
export class GpuHead {
  readonly run: GpuRun;
  readonly orderBuffer: GPUBuffer;
  readonly statsBuffer: GPUBuffer;
  readonly paramsBuffer: GPUBuffer;
  readonly paramCount: number;

  private constructor(device: GPUDevice, inputs: GpuHeadInputs, tokenChunks: { buffer: GPUBuffer; start: number; rows: number }[], kernels: Record<KernelName, Kernel>) {
    const { shape, batchSize, batches, samples } = inputs;
    const layout = headLayout(shape);
    const sampleCount = samples.imageOf.length;
    this.paramCount = layout.paramCount;
    const run = (this.run = new GpuRun(device, batches));
    for (const c of tokenChunks) run.track(c.buffer);

    const targets = new Uint32Array(sampleCount);
    for (let s = 0; s < sampleCount; s++) targets[s] = inputs.images[samples.imageOf[s]].targets[samples.patchOf[s]];
    const weights = Float32Array.from({ length: shape.classCount }, (_, c) => (inputs.classWeights ? inputs.classWeights[c] : 1));
    const decay = new Float32Array(layout.paramCount);
    for (const s of layout.layers) decay.fill(1, s.wOff, s.wOff + s.inDim * s.outDim);

    const S = GPUBufferUsage.STORAGE, DST = GPUBufferUsage.COPY_DST, SRC = GPUBufferUsage.COPY_SRC;
    this.orderBuffer = run.storage(sampleCount * 4, S | DST);
    const targetsBuffer = run.filled(targets, S);
    const weightsBuffer = run.filled(weights, S);
    const x = run.storage(batchSize * shape.tokenDim * 4, S);
    const logits = run.storage(batchSize * shape.classCount * 4, S);
    const ones = run.filled(new Float32Array(batchSize).fill(1), S);
    this.paramsBuffer = run.filled(Float32Array.from(initialParams(shape, inputs.seed)), S | SRC | DST);
    const grad = run.storage(layout.paramCount * 4, S);
    this.statsBuffer = run.storage(batches * 4 * 4, S | SRC);

    for (const chunk of tokenChunks) {
      const u = run.filled(Uint32Array.from([shape.tokenDim, chunk.start, chunk.rows, 0]), GPUBufferUsage.UNIFORM);
      run.add(kernels.gather, [u, null, this.orderBuffer, chunk.buffer, x], [Math.ceil(shape.tokenDim / 64), batchSize]);
    }
    const P = this.paramsBuffer;
    // The dispatches cover the full batch size; the kernels read the batch's own row count from Batch.
    const gradParams = (slot: DenseSlot, g: GPUBuffer, inp: GPUBuffer) => {
      const w = denseGradWeightSpec(slot, batchSize, 'k');
      run.matmul(kernels.matmul, w, g, inp, grad, P);
      run.matmul(kernels.matmul, denseGradBiasSpec(slot, batchSize, 'k'), ones, g, grad, P);
    };
    const lossUniform = run.filled(Uint32Array.from([shape.classCount, 0, 0, 0]), GPUBufferUsage.UNIFORM);
    const loss = () => run.add(kernels.loss, [lossUniform, null, this.orderBuffer, targetsBuffer, weightsBuffer, logits, this.statsBuffer], [1, 1]);

    const [first, second] = layout.layers;
    if (!second) {
      run.matmul(kernels.matmul, denseForwardSpec(first, batchSize, 'm', {}), x, P, logits, P);
      loss();
      gradParams(first, logits, x);
    } else {
      const hidden = run.storage(batchSize * first.outDim * 4, S), dHidden = run.storage(batchSize * first.outDim * 4, S);
      run.matmul(kernels.matmul, denseForwardSpec(first, batchSize, 'm', { relu: true }), x, P, hidden, P);
      run.matmul(kernels.matmul, denseForwardSpec(second, batchSize, 'm', {}), hidden, P, logits, P);
      loss();
      gradParams(second, logits, hidden);
      // dHidden before W2's update (Adam runs last), zero where the ReLU was off
      run.matmul(kernels.matmul, denseGradInputSpec(second, batchSize, 'm'), logits, P, dHidden, hidden);
      gradParams(first, dHidden, x);
    }
    run.adam(kernels.adam, layout.paramCount, ADAM, P, grad, run.filled(decay, S));
  }

  /**
   * Uploads the standardised training tokens and builds the run's pipelines. Device errors
   * (out of memory, a limit) become WebGpuTrainingError.
   */
  static async create(device: GPUDevice, inputs: GpuHeadInputs): Promise<GpuHead> {
    const { shape, batchSize } = inputs;
    const limits = device.limits;
    const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const rowBytes = shape.tokenDim * 4;
    const largest = Math.max(batchSize * Math.max(shape.tokenDim, shape.hiddenDim, shape.classCount) * 4, headLayout(shape).paramCount * 4);
    if (largest > maxBinding) throw new WebGpuTrainingError(`a ${largest}-byte training buffer exceeds this device's ${maxBinding}-byte storage binding limit`);
    if (batchSize > limits.maxComputeWorkgroupsPerDimension) throw new WebGpuTrainingError(`batch size ${batchSize} exceeds ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`);
    const whatMustFit = `the training tokens (${((inputs.samples.imageOf.length * rowBytes) / 2 ** 20).toFixed(0)} MB)`;
    return scopedSetup(device, whatMustFit, async (owned) => {
      const chunks: { buffer: GPUBuffer; start: number; rows: number }[] = [];
      const rowsPerChunk = Math.max(1, Math.floor(Math.min(maxBinding, inputs.maxTokenChunkBytes ?? Infinity) / rowBytes));
      const sampleCount = inputs.samples.imageOf.length;
      for (let start = 0; start < sampleCount; start += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, sampleCount - start);
        const buffer = uploadTokens(device, inputs, start, rows);
        owned.push(buffer);
        chunks.push({ buffer, start, rows });
      }
      return new GpuHead(device, inputs, chunks, await createKernels(device, KERNELS));
    });
  }

  /** Encodes one batch (the Batch entry `batchIndex` of the epoch's uniforms). */
  encodeBatch(pass: GPUComputePassEncoder, batchIndex: number): void {
    this.run.encode(pass, batchIndex);
  }

  destroy(): void {
    this.run.destroy();
  }
}

/** Samples [start, start + rows) as standardised Float32 rows, written straight into the mapped buffer. */
function uploadTokens(device: GPUDevice, inputs: GpuHeadInputs, start: number, rows: number): GPUBuffer {
  const dim = inputs.shape.tokenDim;
  const { mean, invStd } = inputs.input;
  const buffer = device.createBuffer({ size: rows * dim * 4, usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
  const out = new Float32Array(buffer.getMappedRange());
  for (let r = 0; r < rows; r++) {
    const s = start + r;
    const src = inputs.images[inputs.samples.imageOf[s]].tokensRowMajor, so = inputs.samples.patchOf[s] * dim, o = r * dim;
    for (let d = 0; d < dim; d++) out[o + d] = (src[so + d] - mean[d]) * invStd[d];
  }
  buffer.unmap();
  return buffer;
}
