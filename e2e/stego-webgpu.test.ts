// STEGO's WebGPU trainer (SwiftShader's CPU-backed adapter in headless chromium) follows the
// TypeScript trainer step for step from the same inputs: agreement and stopping, never speed (method.md §4).
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { StegoBenchResult, StegoBenchSpec } from '../workers/semantic-api';
import { describeApp } from './harness/suite';
import { AppPage } from './pages/app-page';

/** Small enough for SwiftShader: 4 photos of 36 cells and 16 channels, 20 steps reported every 5. */
const TINY: StegoBenchSpec = {
  photos: 4, cells: 36, tokenDim: 16, backend: 'cpu',
  options: { steps: 20, reportEvery: 5, batchSize: 4, pointsPerImage: 16, negatives: 2, projectionDim: 16, hiddenDim: 16, codeDim: 8, seed: 1, learningRate: 5e-3 },
};

async function train(app: AppPage, spec: StegoBenchSpec): Promise<StegoBenchResult> {
  await app.page.waitForFunction(() => '__u2seg' in globalThis, undefined, { timeout: 60_000 });
  return app.page.evaluate(
    (sp) => (globalThis as unknown as { __u2seg: { benchmarkStego(s: StegoBenchSpec): Promise<StegoBenchResult> } }).__u2seg.benchmarkStego(sp),
    spec,
  );
}

function assertAgree(cpu: StegoBenchResult, gpu: StegoBenchResult): void {
  assert.match(gpu.device, /swiftshader/i, 'the WebGPU run used the SwiftShader adapter');
  assert.equal(gpu.steps, cpu.steps);
  assert.deepEqual(gpu.history.map((h) => h.step), cpu.history.map((h) => h.step));
  // The loss falls on this problem, so a trainer that did not learn (or learnt something else) fails below too.
  assert.ok(cpu.history.at(-1)!.loss < cpu.history[0].loss, `cpu losses ${cpu.history.map((h) => h.loss)}`);
  cpu.history.forEach((c, i) => {
    const g = gpu.history[i];
    for (const [name, a, b] of [['total', c.loss, g.loss], ['intra', c.parts.intra, g.parts.intra], ['knn', c.parts.knn, g.parts.knn], ['random', c.parts.random, g.parts.random]] as const) {
      assert.ok(Math.abs(a - b) <= 1e-3 * Math.abs(a) + 1e-6, `step ${c.step} ${name} loss: cpu ${a}, webgpu ${b}`);
    }
  });
  assert.equal(gpu.params.length, cpu.params.length);
  const scale = Math.max(...cpu.params.map(Math.abs));
  const maxDiff = Math.max(...cpu.params.map((p, i) => Math.abs(p - gpu.params[i])));
  console.log(`${gpu.device}: losses cpu ${cpu.history.map((h) => h.loss.toFixed(6))}, webgpu ${gpu.history.map((h) => h.loss.toFixed(6))}; max |cpu − webgpu| parameter / max |parameter| = ${(maxDiff / scale).toExponential(2)}`);
  assert.ok(maxDiff / scale < 1e-3, `max |cpu − webgpu| parameter = ${maxDiff} (scale ${scale})`);
}

describeApp('WebGPU and TypeScript train the same STEGO head', { webgpu: true }, (s) => {
  let app: AppPage;
  before(async () => {
    app = await AppPage.open(s.browser, s.url, '?model=tiny-vit&debug&workers=1&stego=off');
  });
  after(() => app.close());

  const cases: { name: string; spec: Partial<StegoBenchSpec['options']>; stopAfterReports?: number }[] = [
    { name: 'same losses per pair kind at every report and same parameters after 20 steps', spec: {} },
    // 11 points, 13 hidden units, 7 code channels: no size is a multiple of the 16-wide matmul tiles
    { name: 'sizes off the kernels’ tiles, no dropout, three random partners: same result', spec: { pointsPerImage: 11, hiddenDim: 13, codeDim: 7, dropout: 0, negatives: 3 } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const spec = { ...TINY, options: { ...TINY.options, ...c.spec } };
      const cpu = await train(app, { ...spec, backend: 'cpu' });
      const gpu = await train(app, { ...spec, backend: 'webgpu' });
      assertAgree(cpu, gpu);
    });
  }
  it('stopped at the second report, both keep the same 10 steps', async () => {
    const cpu = await train(app, { ...TINY, stopAfterReports: 2 });
    const gpu = await train(app, { ...TINY, backend: 'webgpu', stopAfterReports: 2 });
    assert.equal(cpu.steps, 10);
    assertAgree(cpu, gpu);
  });
  it('reports no page errors', () => assert.deepEqual(app.pageErrors, []));

  it('in the app, ?backend=webgpu trains the session’s head on WebGPU and the panel says so', async () => {
    const page = await AppPage.open(s.browser, s.url, '?model=tiny-vit&backend=webgpu&refine=none&workers=1');
    await page.dropGeneratedPhotos(2);
    await page.waitForAllLabelled(2, 600_000);
    await page.page.getByTestId('semantic-train').click();
    // Stopped at once, it stops at the first report (10 steps): full-size steps take seconds each on SwiftShader.
    await page.page.getByTestId('semantic-progress').waitFor();
    await page.page.keyboard.press('Escape');
    await page.waitForSemanticHead(2);
    assert.equal(await page.page.getByTestId('semantic-status').textContent(), 'semantic: STEGO head (2 photos, 10 steps, stopped early)');
    const backend = page.page.getByTestId('semantic-backend');
    assert.equal(await backend.textContent(), 'WebGPU', 'the trained head says which trainer made it');
    assert.match((await backend.getAttribute('title')) ?? '', /^WebGPU: .*swiftshader/i);
    assert.deepEqual(page.pageErrors, []);
    await page.close();
  });
});
