// The WebGPU code path (SwiftShader's CPU-backed adapter in headless chromium) computes the same
// features as WASM for the same photo: agreement, never speed, is what this checks.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generatedPhotos } from './harness/files';
import { describeApp } from './harness/suite';
import { AppPage, readFeatures } from './pages/app-page';

describeApp('WebGPU and WASM agree', { webgpu: true }, (s) => {
  it('gives the same keys, tokens and CLS for a generated photo on both backends', async () => {
    const [photo] = generatedPhotos(3).slice(2);
    const results: Record<string, Record<string, number[]>> = {};
    for (const backend of ['wasm', 'webgpu']) {
      const app = await AppPage.open(s.browser, s.url, `?model=tiny-vit&backend=${backend}&debug&refine=none&workers=1`);
      assert.match(await app.backendBadge(), backend === 'wasm' ? /^WASM/ : /^WebGPU/);
      await app.drop([photo]);
      await app.waitForOverlay(300_000);
      results[backend] = {
        keys: await readFeatures(app, photo.name, 'keys', 196 * 48),
        tokens: await readFeatures(app, photo.name, 'tokens', 196 * 48),
        cls: await readFeatures(app, photo.name, 'cls', 48),
      };
      if (backend === 'webgpu') await app.screenshot('backends-webgpu');
      await app.close();
    }
    for (const which of ['keys', 'tokens', 'cls']) {
      const a = results.wasm[which], b = results.webgpu[which];
      assert.equal(a.length, b.length);
      const scale = Math.max(...a.map(Math.abs));
      const maxDiff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
      assert.ok(maxDiff / scale < 1e-3, `${which}: max |wasm − webgpu| = ${maxDiff} (scale ${scale})`);
    }
  });
});
