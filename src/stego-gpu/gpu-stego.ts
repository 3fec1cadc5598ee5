// GPU resources of STEGO's WebGPU trainer (method.md §4): the photos' projected rows uploaded once,
// the buffers of one step, and its dispatches: head forward, correlations, loss, backward, AdamW.
//
// Layouts follow the TypeScript trainer (src/core/stego): parameters in stegoHeadLayout's flat
// order, step rows [rows, dim] in the plan's order (anchors, partners, one block per random
// permutation), correlations [pair, S, S] with pairs intra (b), nearest (b), random (negatives·b).
import { ADAM } from '../core/optim/adam';
import { stegoHeadLayout } from '../core/stego/head';
import { negativesPerStep, type StepPlan } from '../core/stego/sampling';
import type { PhotoRows, StegoRun } from '../core/stego/train';
import { readBack, scopedSetup, WebGpuTrainingError } from '../gpu/device';
import { BATCH_ENTRY_BYTES, denseForwardSpec, denseGradBiasSpec, denseGradInputSpec, denseGradWeightSpec, type MatmulSpec } from '../gpu/kernels';
import { createKernels, GpuRun, SHARED_KERNELS, type Kernel, type KernelSource } from '../gpu/resources';
import { GATHER_ROWS_WGSL, NORMALISE_BACKWARD_WGSL, NORMALISE_WGSL, PAIR_LOSS_WGSL, pairLossUniform, ROWS_WORKGROUP } from './kernels';

const KERNELS = {
  ...SHARED_KERNELS,
  gather: { slots: ['uniform', 'batch', 'read', 'read', 'read', 'read', 'rw', 'rw'], wgsl: GATHER_ROWS_WGSL },
  normalise: { slots: ['uniform', 'batch', 'read', 'rw', 'rw'], wgsl: NORMALISE_WGSL },
  normaliseBackward: { slots: ['uniform', 'batch', 'read', 'read', 'rw'], wgsl: NORMALISE_BACKWARD_WGSL },
  pairLoss: { slots: ['uniform', 'batch', 'rw', 'rw', 'rw'], wgsl: PAIR_LOSS_WGSL },
} satisfies Record<string, KernelSource>;

/** Everything one STEGO run holds on the device; `destroy` frees it. */
export class GpuStego {
  private readonly run: GpuRun;
  private readonly rowInfo: GPUBuffer;
  private readonly masks: GPUBuffer;
  private readonly stats: GPUBuffer;
  private readonly params: GPUBuffer;
  private readonly statsRead: GPUBuffer;
  private readonly paramsRead: GPUBuffer;
  /** Each photo's first row in the uploaded photo rows. */
  private readonly photoStart: Int32Array;
  private readonly rowInfoHost: Uint32Array<ArrayBuffer>;
  private readonly paramCount: number;

