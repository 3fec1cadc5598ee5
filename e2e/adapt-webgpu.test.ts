// The adaptation head's WebGPU trainer (SwiftShader's CPU-backed adapter in headless chromium)
// follows the TypeScript trainer step for step: agreement and cancellation, never speed (method.md §6).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { TrainBenchResult, TrainBenchSpec } from '../workers/train-bench';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

/** Small enough for SwiftShader: 360 patches, 6 batches per epoch, the last one short (40 rows). */
const TINY: TrainBenchSpec = {
  images: 6, patchesPerImage: 60, tokenDim: 48, classCount: 5, kind: 'linear', hiddenDim: 0, epochs: 3, batchSize: 64, backend: 'cpu', seed: 3,
};

async function benchmarkTraining(app: AppPage, spec: TrainBenchSpec): Promise<TrainBenchResult> {
  await app.page.waitForFunction(() => '__u2seg' in globalThis, undefined, { timeout: 60_000 });
  return app.page.evaluate(
    (sp) => (globalThis as unknown as { __u2seg: { benchmarkTraining(s: TrainBenchSpec): Promise<TrainBenchResult> } }).__u2seg.benchmarkTraining(sp),
    spec,
  );
}

function assertAgree(cpu: TrainBenchResult, gpu: TrainBenchResult): void {
  assert.equal(gpu.samples, cpu.samples);
  assert.equal(gpu.stopped, cpu.stopped);
  assert.equal(gpu.batchesDone, cpu.batchesDone);
  assert.equal(gpu.history.length, cpu.history.length);
  cpu.history.forEach((e, i) => {
    const g = gpu.history[i];
    assert.equal(g.epoch, e.epoch);
    assert.ok(Math.abs(g.loss - e.loss) / Math.abs(e.loss) < 1e-3, `epoch ${e.epoch}: loss cpu ${e.loss}, webgpu ${g.loss}`);
    // a near-tie's argmax may flip in float32: at most one patch in a hundred
    assert.ok(Math.abs(g.accuracy - e.accuracy) <= 0.01, `epoch ${e.epoch}: accuracy cpu ${e.accuracy}, webgpu ${g.accuracy}`);
  });
  assert.equal(gpu.params.length, cpu.params.length);
  const scale = Math.max(...cpu.params.map(Math.abs));
  const maxDiff = Math.max(...cpu.params.map((p, i) => Math.abs(p - gpu.params[i])));
  console.log(`max |cpu − webgpu| parameter / max |parameter| = ${(maxDiff / scale).toExponential(2)}`);
  assert.ok(maxDiff / scale < 1e-3, `max |cpu − webgpu| parameter = ${maxDiff} (scale ${scale})`);
}

describeApp('WebGPU and TypeScript train the same head', { webgpu: true }, (s) => {
  let app: AppPage;
  before(async () => {
    app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&debug&workers=1');
  });
  after(() => app.close());

  const cases: { name: string; spec: Partial<TrainBenchSpec>; check?: (r: TrainBenchResult) => void }[] = [
    { name: 'linear head: same losses and parameters per epoch', spec: { kind: 'linear' } },
    { name: 'MLP head (16 hidden): same losses and parameters per epoch', spec: { kind: 'mlp', hiddenDim: 16 } },
    // 100 rows of 48 floats per buffer: four token buffers (the last 60 rows), batches gathered across them
    { name: 'linear head with the tokens split over four buffers: same result', spec: { kind: 'linear', maxTokenChunkBytes: 100 * 48 * 4 } },
    {
      name: 'MLP with class weights, cancelled in epoch 2: stops at the same batch with the same parameters',
      spec: { kind: 'mlp', hiddenDim: 16, classWeights: [0.5, 2, 1, 1.5, 0.8], stopAfterBatches: 8 },
      check: (r) => {
        assert.equal(r.stopped, true);
        assert.equal(r.history.length, 1, 'the partial epoch 2 is not reported');
        assert.equal(r.batchesDone, 8);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const spec = { ...TINY, ...c.spec };
      const cpu = await benchmarkTraining(app, { ...spec, backend: 'cpu' });
      const gpu = await benchmarkTraining(app, { ...spec, backend: 'webgpu' });
      console.log(`${gpu.device}: losses cpu ${cpu.history.map((h) => h.loss.toFixed(5))}, webgpu ${gpu.history.map((h) => h.loss.toFixed(5))}`);
      c.check?.(cpu);
      c.check?.(gpu);
      assertAgree(cpu, gpu);
    });
  }
  it('reports no page errors', () => assert.deepEqual(app.pageErrors, []));
});
