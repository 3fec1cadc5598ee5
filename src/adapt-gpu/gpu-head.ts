// GPU resources of the adaptation head's WebGPU trainer: standardised tokens uploaded once (split
// over several buffers past the binding limit), pipelines, bind groups, one batch's dispatches. Method.md §6.
//
// Layouts match the CPU trainer: parameters in headLayout(shape)'s flat order ([out, in] weights
// then bias per layer), activations [batchRows, dim] row-major, tokens [sample, tokenDim] in
// sample-index order (collectSamples), gathered per batch through the epoch's order buffer.
import type { DenseSlot } from '../core/adapt/dense';
import { headLayout, initialParams, type HeadShape, type InputStats } from '../core/adapt/head';
import { ADAM, type TrainingImage, type TrainingSamples } from '../core/adapt/train';
import {
  ADAM_WGSL, ADAM_WORKGROUP, BATCH_ENTRY_BYTES, GATHER_WGSL, LOSS_WGSL, MATMUL_TILE, MATMUL_WGSL, matmulUniform, type MatmulSpec,
} from './kernels';

/** Thrown when this device cannot train the head (too little memory, limits): callers fall back to the CPU. */
export class WebGpuTrainingError extends Error {
  override name = 'WebGpuTrainingError';
}

type Slot = 'uniform' | 'batch' | 'read' | 'rw';

const KERNEL_SLOTS = {
  gather: ['uniform', 'batch', 'read', 'read', 'rw'],
  matmul: ['uniform', 'batch', 'read', 'read', 'rw', 'read'],
  loss: ['uniform', 'batch', 'read', 'read', 'read', 'rw', 'rw'],
  adam: ['uniform', 'batch', 'rw', 'read', 'rw', 'rw', 'read'],
} satisfies Record<string, Slot[]>;
type KernelName = keyof typeof KERNEL_SLOTS;
const KERNEL_WGSL: Record<KernelName, string> = { gather: GATHER_WGSL, matmul: MATMUL_WGSL, loss: LOSS_WGSL, adam: ADAM_WGSL };

interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

