// The WebGPU device of the in-browser trainers (method.md §4 STEGO's head, §6 the adaptation head):
// requesting it with the adapter's own buffer limits, naming the adapter, reading results back.
//
// Every failure a trainer can meet on the device becomes WebGpuTrainingError, so the workers can
// train on the CPU instead and say why.

/** Thrown when this device cannot train (too little memory, limits, a lost device): callers fall back to the CPU. */
export class WebGpuTrainingError extends Error {
  override name = 'WebGpuTrainingError';
}

/**
 * Builds a trainer's GPU state inside out-of-memory and validation error scopes, so a setup this
 * device cannot hold fails here as WebGpuTrainingError (naming `whatMustFit` when memory ran out)
 * rather than mid-run. `build` pushes the buffers it creates on `owned`, freed if it throws.
 */
export async function scopedSetup<T extends { destroy(): void }>(device: GPUDevice, whatMustFit: string, build: (owned: GPUBuffer[]) => Promise<T>): Promise<T> {
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const owned: GPUBuffer[] = [];
  let built: T;
  try {
    built = await build(owned);
  } catch (err) {
    for (const b of owned) b.destroy();
    await device.popErrorScope();
    await device.popErrorScope();
    throw new WebGpuTrainingError(`WebGPU training setup failed: ${(err as Error).message}`);
  }
  const validation = await device.popErrorScope();
  const memory = await device.popErrorScope();
  const error = memory ?? validation;
  if (error) {
    built.destroy();
    throw new WebGpuTrainingError(memory ? `${whatMustFit} do not fit in GPU memory: ${error.message}` : `WebGPU training setup failed: ${error.message}`);
  }
  return built;
}

export interface TrainingDevice {
  device: GPUDevice;
  /** The adapter for people (vendor, architecture, description), "(fallback, CPU)" for a software one. */
  description: string;
  /** A software adapter (SwiftShader): correct but far slower than the TypeScript trainers. */
  isFallback: boolean;
}

/** A device for training, or null where WebGPU (or an adapter) is absent. */
export async function requestTrainingDevice(): Promise<TrainingDevice | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter) return null;
  const { description, isFallback } = await describeAdapter(adapter);
  // The defaults (128 MiB bindings) would split or refuse token sets the adapter could hold whole.
  const { maxStorageBufferBindingSize, maxBufferSize } = adapter.limits;
  const device = await adapter.requestDevice({ requiredLimits: { maxStorageBufferBindingSize, maxBufferSize } }).catch(() => null);
  return device ? { device, description, isFallback } : null;
}

async function describeAdapter(adapter: GPUAdapter): Promise<{ description: string; isFallback: boolean }> {
  // `info` and info.isFallbackAdapter are newer than this project's WebGPU typings.
  const withInfo = adapter as GPUAdapter & { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean }; requestAdapterInfo?: () => Promise<GPUAdapterInfo> };
  const info = withInfo.info ?? (await withInfo.requestAdapterInfo?.().catch(() => undefined));
  const name = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ') || 'unknown adapter';
  const isFallback = (withInfo.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false) || /swiftshader/i.test(name);
  return { description: isFallback ? `${name} (fallback, CPU)` : name, isFallback };
}

/** Copies `floats` values of `source` through the MAP_READ buffer `staging` and returns them. */
export async function readBack(device: GPUDevice, source: GPUBuffer, staging: GPUBuffer, floats: number): Promise<Float32Array> {
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, staging, 0, floats * 4);
  device.queue.submit([encoder.finish()]);
  // A lost device (driver reset, another tab's OOM) surfaces here: make it the fall-back-to-CPU error.
  await staging.mapAsync(GPUMapMode.READ, 0, floats * 4).catch((err: unknown) => {
    throw new WebGpuTrainingError(`WebGPU read-back failed (device lost?): ${(err as Error).message}`);
  });
  const values = new Float32Array(staging.getMappedRange(0, floats * 4).slice(0));
  staging.unmap();
  return values;
}