  private constructor(readonly device: GPUDevice, photos: readonly PhotoRows[], r: StegoRun, photoX: GPUBuffer, photoUnit: GPUBuffer, kernels: Record<keyof typeof KERNELS, Kernel>) {
    const { opts, shape } = r;
    const b = opts.batchSize, s = opts.pointsPerImage, d = shape.inDim, h = shape.hiddenDim, k = shape.codeDim;
    const negatives = negativesPerStep(photos.length, opts);
    const rows = (2 + negatives) * b * s, pairs = (2 + negatives) * b;
    const layout = stegoHeadLayout(shape);
    this.paramCount = layout.paramCount;
    this.photoStart = new Int32Array(photos.length);
    photos.forEach((_, i) => (this.photoStart[i] = i ? this.photoStart[i - 1] + photos[i - 1].cells : 0));
    this.rowInfoHost = new Uint32Array(2 * rows);

    const run = (this.run = new GpuRun(device, 1));
    run.track(photoX);
    run.track(photoUnit);
    const S = GPUBufferUsage.STORAGE, DST = GPUBufferUsage.COPY_DST, SRC = GPUBufferUsage.COPY_SRC;
    const f32 = (n: number, usage = S) => run.storage(n * 4, usage);
    this.rowInfo = f32(2 * rows, S | DST);
    this.masks = f32(2 * b * d, S | DST);
    this.stats = f32(3 * opts.reportEvery, S | SRC);
    this.params = run.filled(Float32Array.from(r.params), S | SRC);
    this.statsRead = run.track(device.createBuffer({ size: 3 * opts.reportEvery * 4, usage: GPUBufferUsage.MAP_READ | DST }));
    this.paramsRead = run.track(device.createBuffer({ size: layout.paramCount * 4, usage: GPUBufferUsage.MAP_READ | DST }));
    const x = f32(rows * d), features = f32(rows * d), code = f32(rows * k), hidden = f32(rows * h), unit = f32(rows * k), norms = f32(rows);
    const fd = f32(pairs * s * s), cd = f32(pairs * s * s), dCode = f32(rows * k), dHidden = f32(rows * h);
    const grad = f32(layout.paramCount), ones = run.filled(new Float32Array(rows).fill(1), S);
    const P = this.params;
    const rowsUniform = (dim: number) => run.filled(Uint32Array.from([dim, rows, 0, 0]), GPUBufferUsage.UNIFORM);
    const perRow: [number, number] = [Math.ceil(rows / ROWS_WORKGROUP), 1];

    run.add(kernels.gather, [rowsUniform(d), null, this.rowInfo, this.masks, photoX, photoUnit, x, features], [Math.ceil(d / ROWS_WORKGROUP), rows]);
    // code = W1·x + b1 + W3·ReLU(W2·x + b2) + b3
    run.matmul(kernels.matmul, denseForwardSpec(layout.linear, rows, 'none', {}), x, P, code, P);
    run.matmul(kernels.matmul, denseForwardSpec(layout.hidden, rows, 'none', { relu: true }), x, P, hidden, P);
    run.matmul(kernels.matmul, denseForwardSpec(layout.output, rows, 'none', { accumulate: true }), hidden, P, code, P);
    run.add(kernels.normalise, [rowsUniform(k), null, code, unit, norms], perRow);

    // Pair groups: first photo's rows from ra, second's from rb, correlations from pair p; b pairs each.
    const groups = [{ ra: 0, rb: 0, p: 0 }, { ra: 0, rb: b * s, p: b }];
    for (let n = 0; n < negatives; n++) groups.push({ ra: 0, rb: (2 + n) * b * s, p: (2 + n) * b });
    const correlation = (g: { ra: number; rb: number; p: number }, dim: number): MatmulSpec => ({
      m: s, n: s, k: dim, batchDim: 'none', aOff: g.ra * dim, aStrideI: dim, aStrideK: 1, aStrideZ: s * dim,
      bOff: g.rb * dim, bStrideK: 1, bStrideJ: dim, bStrideZ: s * dim, cOff: g.p * s * s, cStrideI: s, cStrideZ: s * s, auxOff: 0, epilogue: {},
    });
    for (const g of groups) {
      run.matmul(kernels.matmul, correlation(g, d), features, features, fd, P, s, b);
      run.matmul(kernels.matmul, correlation(g, k), unit, unit, cd, P, s, b);
    }
    const kinds = [
      { start: 0, count: b, shift: opts.shifts.intra, weight: opts.weights.intra },
      { start: b, count: b, shift: opts.shifts.knn, weight: opts.weights.knn },
      { start: 2 * b, count: negatives * b, shift: opts.shifts.random, weight: opts.weights.random },
    ];
    run.add(kernels.pairLoss, [run.filled(new Uint32Array(pairLossUniform(s, kinds)), GPUBufferUsage.UNIFORM), null, fd, cd, this.stats], [3, 1]);

    // dUnit_first[m] += Σ_n G[m, n]·unit_second[n]; dUnit_second[n] += Σ_m G[m, n]·unit_first[m]. A row's
    // first contribution overwrites (no clearing pass): anchors get intra's first, partners and random rows their only one.
    const back = (g: { ra: number; rb: number; p: number }, second: boolean, accumulate: boolean): MatmulSpec => ({
      m: s, n: k, k: s, batchDim: 'none', aOff: g.p * s * s, aStrideI: second ? 1 : s, aStrideK: second ? s : 1, aStrideZ: s * s,
      bOff: (second ? g.ra : g.rb) * k, bStrideK: k, bStrideJ: 1, bStrideZ: s * k,
      cOff: (second ? g.rb : g.ra) * k, cStrideI: k, cStrideZ: s * k, auxOff: 0, epilogue: { accumulate },
    });
    groups.forEach((g, i) => {
      run.matmul(kernels.matmul, back(g, false, i > 0), cd, unit, dCode, P, s, b);
      run.matmul(kernels.matmul, back(g, true, i === 0), cd, unit, dCode, P, s, b);
    });
    run.add(kernels.normaliseBackward, [rowsUniform(k), null, unit, norms, dCode], perRow);

    const gradParams = (slot: typeof layout.linear, g: GPUBuffer, inp: GPUBuffer) => {
      run.matmul(kernels.matmul, denseGradWeightSpec(slot, rows, 'none'), g, inp, grad, P);
      run.matmul(kernels.matmul, denseGradBiasSpec(slot, rows, 'none'), ones, g, grad, P);
    };
    gradParams(layout.linear, dCode, x);
    gradParams(layout.output, dCode, hidden);
    run.matmul(kernels.matmul, denseGradInputSpec(layout.output, rows, 'none'), dCode, P, dHidden, hidden);
    gradParams(layout.hidden, dHidden, x);
    // Adam without weight decay, as the TypeScript trainer steps.
    run.adam(kernels.adam, layout.paramCount, ADAM, P, grad, f32(layout.paramCount));
  }

