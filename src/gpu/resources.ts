// Pipelines, buffers and recorded dispatches of a WebGPU training run, shared by both trainers
// (method.md §4 STEGO's head, §6 the adaptation head): kernels are built from their binding slots,
// a run's buffers are tracked so one destroy frees them, and a step is a fixed list of dispatches.
import { ADAM_WGSL, ADAM_WORKGROUP, BATCH_ENTRY_BYTES, MATMUL_WGSL, matmulUniform, matmulWorkgroups, type MatmulSpec } from './kernels';

/** A binding: a plain uniform, the Batch uniform (dynamic offset), read-only or read-write storage. */
export type Slot = 'uniform' | 'batch' | 'read' | 'rw';

export interface KernelSource {
  slots: readonly Slot[];
  wgsl: string;
}

export interface Kernel {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

/** The shared kernels' bindings, for trainers that add them to their own. */
export const SHARED_KERNELS = {
  matmul: { slots: ['uniform', 'batch', 'read', 'read', 'rw', 'read'], wgsl: MATMUL_WGSL },
  adam: { slots: ['uniform', 'batch', 'rw', 'read', 'rw', 'rw', 'read'], wgsl: ADAM_WGSL },
} satisfies Record<string, KernelSource>;

interface Dispatch {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** Compiles every kernel; a compile error names the kernel and WGSL's messages. */
export async function createKernels<K extends string>(device: GPUDevice, sources: Record<K, KernelSource>): Promise<Record<K, Kernel>> {
  const entries = await Promise.all((Object.keys(sources) as K[]).map(async (name) => {
    const { slots, wgsl } = sources[name];
    const layout = device.createBindGroupLayout({
      label: name,
      entries: slots.map((slot, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: slot === 'uniform' ? { type: 'uniform' as const }
          : slot === 'batch' ? { type: 'uniform' as const, hasDynamicOffset: true, minBindingSize: BATCH_ENTRY_BYTES }
            : { type: slot === 'read' ? 'read-only-storage' as const : 'storage' as const },
      })),
    });
    const module = device.createShaderModule({ label: name, code: wgsl });
    const pipeline = await device.createComputePipelineAsync({
      label: name, layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' },
    }).catch(async (err: unknown) => {
      const info = await module.getCompilationInfo();
      throw new Error(`kernel ${name}: ${(err as Error).message} ${info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
    });
    return [name, { pipeline, layout }] as const;
  }));
  return Object.fromEntries(entries) as Record<K, Kernel>;
}

/** A run's buffers and its step's dispatches, in order; `batchUniforms` is bound at binding 1 of every kernel. */
export class GpuRun {
  /** Bytes between consecutive Batch entries (the dynamic-offset alignment). */
  readonly batchStrideBytes: number;
  readonly batchUniforms: GPUBuffer;
  private readonly buffers: GPUBuffer[] = [];
  private readonly dispatches: Dispatch[] = [];

  constructor(readonly device: GPUDevice, batchEntries: number) {
    const align = device.limits.minUniformBufferOffsetAlignment;
    this.batchStrideBytes = Math.ceil(BATCH_ENTRY_BYTES / align) * align;
    this.batchUniforms = this.track(device.createBuffer({ size: batchEntries * this.batchStrideBytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }));
  }

  /** Encodes the step's dispatches reading Batch entry `batchIndex`. */
  encode(pass: GPUComputePassEncoder, batchIndex: number): void {
    const offset = [batchIndex * this.batchStrideBytes];
    for (const d of this.dispatches) {
      pass.setPipeline(d.kernel.pipeline);
      pass.setBindGroup(0, d.bindGroup, offset);
      pass.dispatchWorkgroups(...d.workgroups);
    }
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }

  /** Appends a dispatch; null in `resources` is the Batch uniform. */
  add(kernel: Kernel, resources: (GPUBuffer | null)[], workgroups: [number, number, number?]): void {
    const bindGroup = this.device.createBindGroup({
      layout: kernel.layout,
      entries: resources.map((buffer, binding) => ({ binding, resource: buffer ? { buffer } : { buffer: this.batchUniforms, size: BATCH_ENTRY_BYTES } })),
    });
    this.dispatches.push({ kernel, bindGroup, workgroups: [workgroups[0], workgroups[1], workgroups[2] ?? 1] });
  }

  /** Appends a matmul over `rows` rows of the output (the batch size where it varies), `products` batched products. */
  matmul(kernel: Kernel, spec: MatmulSpec, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer, aux: GPUBuffer, rows = spec.m, products = 1): void {
    const u = this.filled(matmulUniform(spec), GPUBufferUsage.UNIFORM);
    this.add(kernel, [u, null, a, b, c, aux], matmulWorkgroups(spec, rows, products));
  }

  /** AdamW over `count` parameters (decay: 1 for decayed weights, 0 otherwise). */
  adam(kernel: Kernel, count: number, constants: { beta1: number; beta2: number; epsilon: number }, params: GPUBuffer, grad: GPUBuffer, decay: GPUBuffer): void {
    const S = GPUBufferUsage.STORAGE;
    const m = this.storage(count * 4, S), v = this.storage(count * 4, S);
    const uniform = this.track(this.device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM, mappedAtCreation: true }));
    const range = uniform.getMappedRange();
    new Uint32Array(range, 0, 1)[0] = count;
    new Float32Array(range, 4, 3).set([constants.beta1, constants.beta2, constants.epsilon]);
    uniform.unmap();
    const groups = Math.ceil(count / ADAM_WORKGROUP), maxGroups = this.device.limits.maxComputeWorkgroupsPerDimension;
    this.add(kernel, [uniform, null, params, grad, m, v, decay], [Math.min(groups, maxGroups), Math.ceil(groups / maxGroups)]);
  }

  track(buffer: GPUBuffer): GPUBuffer {
    this.buffers.push(buffer);
    return buffer;
  }

  /** Zero-filled (WebGPU clears new buffers), at least 4 bytes (empty bindings are invalid). */
  storage(bytes: number, usage: number): GPUBuffer {
    return this.track(this.device.createBuffer({ size: Math.max(bytes, 4), usage }));
  }

  filled(data: Float32Array | Uint32Array, usage: number): GPUBuffer {
    const buffer = this.track(this.device.createBuffer({ size: Math.max(data.byteLength, 4), usage, mappedAtCreation: true }));
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    buffer.unmap();
    return buffer;
  }
}