interface Dispatch {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  workgroups: [number, number];
}

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
  /** Bytes between consecutive Batch entries (the dynamic-offset alignment). */
  readonly batchStrideBytes: number;
  readonly orderBuffer: GPUBuffer;
  readonly batchUniforms: GPUBuffer;
  readonly statsBuffer: GPUBuffer;
  readonly paramsBuffer: GPUBuffer;
  readonly paramCount: number;
  private readonly buffers: GPUBuffer[] = [];
  private readonly dispatches: Dispatch[] = [];

  private constructor(readonly device: GPUDevice, inputs: GpuHeadInputs, tokenChunks: { buffer: GPUBuffer; start: number; rows: number }[], kernels: Record<KernelName, Kernel>) {
    const { shape, batchSize, batches, samples } = inputs;
    const layout = headLayout(shape);
    const sampleCount = samples.imageOf.length;
    this.paramCount = layout.paramCount;
    const align = device.limits.minUniformBufferOffsetAlignment;
    this.batchStrideBytes = Math.ceil(BATCH_ENTRY_BYTES / align) * align;
    this.buffers.push(...tokenChunks.map((c) => c.buffer));

    const targets = new Uint32Array(sampleCount);
    for (let s = 0; s < sampleCount; s++) targets[s] = inputs.images[samples.imageOf[s]].targets[samples.patchOf[s]];
    const weights = Float32Array.from({ length: shape.classCount }, (_, c) => (inputs.classWeights ? inputs.classWeights[c] : 1));
    const decay = new Float32Array(layout.paramCount);
    for (const s of layout.layers) decay.fill(1, s.wOff, s.wOff + s.inDim * s.outDim);

    const S = GPUBufferUsage.STORAGE, DST = GPUBufferUsage.COPY_DST, SRC = GPUBufferUsage.COPY_SRC;
    this.orderBuffer = this.storage(sampleCount * 4, S | DST);
    const targetsBuffer = this.filled(targets, S);
    const weightsBuffer = this.filled(weights, S);
    const x = this.storage(batchSize * shape.tokenDim * 4, S);
    const logits = this.storage(batchSize * shape.classCount * 4, S);
    const ones = this.filled(new Float32Array(batchSize).fill(1), S);
    this.paramsBuffer = this.filled(Float32Array.from(initialParams(shape, inputs.seed)), S | SRC | DST);
    const grad = this.storage(layout.paramCount * 4, S);
    const adamM = this.storage(layout.paramCount * 4, S), adamV = this.storage(layout.paramCount * 4, S);
    const decayBuffer = this.filled(decay, S);
    this.statsBuffer = this.storage(batches * 4 * 4, S | SRC);
    this.batchUniforms = this.track(device.createBuffer({ size: batches * this.batchStrideBytes, usage: GPUBufferUsage.UNIFORM | DST }));

    for (const chunk of tokenChunks) {
      const u = this.filled(Uint32Array.from([shape.tokenDim, chunk.start, chunk.rows, 0]), GPUBufferUsage.UNIFORM);
      this.add(kernels.gather, [u, null, this.orderBuffer, chunk.buffer, x], [Math.ceil(shape.tokenDim / 64), batchSize]);
    }
    const matmul = (spec: MatmulSpec, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, aux: GPUBuffer) => {
      const rows = spec.batchDim === 'm' ? batchSize : spec.m;
      const u = this.filled(matmulUniform(spec), GPUBufferUsage.UNIFORM);
      this.add(kernels.matmul, [u, null, a, b, c, aux], [Math.ceil(spec.n / MATMUL_TILE), Math.ceil(rows / MATMUL_TILE)]);
    };
    const P = this.paramsBuffer;
    const forward = (slot: DenseSlot, inp: GPUBuffer, out: GPUBuffer, relu: boolean) => matmul({
      m: batchSize, n: slot.outDim, k: slot.inDim, batchDim: 'm', aOff: 0, aStrideI: slot.inDim, aStrideK: 1,
      bOff: slot.wOff, bStrideK: 1, bStrideJ: slot.inDim, cOff: 0, cStrideI: slot.outDim, auxOff: slot.bOff, epilogue: { bias: true, relu },
    }, inp, P, out, P);
    // dW[o, d] = Σ_r g[r, o]·in[r, d]; db[o] = Σ_r 1·g[r, o] (the ones buffer makes the bias a matmul too)
    const gradParams = (slot: DenseSlot, g: GPUBuffer, inp: GPUBuffer) => {
      matmul({
        m: slot.outDim, n: slot.inDim, k: batchSize, batchDim: 'k', aOff: 0, aStrideI: 1, aStrideK: slot.outDim,
        bOff: 0, bStrideK: slot.inDim, bStrideJ: 1, cOff: slot.wOff, cStrideI: slot.inDim, auxOff: 0, epilogue: {},
      }, g, inp, grad, P);
      matmul({
        m: 1, n: slot.outDim, k: batchSize, batchDim: 'k', aOff: 0, aStrideI: 0, aStrideK: 1,
        bOff: 0, bStrideK: slot.outDim, bStrideJ: 1, cOff: slot.bOff, cStrideI: 0, auxOff: 0, epilogue: {},
      }, ones, g, grad, P);
    };
    const lossUniform = this.filled(Uint32Array.from([shape.classCount, 0, 0, 0]), GPUBufferUsage.UNIFORM);
    const loss = () => this.add(kernels.loss, [lossUniform, null, this.orderBuffer, targetsBuffer, weightsBuffer, logits, this.statsBuffer], [1, 1]);

    const [first, second] = layout.layers;
    if (!second) {
      forward(first, x, logits, false);
      loss();
      gradParams(first, logits, x);
    } else {
      const hidden = this.storage(batchSize * first.outDim * 4, S), dHidden = this.storage(batchSize * first.outDim * 4, S);
      forward(first, x, hidden, true);
      forward(second, hidden, logits, false);
      loss();
      gradParams(second, logits, hidden);
      // dHidden[r, h] = Σ_c g[r, c]·W2[c, h], zero where the ReLU was off (before W2's update: Adam runs last)
      matmul({
        m: batchSize, n: first.outDim, k: second.outDim, batchDim: 'm', aOff: 0, aStrideI: second.outDim, aStrideK: 1,
        bOff: second.wOff, bStrideK: first.outDim, bStrideJ: 1, cOff: 0, cStrideI: first.outDim, auxOff: 0, epilogue: { maskByAux: true },
      }, logits, P, dHidden, hidden);
      gradParams(first, dHidden, x);
    }
    const adamUniform = this.track(device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true }));
    const range = adamUniform.getMappedRange();
    new Uint32Array(range, 0, 1)[0] = layout.paramCount;
    new Float32Array(range, 4, 3).set([ADAM.beta1, ADAM.beta2, ADAM.epsilon]);
    adamUniform.unmap();
    const groups = Math.ceil(layout.paramCount / ADAM_WORKGROUP), maxGroups = device.limits.maxComputeWorkgroupsPerDimension;
    this.add(kernels.adam, [adamUniform, null, P, grad, adamM, adamV, decayBuffer], [Math.min(groups, maxGroups), Math.ceil(groups / maxGroups)]);
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
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const chunks: { buffer: GPUBuffer; start: number; rows: number }[] = [];
    let head: GpuHead;
    try {
      const rowsPerChunk = Math.max(1, Math.floor(Math.min(maxBinding, inputs.maxTokenChunkBytes ?? Infinity) / rowBytes));
      const sampleCount = inputs.samples.imageOf.length;
      for (let start = 0; start < sampleCount; start += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, sampleCount - start);
        chunks.push({ buffer: uploadTokens(device, inputs, start, rows), start, rows });
      }
      const kernels = await createKernels(device);
      head = new GpuHead(device, inputs, chunks, kernels);
    } catch (err) {
      for (const c of chunks) c.buffer.destroy();
      await device.popErrorScope();
      await device.popErrorScope();
      throw new WebGpuTrainingError(`WebGPU training setup failed: ${(err as Error).message}`);
    }
    const validation = await device.popErrorScope();
    const memory = await device.popErrorScope();
    const error = memory ?? validation;
    if (error) {
      head.destroy();
      const tokenMb = (inputs.samples.imageOf.length * rowBytes) / 2 ** 20;
      throw new WebGpuTrainingError(memory ? `the training tokens (${tokenMb.toFixed(0)} MB) do not fit in GPU memory: ${error.message}` : `WebGPU training setup failed: ${error.message}`);
    }
    return head;
  }

  /** Encodes one batch (the Batch entry `batchIndex` of the epoch's uniforms). */
  encodeBatch(pass: GPUComputePassEncoder, batchIndex: number): void {
    const offset = [batchIndex * this.batchStrideBytes];
    for (const d of this.dispatches) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.bindGroup, offset);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1]);
    }
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }

  private add(kernel: Kernel, resources: (GPUBuffer | null)[], workgroups: [number, number]): void {
    const bindGroup = this.device.createBindGroup({
      layout: kernel.layout,
      entries: resources.map((buffer, binding) => ({ binding, resource: buffer ? { buffer } : { buffer: this.batchUniforms, size: BATCH_ENTRY_BYTES } })),
    });
    this.dispatches.push({ kernel, bindGroup, workgroups });
  }

  private track(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  /** Zero-filled (WebGPU clears new buffers), at least 4 bytes (empty bindings are invalid). */
  private storage(bytes: number, usage: number): GPUBuffer {
    return this.track(this.device.createBuffer({ size: Math.max(bytes, 4), usage }));
  }

  private filled(data: Float32Array | Uint32Array, usage: number): GPUBuffer {
    const buffer = this.track(this.device.createBuffer({ size: Math.max(data.byteLength, 4), usage, mappedAtCreation: true }));
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
    return buffer;
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

async function createKernels(device: GPUDevice): Promise<Record<KernelName, Kernel>> {
  const entries = await Promise.all((Object.keys(KERNEL_SLOTS) as KernelName[]).map(async (name) => {
    const layout = device.createBindGroupLayout({
      label: name,
      entries: KERNEL_SLOTS[name].map((slot: Slot, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: slot === 'uniform' ? { type: 'uniform' as const }
          : slot === 'batch' ? { type: 'uniform' as const, hasDynamicOffset: true, minBindingSize: BATCH_ENTRY_BYTES }
            : { type: slot === 'read' ? 'read-only-storage' as const : 'storage' as const },
      })),
    });
    const module = device.createShaderModule({ label: name, code: KERNEL_WGSL[name] });
    const pipeline = await device.createComputePipelineAsync({
      label: name, layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' },
    }).catch(async (err: unknown) => {
      const info = await module.getCompilationInfo();
      throw new Error(`kernel ${name}: ${(err as Error).message} ${info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
    });
    return [name, { pipeline, layout }] as const;
  }));
  return Object.fromEntries(entries) as Record<KernelName, Kernel>;
}