  /** Uploads the photos' rows and builds the run's pipelines; what the device cannot hold becomes WebGpuTrainingError. */
  static async create(device: GPUDevice, photos: readonly PhotoRows[], r: StegoRun): Promise<GpuStego> {
    const { opts, shape } = r;
    const limits = device.limits;
    const maxBinding = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
    const cells = photos.reduce((n, p) => n + p.cells, 0);
    const negatives = negativesPerStep(photos.length, opts);
    const rows = (2 + negatives) * opts.batchSize * opts.pointsPerImage;
    const largest = 4 * Math.max(cells * shape.inDim, (2 + negatives) * opts.batchSize * opts.pointsPerImage ** 2, rows * Math.max(shape.inDim, shape.hiddenDim, shape.codeDim));
    if (largest > maxBinding) throw new WebGpuTrainingError(`a ${largest}-byte training buffer exceeds this device's ${maxBinding}-byte storage binding limit`);
    if (rows > limits.maxComputeWorkgroupsPerDimension) throw new WebGpuTrainingError(`${rows} rows per step exceed ${limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`);
    const whatMustFit = `the photos' rows (${((cells * shape.inDim * 8) / 2 ** 20).toFixed(0)} MB)`;
    return scopedSetup(device, whatMustFit, async (owned) => {
      const photoX = upload(device, photos, cells, shape.inDim, (p) => p.x);
      owned.push(photoX);
      const photoUnit = upload(device, photos, cells, shape.inDim, (p) => p.unit);
      owned.push(photoUnit);
      return new GpuStego(device, photos, r, photoX, photoUnit, await createKernels(device, KERNELS));
    });
  }

  /** Submits one step of the plan: its rows, masks and step constants, then every dispatch; `slot` is its place in the loss statistics. */
  submitStep(plan: StepPlan, step: number, slot: number, learningRate: number): void {
    const info = this.rowInfoHost;
    for (let r = 0; r < plan.rows; r++) {
      info[2 * r] = this.photoStart[plan.photo[r]] + plan.cell[r];
      info[2 * r + 1] = plan.mask[r];
    }
    const q = this.device.queue;
    q.writeBuffer(this.rowInfo, 0, info);
    q.writeBuffer(this.masks, 0, Float32Array.from(plan.masks));
    const entry = new ArrayBuffer(BATCH_ENTRY_BYTES);
    new Uint32Array(entry, 0, 4).set([0, plan.rows, slot, step]);
    const t = step + 1;
    new Float32Array(entry, 16, 4).set([learningRate, 1 / (1 - ADAM.beta1 ** t), 1 / (1 - ADAM.beta2 ** t), 0]);
    q.writeBuffer(this.run.batchUniforms, 0, entry);
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    this.run.encode(pass, 0);
    pass.end();
    q.submit([encoder.finish()]);
  }

  /** The weighted (intra, knn, random) losses of the last `steps` steps' slots, [steps·3]. */
  readLosses(steps: number): Promise<Float32Array> {
    return readBack(this.device, this.stats, this.statsRead, 3 * steps);
  }

  readParams(): Promise<Float32Array> {
    return readBack(this.device, this.params, this.paramsRead, this.paramCount);
  }

  destroy(): void {
    this.run.destroy();
  }
}

/** Every photo's rows of `pick` one after the other, as float32, written straight into the mapped buffer. */
function upload(device: GPUDevice, photos: readonly PhotoRows[], cells: number, dim: number, pick: (p: PhotoRows) => Float32Array): GPUBuffer {
  const buffer = device.createBuffer({ size: Math.max(4, cells * dim * 4), usage: GPUBufferUsage.STORAGE, mappedAtCreation: true });
  const out = new Float32Array(buffer.getMappedRange());
  let at = 0;
  for (const p of photos) {
    out.set(pick(p).subarray(0, p.cells * dim), at);
    at += p.cells * dim;
  }
  buffer.unmap();
  return buffer;
}
